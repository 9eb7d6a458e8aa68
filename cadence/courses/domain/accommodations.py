"""Accommodations for learners with special educational needs: pure rules, values in and values out.

An accommodation gives a learner (or every learner of a group) more time on timed quizzes (a multiplier),
extra attempts, and a standing extension of every deadline (calendar days in the learner's zone). A
learner's own accommodation replaces their groups'; with several groups, each value is the most generous
of theirs. The server applies them (`assessment.services.quizzes`, `courses.selectors.deadlines_for_learners`
and `policy.may_start_attempt` read `Effective`); the learner sees only the effect.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_MULTIPLIER = Decimal("1.00")
MAX_MULTIPLIER = Decimal("4.00")
MAX_EXTRA_ATTEMPTS = 10
MAX_EXTENSION_DAYS = 60


class HasAccommodation(Protocol):
    time_multiplier: Decimal
    extra_attempts: int
    extension_days: int


@dataclass(frozen=True)
class Effective:
    """What applies to one learner in one course (`NONE`: nothing)."""

    time_multiplier: Decimal = MIN_MULTIPLIER
    extra_attempts: int = 0
    extension_days: int = 0

    @classmethod
    def of(cls, row: HasAccommodation) -> Effective:
        return cls(Decimal(row.time_multiplier), row.extra_attempts, row.extension_days)

    @property
    def is_set(self) -> bool:
        return self != NONE

    @property
    def summary(self) -> str:
        """For staff, beside the learner: "× 1.5 time on timed quizzes · +1 quiz attempt · +2 days on every deadline"."""
        return describe(self)


NONE = Effective()


def combine(own: HasAccommodation | None, groups: Sequence[HasAccommodation] = ()) -> Effective:
    """A learner's own accommodation, else the most generous value of each field among their groups'."""
    if own is not None:
        return Effective.of(own)
    if not groups:
        return NONE
    rows = [Effective.of(g) for g in groups]
    return Effective(
        time_multiplier=max(r.time_multiplier for r in rows),
        extra_attempts=max(r.extra_attempts for r in rows),
        extension_days=max(r.extension_days for r in rows),
    )


def time_limit_minutes(minutes: int | None, accommodation: Effective) -> int | None:
    """A quiz's time limit for this learner, in whole minutes rounded up (never less than asked)."""
    if not minutes:
        return minutes
    return math.ceil(Decimal(minutes) * accommodation.time_multiplier)


def time_limit(minutes: int | None, accommodation: Effective) -> timedelta | None:
    limit = time_limit_minutes(minutes, accommodation)
    return timedelta(minutes=limit) if limit else None


def attempts_allowed(allowed: int, accommodation: Effective) -> int:
    """A quiz's attempts for this learner: 0 (no limit) stays 0."""
    return allowed + accommodation.extra_attempts if allowed else 0


def problems(*, time_multiplier: Decimal, extra_attempts: int, extension_days: int) -> list[str]:
    """What is out of range, as codes for the caller to word (empty when all is well)."""
    found = []
    if not MIN_MULTIPLIER <= time_multiplier <= MAX_MULTIPLIER:
        found.append("time_multiplier")
    if not 0 <= extra_attempts <= MAX_EXTRA_ATTEMPTS:
        found.append("extra_attempts")
    if not 0 <= extension_days <= MAX_EXTENSION_DAYS:
        found.append("extension_days")
    if not found and Effective(time_multiplier, extra_attempts, extension_days) == NONE:
        found.append("nothing")
    return found


def describe(accommodation: Effective) -> str:
    parts = []
    if accommodation.time_multiplier != MIN_MULTIPLIER:
        multiplier = format(accommodation.time_multiplier.normalize(), "f")
        parts.append(_("× %(m)s time on timed quizzes") % {"m": multiplier})
    if n := accommodation.extra_attempts:
        parts.append(ngettext("+%(n)s quiz attempt", "+%(n)s quiz attempts", n) % {"n": n})
    if n := accommodation.extension_days:
        parts.append(ngettext("+%(n)s day on every deadline", "+%(n)s days on every deadline", n) % {"n": n})
    return " · ".join(parts)
