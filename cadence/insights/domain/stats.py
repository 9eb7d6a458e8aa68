"""Pure arithmetic behind a learner's aggregates: pace against the schedule, overdue work, last-minute habits.

No ORM: the insights services load the facts (deadlines, completions, submissions) and call these.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

DAY = timedelta(days=1)
FINAL_HOUR = timedelta(hours=1)


class PaceStatus(StrEnum):
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    UNKNOWN = "unknown"  # no schedule: no deadlines and no course window or planned duration


@dataclass(frozen=True)
class Pace:
    status: PaceStatus
    items: int = 0  # how many required items ahead of (or behind) the schedule
    days: float = 0.0  # how far ahead of (or behind) the schedule, in days

    @property
    def days_behind(self) -> float:
        return self.days if self.status is PaceStatus.BEHIND else 0.0


def targets(
    deadlines: Sequence[datetime | None], *, window_start: datetime | None, window_end: datetime | None
) -> list[datetime | None]:
    """When each required item (in course order) should be done: its own deadline for the learner, else
    its place spread evenly over the window (the course's dates, or the learner's planned duration)."""
    spread = window_start is not None and window_end is not None and window_end > window_start
    count = len(deadlines)
    result: list[datetime | None] = []
    for index, deadline in enumerate(deadlines):
        if deadline is not None:
            result.append(deadline)
        elif spread:
            assert window_start is not None and window_end is not None
            result.append(window_start + (window_end - window_start) * ((index + 1) / count))
        else:
            result.append(None)
    return result


def pace(item_targets: Sequence[datetime | None], *, done: int, now: datetime) -> Pace:
    """Ahead, on track or behind: items done against items the schedule expects done by now.

    Behind counts only once the earliest missed target is a day old, so an item due an hour ago does not
    make anyone "behind"; the days are those since that target passed (behind) or until the target of the
    last item done (ahead).
    """
    scheduled = sorted(t for t in item_targets if t is not None)
    if not scheduled:
        return Pace(PaceStatus.UNKNOWN)
    expected = sum(1 for t in scheduled if t <= now)
    if done < expected:
        late = (now - scheduled[done]) / DAY
        if late >= 1:
            return Pace(PaceStatus.BEHIND, items=expected - done, days=late)
        return Pace(PaceStatus.ON_TRACK)
    if done > expected:
        last_done_target = scheduled[min(done, len(scheduled)) - 1]
        return Pace(PaceStatus.AHEAD, items=done - expected, days=max(0.0, (last_done_target - now) / DAY))
    return Pace(PaceStatus.ON_TRACK)


def overdue(deadlines: Mapping[int, datetime], *, done: Collection[int], now: datetime) -> int:
    """Required items past the learner's own deadline and neither done nor submitted."""
    return sum(1 for item_id, due in deadlines.items() if due < now and item_id not in done)


def final_hour_streak(submissions: Sequence[tuple[datetime, datetime | None]]) -> int:
    """How many of the latest submissions (newest first: time of record, the learner's deadline then) came
    in the final hour before their deadline, counted until the first that did not. Submissions to work
    without a deadline are skipped: they say nothing about leaving things late."""
    streak = 0
    for submitted_at, deadline in submissions:
        if deadline is None:
            continue
        if deadline - FINAL_HOUR <= submitted_at <= deadline:
            streak += 1
        else:
            break
    return streak


def progress_percent(done: int, required: int) -> int:
    """Whole percent of required items done, rounded down (100 only when all are done)."""
    if required <= 0:
        return 0
    return min(100, done * 100 // required)


@dataclass(frozen=True)
class Week:
    """One whole week of a learner's activity: minutes (rounded down) and days with any activity."""

    minutes: int
    days: int


def weekly_activity(daily: Iterable[tuple[date, int]], *, today: date, since: date, weeks: int) -> list[Week]:
    """The latest `weeks` whole weeks (the 7 days ending today, the 7 before them, ...) that start on or after
    `since` (the join day), oldest first, from seconds active per day."""
    by_day: dict[date, int] = {}
    for day, seconds in daily:
        by_day[day] = by_day.get(day, 0) + max(0, seconds)
    result: list[Week] = []
    end = today
    while len(result) < weeks and end - timedelta(days=6) >= since:
        days = [by_day.get(end - timedelta(days=back), 0) for back in range(7)]
        result.insert(0, Week(minutes=sum(days) // 60, days=sum(1 for s in days if s > 0)))
        end -= timedelta(days=7)
    return result
