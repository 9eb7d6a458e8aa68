"""Digest times and quiet hours in the recipient's own zone, across midnight and daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadence.notifications import schedule
from cadence.notifications.models import Timing

PARIS = ZoneInfo("Europe/Paris")
AUCKLAND = ZoneInfo("Pacific/Auckland")
# hypothesis takes naive bounds and attaches the zone itself
EARLIEST = dt.datetime(2020, 1, 1)  # noqa: DTZ001
LATEST = dt.datetime(2035, 1, 1)  # noqa: DTZ001


def window(
    zone: ZoneInfo = PARIS, quiet: tuple[int, int] | None = (21, 7), digest: int = 17, day: int = 4
) -> schedule.Window:
    return schedule.Window(
        zone=zone,
        quiet_start=dt.time(quiet[0]) if quiet else None,
        quiet_end=dt.time(quiet[1]) if quiet else None,
        digest_time=dt.time(digest),
        weekly_day=day,
    )


def local(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)


def test_immediate_outside_quiet_hours_is_now() -> None:
    now = local(PARIS, 2026, 11, 24, 12, 0)
    assert schedule.email_due_at(Timing.IMMEDIATELY, now, window()) == now


@pytest.mark.parametrize("hour", [21, 23, 0, 3, 6])
def test_immediate_during_quiet_hours_waits_for_their_end(hour: int) -> None:
    day = 24 if hour >= 21 else 25
    now = local(PARIS, 2026, 11, day, hour, 30)
    assert schedule.email_due_at(Timing.IMMEDIATELY, now, window()) == local(PARIS, 2026, 11, 25, 7, 0)


def test_quiet_hours_within_a_day() -> None:
    now = local(PARIS, 2026, 11, 24, 13, 15)
    assert schedule.email_due_at(Timing.IMMEDIATELY, now, window(quiet=(12, 14))) == local(PARIS, 2026, 11, 24, 14)


def test_no_quiet_hours() -> None:
    now = local(PARIS, 2026, 11, 24, 2, 0)
    assert schedule.email_due_at(Timing.IMMEDIATELY, now, window(quiet=None)) == now


def test_daily_digest_is_the_next_digest_time() -> None:
    assert schedule.email_due_at(Timing.DAILY, local(PARIS, 2026, 11, 24, 9), window()) == local(
        PARIS, 2026, 11, 24, 17
    )
    assert schedule.email_due_at(Timing.DAILY, local(PARIS, 2026, 11, 24, 17), window()) == local(
        PARIS, 2026, 11, 25, 17
    )


def test_weekly_digest_on_the_chosen_day() -> None:
    # 2026-11-24 is a Tuesday; day 4 is Friday.
    due = schedule.email_due_at(Timing.WEEKLY, local(PARIS, 2026, 11, 24, 9), window())
    assert due == local(PARIS, 2026, 11, 27, 17)
    assert due is not None and due.astimezone(PARIS).weekday() == 4


def test_off_is_never_emailed() -> None:
    assert schedule.email_due_at(Timing.OFF, local(PARIS, 2026, 11, 24, 9), window()) is None


def test_digest_inside_quiet_hours_waits_for_their_end() -> None:
    due = schedule.email_due_at(Timing.DAILY, local(PARIS, 2026, 11, 24, 9), window(digest=22))
    assert due == local(PARIS, 2026, 11, 25, 7)


def test_digest_time_follows_daylight_saving_change() -> None:
    # Paris leaves summer time on 2026-10-25: 17:00 local is 15:00 UTC before and 16:00 UTC after.
    before = schedule.email_due_at(Timing.DAILY, dt.datetime(2026, 10, 24, 10, tzinfo=dt.UTC), window())
    after = schedule.email_due_at(Timing.DAILY, dt.datetime(2026, 10, 25, 10, tzinfo=dt.UTC), window())
    assert before == dt.datetime(2026, 10, 24, 15, tzinfo=dt.UTC)
    assert after == dt.datetime(2026, 10, 25, 16, tzinfo=dt.UTC)


def test_a_skipped_wall_time_moves_forward() -> None:
    # Paris skips 02:00-03:00 on 2026-03-29; a 02:30 digest that night still comes, an hour later.
    due = schedule.email_due_at(Timing.DAILY, dt.datetime(2026, 3, 28, 23, tzinfo=dt.UTC), window(quiet=None, digest=2))
    assert due is not None
    assert due.astimezone(PARIS).date() == dt.date(2026, 3, 29)


def test_zones_far_from_utc() -> None:
    now = dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC)  # 18:00 in Auckland (UTC+13)
    assert schedule.email_due_at(Timing.IMMEDIATELY, now, window(AUCKLAND)) == now
    assert schedule.email_due_at(Timing.DAILY, now, window(AUCKLAND)) == local(AUCKLAND, 2026, 11, 25, 17)


@given(
    instant=st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(dt.UTC)),
    zone=st.sampled_from([PARIS, AUCKLAND, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]),
    timing=st.sampled_from([Timing.IMMEDIATELY, Timing.DAILY, Timing.WEEKLY]),
)
def test_due_is_never_before_now_nor_in_quiet_hours(instant: dt.datetime, zone: ZoneInfo, timing: str) -> None:
    win = window(zone)
    due = schedule.email_due_at(timing, instant, win)
    assert due is not None and due >= instant
    assert not schedule.in_quiet_hours(due, win)
    assert due - instant <= dt.timedelta(days=8)
