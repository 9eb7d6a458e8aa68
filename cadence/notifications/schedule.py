"""When an email may go out: digest times and quiet hours, computed in the recipient's own time zone.

Pure functions of (now, settings, zone) so that time zones and daylight-saving changes are tested directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cadence.notifications.models import Timing


@dataclass(frozen=True)
class Window:
    """A person's delivery settings, detached from the database."""

    zone: ZoneInfo
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    digest_time: dt.time
    weekly_day: int  # 0 = Monday


def _at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`time` on `day` in `zone`, as an aware UTC instant. A time skipped by a DST jump moves forward."""
    local = dt.datetime.combine(day, time, tzinfo=zone)
    # Round-trip through UTC: a wall time that does not exist (spring forward) comes back normalised.
    return local.astimezone(dt.UTC)


def in_quiet_hours(instant: dt.datetime, window: Window) -> bool:
    if window.quiet_start is None or window.quiet_end is None or window.quiet_start == window.quiet_end:
        return False
    local = instant.astimezone(window.zone).time()
    start, end = window.quiet_start, window.quiet_end
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the quiet hours span midnight


def after_quiet_hours(instant: dt.datetime, window: Window) -> dt.datetime:
    """`instant` itself, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(instant, window):
        return instant
    assert window.quiet_end is not None
    local_day = instant.astimezone(window.zone).date()
    for offset in (0, 1):
        end = _at(local_day + dt.timedelta(days=offset), window.quiet_end, window.zone)
        if end > instant:
            return end
    return instant  # unreachable: quiet hours are shorter than a day


def next_digest(now: dt.datetime, window: Window, *, weekly: bool) -> dt.datetime:
    """The first digest time strictly after `now` (on the chosen weekday for a weekly digest)."""
    day = now.astimezone(window.zone).date()
    for offset in range(0, 9):
        candidate_day = day + dt.timedelta(days=offset)
        if weekly and candidate_day.weekday() != window.weekly_day:
            continue
        candidate = _at(candidate_day, window.digest_time, window.zone)
        if candidate > now:
            return after_quiet_hours(candidate, window)
    raise AssertionError("a digest time exists within nine days")


def previous_digest(now: dt.datetime, window: Window, *, weekly: bool) -> dt.datetime:
    """The latest digest time at or before `now` (on the chosen weekday for a weekly digest), moved past quiet
    hours as `next_digest` moves it: the moment a periodic summary for that digest is due."""
    day = now.astimezone(window.zone).date()
    for offset in range(0, 9):
        candidate_day = day - dt.timedelta(days=offset)
        if weekly and candidate_day.weekday() != window.weekly_day:
            continue
        candidate = after_quiet_hours(_at(candidate_day, window.digest_time, window.zone), window)
        if candidate <= now:
            return candidate
    raise AssertionError("a digest time exists within nine days")


def email_due_at(timing: str, now: dt.datetime, window: Window) -> dt.datetime | None:
    if timing == Timing.IMMEDIATELY:
        return after_quiet_hours(now, window)
    if timing == Timing.DAILY:
        return next_digest(now, window, weekly=False)
    if timing == Timing.WEEKLY:
        return next_digest(now, window, weekly=True)
    return None
