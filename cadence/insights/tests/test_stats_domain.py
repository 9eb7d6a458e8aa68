"""Pace, overdue work and last-minute habits on constructed histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cadence.insights.domain.stats import (
    PaceStatus,
    final_hour_streak,
    overdue,
    pace,
    progress_percent,
    targets,
)

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)

# Plain arithmetic, but the machine running the suite may be busy: no timing health checks.
RELAXED = hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_behind_counts_items_and_days_since_the_first_missed_target() -> None:
    due = [NOW - 21 * DAY, NOW - 14 * DAY, NOW - 7 * DAY, NOW + 7 * DAY]
    result = pace(due, done=1, now=NOW)
    assert result.status is PaceStatus.BEHIND
    assert result.items == 2
    assert result.days == 14
    assert result.days_behind == 14


def test_an_item_due_an_hour_ago_does_not_make_anyone_behind() -> None:
    assert pace([NOW - timedelta(hours=1)], done=0, now=NOW).status is PaceStatus.ON_TRACK


def test_ahead_counts_items_and_days_until_the_last_done_target() -> None:
    due = [NOW - 7 * DAY, NOW + 3 * DAY, NOW + 10 * DAY]
    result = pace(due, done=3, now=NOW)
    assert (result.status, result.items, result.days) == (PaceStatus.AHEAD, 2, 10)
    assert result.days_behind == 0


def test_on_track_and_no_schedule() -> None:
    assert pace([NOW - DAY * 2, NOW + DAY], done=1, now=NOW).status is PaceStatus.ON_TRACK
    assert pace([None, None], done=0, now=NOW).status is PaceStatus.UNKNOWN


def test_items_without_deadlines_are_spread_over_the_window() -> None:
    start = NOW - 10 * DAY
    result = targets([None, None, NOW + DAY, None, None], window_start=start, window_end=start + 10 * DAY)
    assert result == [start + 2 * DAY, start + 4 * DAY, NOW + DAY, start + 8 * DAY, start + 10 * DAY]
    assert targets([None], window_start=None, window_end=None) == [None]


def test_self_paced_learner_who_joined_late_is_measured_from_joining() -> None:
    joined = NOW - 7 * DAY  # planned: 4 items over 4 weeks from joining: one a week
    schedule = targets([None] * 4, window_start=joined, window_end=joined + 28 * DAY)
    assert pace(schedule, done=1, now=NOW).status is PaceStatus.ON_TRACK
    assert pace(schedule, done=0, now=NOW + 2 * DAY).status is PaceStatus.BEHIND


@RELAXED
@given(st.lists(st.integers(min_value=-60, max_value=60), max_size=12), st.integers(min_value=0, max_value=12))
def test_doing_more_never_puts_a_learner_further_behind(offsets: list[int], done: int) -> None:
    due = [NOW + d * DAY for d in offsets]
    now_behind = pace(due, done=done, now=NOW).days_behind
    assert pace(due, done=done + 1, now=NOW).days_behind <= now_behind


def test_overdue_counts_past_deadlines_not_done() -> None:
    deadlines = {1: NOW - DAY, 2: NOW - DAY, 3: NOW + DAY}
    assert overdue(deadlines, done={2}, now=NOW) == 1
    assert overdue({}, done=set(), now=NOW) == 0


def test_final_hour_streak_counts_the_latest_submissions_until_one_was_early() -> None:
    d = NOW
    history = [
        (d - timedelta(minutes=5), d),
        (d - timedelta(minutes=59), d),
        (d - DAY, None),  # no deadline: skipped
        (d - timedelta(minutes=30), d),
        (d - timedelta(hours=5), d),  # early: the streak ends
        (d - timedelta(minutes=1), d),
    ]
    assert final_hour_streak(history) == 3
    assert final_hour_streak([(d + timedelta(minutes=1), d)]) == 0  # late is not "in the final hour"


def test_progress_percent_rounds_down() -> None:
    assert progress_percent(2, 3) == 66
    assert progress_percent(0, 0) == 0
    assert progress_percent(3, 3) == 100
