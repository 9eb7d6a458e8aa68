"""Accommodations for learners with special educational needs: given, changed and removed by teachers, audited.

Each change refreshes the figures of the learners it applies to (overdue counts and pace follow their
deadlines) once the transaction commits. An attempt already running keeps the time it started with.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import InvalidInput
from cadence.courses.domain import accommodations
from cadence.courses.models import Accommodation, Course, Group, Membership, Role
from cadence.insights import services as insights_services


@dataclass(frozen=True)
class AccommodationInput:
    time_multiplier: Decimal = accommodations.MIN_MULTIPLIER
    extra_attempts: int = 0
    extension_days: int = 0
    note: str = ""


def out_of_range_message(code: str) -> str:
    """The sentence for one of `accommodations.problems`' codes (the form and the service say the same)."""
    messages = {
        "time_multiplier": _("The time multiplier must be from %(low)s to %(high)s.")
        % {"low": accommodations.MIN_MULTIPLIER, "high": accommodations.MAX_MULTIPLIER},
        "extra_attempts": _("Extra attempts must be from 0 to %(n)s.") % {"n": accommodations.MAX_EXTRA_ATTEMPTS},
        "extension_days": _("The standing extension must be from 0 to %(n)s days.")
        % {"n": accommodations.MAX_EXTENSION_DAYS},
        "nothing": _("This accommodation changes nothing: give more time, extra attempts or extra days."),
    }
    return messages[code]


def _check(data: AccommodationInput) -> None:
    try:
        multiplier = Decimal(data.time_multiplier)
    except (ArithmeticError, TypeError, ValueError):
        raise InvalidInput(out_of_range_message("time_multiplier")) from None
    if multiplier != multiplier.quantize(Decimal("0.01")):
        raise InvalidInput(_("Give the time multiplier with at most two decimals, such as 1.25."))
    found = accommodations.problems(
        time_multiplier=multiplier, extra_attempts=data.extra_attempts, extension_days=data.extension_days
    )
    if found:
        raise InvalidInput(" ".join(out_of_range_message(code) for code in found))


def _values(row: Accommodation) -> dict[str, object]:
    return {
        "time_multiplier": str(row.time_multiplier),
        "extra_attempts": row.extra_attempts,
        "extension_days": row.extension_days,
    }


def _learners_of(row: Accommodation) -> list[int]:
    if row.membership_id is not None:
        return list(Membership.objects.filter(pk=row.membership_id).values_list("user_id", flat=True))
    return list(Membership.objects.filter(groups=row.group_id, role=Role.LEARNER).values_list("user_id", flat=True))


@transaction.atomic
def set_accommodation(
    *,
    actor: User,
    course: Course,
    data: AccommodationInput,
    learner: Membership | None = None,
    group: Group | None = None,
) -> Accommodation:
    """Give one learner (or every learner of a group) an accommodation, or change theirs. Out-of-range values
    are refused with a clear message and nothing changes."""
    policy.require(actor, "manage_accommodations", course)
    if (learner is None) == (group is None):
        raise InvalidInput(_("Choose either one learner or one group."))
    if learner is not None and (learner.course_id != course.pk or learner.role != Role.LEARNER):
        raise InvalidInput(_("Only learners of this course get accommodations."))
    if group is not None and group.course_id != course.pk:
        raise InvalidInput(_("That group is in another course."))
    _check(data)
    target: dict[str, Any] = {"membership": learner} if learner is not None else {"group": group}
    before = Accommodation.objects.select_for_update().filter(**target).first()
    previous = _values(before) if before is not None else None
    row, created = Accommodation.objects.update_or_create(
        **target,
        defaults={
            "course": course,
            "time_multiplier": Decimal(data.time_multiplier).quantize(Decimal("0.01")),
            "extra_attempts": data.extra_attempts,
            "extension_days": data.extension_days,
            "note": data.note.strip()[:300],
            "granted_by": actor,
        },
    )
    audit.record(
        actor=actor,
        verb="accommodation.set",
        obj=row,
        course_id=course.pk,
        learner=learner.user_id if learner is not None else None,
        group=group.pk if group is not None else None,
        before=previous,
        after=_values(row),
        created=created,
    )
    insights_services.learners_changed(course_id=course.pk, user_ids=_learners_of(row))
    return row


@transaction.atomic
def remove_accommodation(*, actor: User, accommodation: Accommodation) -> None:
    policy.require(actor, "edit", accommodation)
    learners = _learners_of(accommodation)
    audit.record(
        actor=actor,
        verb="accommodation.removed",
        obj=accommodation,
        course_id=accommodation.course_id,
        learner=accommodation.membership.user_id if accommodation.membership is not None else None,
        group=accommodation.group_id,
        before=_values(accommodation),
    )
    accommodation.delete()
    insights_services.learners_changed(course_id=accommodation.course_id, user_ids=learners)
