"""Deadlines in each learner's own time: the one place that says when an item is due for a learner.

An item is due at a fixed instant (the same for everyone), at the end of a calendar day in each
learner's own time zone, or at the end of the day N days after the learner joined (self-paced).
Extensions for one learner, or for one of their groups, replace it: the learner's own first, else
the latest of their groups'. An extension is a fixed moment, the end of a day in the learner's own
zone, or "+N days" on the learner's own deadline (the same wall-clock time N days later in their zone).
A standing extension (an accommodation, in days) is then added to whatever deadline the learner has.
"End of a day" is 23:59:59 local time, computed with the zone's own rules, so a change to or from
summer time never makes work late an hour early.

Wall-clock times that a zone skips (spring forward) move forward as the zone does; times it repeats
(autumn back) take the later of the two instants: a learner is never given less time than asked for.

Pure: `courses.selectors.deadlines_for_learners` reads the items, memberships, extensions and
accommodations and asks these rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

END_OF_DAY = time(23, 59, 59)
MAX_EXTENSION_DAYS = 365


class HasDeadline(Protocol):
    """What an item (or anything else with a deadline) carries: at most one of the three is set."""

    @property
    def due_at(self) -> datetime | None: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def due_after_days(self) -> int | None: ...


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


def zone_of(name: str | None) -> ZoneInfo:
    """The zone called `name`; UTC for an empty name."""
    return ZoneInfo(name or "UTC")


def at_wall_time(local: datetime, zone: str) -> datetime:
    """The instant a clock in `zone` shows the naive `local` time.

    A time the zone skips is moved forward as the zone does; a time it shows twice is the later instant.
    """
    tz = zone_of(zone)
    # Python reads a skipped time with the offset before the change (fold=0: the later instant) and a
    # repeated one as its first showing (fold=0) or second (fold=1): the later of the two is wanted in both.
    # Compared in UTC, since datetimes sharing a zone compare by wall time and ignore `fold`.
    candidates = (local.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1))
    return max(candidates).astimezone(tz)


def end_of_day(day: date, zone: str) -> datetime:
    """23:59:59 on `day` in `zone`, as an aware datetime (a real instant even on a DST change day)."""
    return at_wall_time(datetime.combine(day, END_OF_DAY), zone)


def add_days(moment: datetime, days: int, zone: str) -> datetime:
    """The same wall-clock time `days` calendar days later in `zone` (not days × 24 hours: across a change
    to or from summer time, 17:00 stays 17:00)."""
    if days == 0:
        return moment
    local = moment.astimezone(zone_of(zone))
    return at_wall_time(local.replace(tzinfo=None) + timedelta(days=days), zone)


def base_deadline(spec: DeadlineSpec, *, zone: str, joined_at: datetime | None) -> datetime | None:
    if spec.due_at is not None:
        return spec.due_at
    if spec.due_date is not None:
        return end_of_day(spec.due_date, zone)
    if spec.due_after_days is not None and joined_at is not None:
        joined_day = joined_at.astimezone(zone_of(zone)).date()
        return end_of_day(joined_day + timedelta(days=spec.due_after_days), zone)
    return None


class ExtensionKind(StrEnum):
    MOMENT = "moment"  # a fixed instant, the same wherever the learner is
    END_OF_DAY = "end_of_day"  # the end of a calendar day in the learner's own zone
    DAYS = "days"  # N days added to the learner's own deadline, wall-clock time kept


@dataclass(frozen=True)
class Extension:
    """What a teacher asked for: exactly the field of its kind is set."""

    kind: ExtensionKind
    due_at: datetime | None = None
    due_date: date | None = None
    days: int | None = None

    def resolve(self, *, zone: str, base: datetime | None) -> datetime | None:
        """The moment this extension gives a learner in `zone` whose deadline is otherwise `base`."""
        if self.kind == ExtensionKind.MOMENT:
            return self.due_at
        if self.kind == ExtensionKind.END_OF_DAY:
            return end_of_day(self.due_date, zone) if self.due_date is not None else None
        if base is None or self.days is None:
            return None  # "+N days" needs a deadline to add to
        return add_days(base, self.days, zone)


def learner_deadline(
    spec: DeadlineSpec,
    *,
    zone: str,
    joined_at: datetime | None,
    own_extension: Extension | None = None,
    group_extensions: Sequence[Extension] = (),
    standing_days: int = 0,
) -> datetime | None:
    """The learner's deadline: their own extension, else the latest of their groups', else the item's;
    then the standing extension of an accommodation, in calendar days in the learner's zone."""
    base = base_deadline(spec, zone=zone, joined_at=joined_at)
    due: datetime | None = base
    if own_extension is not None:
        due = own_extension.resolve(zone=zone, base=base)
    elif group_extensions:
        resolved = [d for d in (e.resolve(zone=zone, base=base) for e in group_extensions) if d is not None]
        due = max(resolved) if resolved else base
    if due is not None and standing_days > 0:
        due = add_days(due, standing_days, zone)
    return due


# --- Across a class: when a deadline "at the end of the day in each learner's zone" passes --------------
@dataclass(frozen=True)
class Spread:
    """The earliest and the latest moment a per-zone deadline passes, and in which of the learners' zones."""

    earliest: datetime
    earliest_zones: tuple[str, ...]
    latest: datetime
    latest_zones: tuple[str, ...]

    @property
    def varies(self) -> bool:
        return self.earliest != self.latest


def end_of_day_spread(day: date, zones: Iterable[str]) -> Spread | None:
    """When the end of `day` comes first and last across these zones (None without any zone)."""
    by_moment: dict[datetime, set[str]] = {}
    for zone in {z or "UTC" for z in zones}:
        by_moment.setdefault(end_of_day(day, zone).astimezone(UTC), set()).add(zone)
    if not by_moment:
        return None
    first, last = min(by_moment), max(by_moment)
    return Spread(first, tuple(sorted(by_moment[first])), last, tuple(sorted(by_moment[last])))
