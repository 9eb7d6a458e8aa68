"""Deadline extensions (accommodations): a later deadline for one learner or one group, audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import InvalidInput
from cadence.courses.models import DeadlineExtension, Group, Item, Membership
from cadence.insights import services as insights_services


@transaction.atomic
def grant_extension(
    *,
    actor: User,
    item: Item,
    due_at: datetime,
    learner: User | None = None,
    group: Group | None = None,
    reason: str = "",
) -> DeadlineExtension:
    """Give one learner (or one group) a new deadline for an item; a second grant replaces the first."""
    policy.require(actor, "edit", item)
    if (learner is None) == (group is None):
        raise InvalidInput(_("Choose either one learner or one group."))
    if not item.has_deadline:
        raise InvalidInput(_("This item has no deadline to extend."))
    if group is not None and group.course_id != item.course_id:
        raise InvalidInput(_("That group is in another course."))
    if learner is not None and not policy.learns_in(learner, item.course_id):
        raise InvalidInput(_("Only learners of this course get extensions."))
    target: dict[str, Any] = {"user": learner} if learner is not None else {"group": group}
    extension, created = DeadlineExtension.objects.update_or_create(
        item=item, **target, defaults={"due_at": due_at, "reason": reason.strip()[:300], "granted_by": actor}
    )
    audit.record(
        actor=actor,
        verb="deadline.extended",
        obj=extension,
        course_id=item.course_id,
        due_at=due_at.isoformat(),
        learner=learner.pk if learner else None,
        group=group.pk if group else None,
        replaced=not created,
    )
    _deadlines_changed(extension)
    return extension


@transaction.atomic
def revoke_extension(*, actor: User, extension: DeadlineExtension) -> None:
    policy.require(actor, "edit", extension.item)
    audit.record(actor=actor, verb="deadline.extension_revoked", obj=extension, course_id=extension.item.course_id)
    _deadlines_changed(extension)
    extension.delete()


def _deadlines_changed(extension: DeadlineExtension) -> None:
    """The learners whose deadline this extension sets: their figures (overdue, pace) are refreshed."""
    if extension.user_id is not None:
        user_ids = [extension.user_id]
    else:
        user_ids = list(Membership.objects.filter(groups=extension.group_id).values_list("user_id", flat=True))
    insights_services.learners_changed(course_id=extension.item.course_id, user_ids=user_ids)
