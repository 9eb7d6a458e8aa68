"""Deadlines in each learner's own time: the one place that says when an item is due for a learner.

An item is due at a fixed instant (the same for everyone), at the end of a calendar day in each
learner's own time zone, or at the end of the day N days after the learner joined (self-paced).
Extensions for one learner, or for one of their groups, replace it: the learner's own first, else
the latest of their groups'. "End of a day" is 23:59:59 local time, computed with the zone's own
rules, so a change to or from summer time never makes work late an hour early.

Pure: `courses.selectors.deadlines_for` reads the items, memberships and extensions and asks these rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

END_OF_DAY = time(23, 59, 59)


class HasDeadline(Protocol):
    """What an item (or anything else with a deadline) carries: at most one of the three is set."""

    due_at: datetime | None
    due_date: date | None
    due_after_days: int | None


@dataclass(frozen=True)
class DeadlineSpec:
    due_at: datetime | None = None
    due_date: date | None = None
    due_after_days: int | None = None

    @classmethod
    def of(cls, item: HasDeadline) -> DeadlineSpec:
        return cls(item.due_at, item.due_date, item.due_after_days)

    @property
    def is_set(self) -> bool:
        return self.due_at is not None or self.due_date is not None or self.due_after_days is not None


def end_of_day(day: date, zone: str) -> datetime:
    """23:59:59 on `day` in `zone`, as an aware datetime (a real instant even on a DST change day)."""
    local = datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(zone))
    # Round-trip through UTC so a wall time that does not exist is moved forward the way the zone does.
    return local.astimezone(ZoneInfo("UTC")).astimezone(ZoneInfo(zone))


def base_deadline(spec: DeadlineSpec, *, zone: str, joined_at: datetime | None) -> datetime | None:
    if spec.due_at is not None:
        return spec.due_at
    if spec.due_date is not None:
        return end_of_day(spec.due_date, zone)
    if spec.due_after_days is not None and joined_at is not None:
        joined_day = joined_at.astimezone(ZoneInfo(zone)).date()
        return end_of_day(joined_day + timedelta(days=spec.due_after_days), zone)
    return None


def learner_deadline(
    spec: DeadlineSpec,
    *,
    zone: str,
    joined_at: datetime | None,
    own_extension: datetime | None = None,
    group_extensions: Sequence[datetime] = (),
) -> datetime | None:
    if own_extension is not None:
        return own_extension
    if group_extensions:
        return max(group_extensions)
    return base_deadline(spec, zone=zone, joined_at=joined_at)
