"""Readiness rules on values: status, the cutoff in each learner's zone, and what a check-in may say."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadence.insights.domain import readiness
from cadence.insights.domain.readiness import Status


@pytest.mark.parametrize(
    ("done", "total", "opened", "expected"),
    [
        (3, 3, True, Status.READY),
        (0, 0, False, Status.READY),  # nothing to prepare
        (1, 3, True, Status.PARTLY),
        (0, 3, True, Status.PARTLY),  # opened something, finished nothing: started, so not "not started"
        (0, 3, False, Status.NOT_STARTED),
    ],
)
def test_status_follows_items_done_and_opened(done: int, total: int, opened: bool, expected: Status) -> None:
    assert readiness.status(done=done, total=total, opened=opened) is expected


@given(st.integers(0, 50), st.integers(0, 50), st.booleans())
def test_only_every_item_done_is_ready(done: int, total: int, opened: bool) -> None:
    assert (readiness.status(done=min(done, total), total=total, opened=opened) is Status.READY) == (done >= total)


def test_the_cutoff_is_the_end_of_the_session_day_in_the_learners_zone() -> None:
    day = date(2025, 3, 14)
    assert readiness.cutoff(day, "UTC") == datetime(2025, 3, 14, 23, 59, 59, tzinfo=UTC)
    # Auckland is 13 hours ahead in March: its day ends 13 hours before London's (UTC then).
    assert readiness.cutoff(day, "Pacific/Auckland").astimezone(UTC) == datetime(2025, 3, 14, 10, 59, 59, tzinfo=UTC)


def test_the_default_session_is_a_week_from_today() -> None:
    assert readiness.default_session_date(date(2025, 12, 29)) == date(2026, 1, 5)


def test_counts_name_every_status_with_those_who_need_the_teacher_first() -> None:
    counts = readiness.counts([Status.READY, Status.NOT_STARTED, Status.READY])
    assert list(counts.items()) == [(Status.NOT_STARTED, 1), (Status.PARTLY, 0), (Status.READY, 2)]


def _text(**changes: object) -> str:
    values: dict[str, object] = {
        "name": "Ada",
        "module": "Week 2: spread",
        "session_day": "Thursday 20 March 2025",
        "zone": "Pacific/Auckland",
        "done": 1,
        "total": 3,
        "opened": True,
        "missing": ["Variance", "Quiz on spread"],
    }
    return readiness.check_in_text(**(values | changes))


def test_the_check_in_names_module_day_zone_and_what_is_still_to_do() -> None:
    text = _text()
    assert "Hi Ada" in text
    assert "“Week 2: spread”" in text
    assert "Thursday 20 March 2025" in text
    assert "Pacific/Auckland time" in text
    assert "So far you have done 1 of its 3 items." in text
    assert "Still to do: “Variance”, “Quiz on spread”" in text


def test_the_check_in_says_not_opened_only_of_someone_who_opened_nothing() -> None:
    assert "have not opened it yet" in _text(done=0, opened=False)
    opened_only = _text(done=0, opened=True)
    assert "not opened" not in opened_only
    assert "no item is done yet" in opened_only
    assert "not opened" not in _text(done=2, opened=True)


def test_a_long_list_of_missing_items_is_cut_with_how_many_more() -> None:
    titles = [f"Reading {n}" for n in range(14)]
    text = _text(done=0, total=14, missing=titles)
    assert "“Reading 9”" in text
    assert "Reading 10" not in text
    assert "and 4 more items" in text
