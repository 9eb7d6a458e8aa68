"""The activity trend indicators (less time, fewer days a week): invariants (hypothesis) and plain words."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cadence.insights.domain import risk, stats
from cadence.insights.domain.risk import Indicator, RiskFacts, RiskSettings

RELAXED = hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
minutes = st.lists(st.integers(min_value=0, max_value=5000), max_size=5)
days = st.lists(st.integers(min_value=0, max_value=7), max_size=5)


def _values(**fields: object) -> dict[Indicator, tuple[float, str]]:
    return risk.indicator_values(RiskFacts(days_inactive=0.5, days_in_course=30, **fields))


@RELAXED
@given(minutes, days)
def test_trend_values_stay_in_their_units_and_speak_only_when_they_fall(m: list[int], d: list[int]) -> None:
    values = _values(weekly_minutes=m, weekly_active_days=d)
    less, less_text = values[Indicator.LESS_TIME]
    fewer, fewer_text = values[Indicator.FEWER_DAYS]
    assert 0 <= less <= 100 and 0 <= fewer <= 7
    assert (less > 0) == bool(less_text) and (fewer > 0) == bool(fewer_text)


@RELAXED
@given(minutes, st.integers(min_value=1, max_value=500))
def test_studying_less_in_the_latest_week_never_lowers_the_score(m: list[int], cut: int) -> None:
    if not m:
        return
    less = [*m[:-1], max(0, m[-1] - cut)]
    before = risk.assess(RiskFacts(days_inactive=0.5, days_in_course=30, weekly_minutes=m)).score
    after = risk.assess(RiskFacts(days_inactive=0.5, days_in_course=30, weekly_minutes=less)).score
    assert after >= before


@RELAXED
@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=3))
def test_steady_or_rising_time_gives_no_trend_reason(m: list[int]) -> None:
    rising = sorted(m)
    assert _values(weekly_minutes=rising)[Indicator.LESS_TIME] == (0.0, "")


def test_a_fall_in_time_and_days_is_told_with_the_weeks_figures() -> None:
    assessed = risk.assess(
        RiskFacts(days_inactive=0.5, days_in_course=21, weekly_minutes=[95, 40, 10], weekly_active_days=[5, 4, 2])
    )
    texts = [r.text for r in assessed.reasons]
    assert "minutes studied per week: 95 → 40 → 10" in texts
    assert "days active per week: 5 → 4 → 2" in texts
    # the busiest earlier week against the latest: (95 - 10) / 95
    assert _values(weekly_minutes=[95, 40, 10])[Indicator.LESS_TIME][0] == 100 * 85 / 95


def test_one_week_alone_has_no_trend() -> None:
    values = _values(weekly_minutes=[0], weekly_active_days=[0])
    assert values[Indicator.LESS_TIME] == (0.0, "") and values[Indicator.FEWER_DAYS] == (0.0, "")


def test_trend_thresholds_out_of_range_are_named() -> None:
    rules = RiskSettings(thresholds={**risk.DEFAULT_THRESHOLDS, Indicator.LESS_TIME: 5, Indicator.FEWER_DAYS: 8})
    errors = risk.settings_errors(rules)
    assert set(errors) == {"threshold_less_time", "threshold_fewer_days"}
    assert "between 10 and 100" in errors["threshold_less_time"]


def test_weekly_activity_counts_whole_weeks_since_joining_oldest_first() -> None:
    today = date(2026, 3, 20)
    daily = [
        (today, 600),
        (today - timedelta(days=1), 60),
        (today - timedelta(days=8), 3000),
        (today - timedelta(days=15), 120),
    ]
    weeks = stats.weekly_activity(daily, today=today, since=today - timedelta(days=20), weeks=3)
    assert [(w.minutes, w.days) for w in weeks] == [(2, 1), (50, 1), (11, 2)]
    joined_late = stats.weekly_activity(daily, today=today, since=today - timedelta(days=10), weeks=3)
    assert [(w.minutes, w.days) for w in joined_late] == [(11, 2)]
