"""Deadline extensions: a later deadline for one learner or one group, audited.

An extension is a fixed moment (typed in a time zone the teacher names), the end of a day in the
learner's own zone, or "+N days" on the learner's own deadline; `courses.domain.deadlines` resolves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import InvalidInput
from cadence.core.timezones import all_time_zones
from cadence.courses.domain.deadlines import MAX_EXTENSION_DAYS
from cadence.courses.models import DeadlineExtension, ExtensionKind, Group, Item, Membership
from cadence.insights import services as insights_services


@dataclass(frozen=True)
class ExtensionInput:
    """What the teacher asked for: the field of the kind is set (`time_zone` names the zone of a moment)."""

    kind: str = ExtensionKind.MOMENT
    due_at: datetime | None = None
    time_zone: str = ""
    due_date: date | None = None
    days: int | None = None


def _fields(data: ExtensionInput) -> dict[str, Any]:
    """The model's fields for the extension asked for; a clear error and nothing changed when it is incomplete."""
    if data.kind == ExtensionKind.MOMENT:
        if data.due_at is None or data.due_at.tzinfo is None:
            raise InvalidInput(_("Give the new deadline's date and time."))
        if data.time_zone and data.time_zone not in all_time_zones():
            raise InvalidInput(_("“%(zone)s” is not a known time zone.") % {"zone": data.time_zone})
        return {"due_at": data.due_at, "time_zone": data.time_zone, "due_date": None, "days": None}
    if data.kind == ExtensionKind.END_OF_DAY:
        if data.due_date is None:
            raise InvalidInput(_("Give the day whose end, in the learner's own time zone, is the new deadline."))
        return {"due_at": None, "time_zone": "", "due_date": data.due_date, "days": None}
    if data.kind == ExtensionKind.DAYS:
        if data.days is None or not 1 <= data.days <= MAX_EXTENSION_DAYS:
            raise InvalidInput(
                _("Give a number of days from 1 to %(max)s to add to the learner's deadline.")
                % {"max": MAX_EXTENSION_DAYS}
            )
        return {"due_at": None, "time_zone": "", "due_date": None, "days": data.days}
    raise InvalidInput(_("Choose what kind of extension to give."))


@transaction.atomic
def grant_extension(
    *,
    actor: User,
    item: Item,
    due_at: datetime | None = None,
    extension: ExtensionInput | None = None,
    learner: User | None = None,
    group: Group | None = None,
    reason: str = "",
) -> DeadlineExtension:
    """Give one learner (or one group) a new deadline for an item; a second grant replaces the first.

    `due_at` alone is a fixed moment (as before kinds existed); `extension` says which kind."""
    policy.require(actor, "edit", item)
    if (learner is None) == (group is None):
        raise InvalidInput(_("Choose either one learner or one group."))
    if not item.has_deadline:
        raise InvalidInput(_("This item has no deadline to extend."))
    if group is not None and group.course_id != item.course_id:
        raise InvalidInput(_("That group is in another course."))
    if learner is not None and not policy.learns_in(learner, item.course_id):
        raise InvalidInput(_("Only learners of this course get extensions."))
    data = extension if extension is not None else ExtensionInput(due_at=due_at)
    fields = _fields(data)
    target: dict[str, Any] = {"user": learner} if learner is not None else {"group": group}
    row, created = DeadlineExtension.objects.update_or_create(
        item=item,
        **target,
        defaults={"kind": data.kind, **fields, "reason": reason.strip()[:300], "granted_by": actor},
    )
    audit.record(
        actor=actor,
        verb="deadline.extended",
        obj=row,
        course_id=item.course_id,
        kind=data.kind,
        due_at=fields["due_at"].isoformat() if fields["due_at"] else None,
        time_zone=fields["time_zone"],
        due_date=fields["due_date"].isoformat() if fields["due_date"] else None,
        days=fields["days"],
        learner=learner.pk if learner else None,
        group=group.pk if group else None,
        replaced=not created,
    )
    _deadlines_changed(row)
    return row


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
