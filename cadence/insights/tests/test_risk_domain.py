"""The transparent risk rule model: invariants (hypothesis) and reasons in plain words with real numbers."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cadence.insights.domain import risk
from cadence.insights.domain.risk import Indicator, Level, RiskFacts, RiskSettings, assess

D = Decimal
QUIET_FACTS = RiskFacts(days_inactive=0.01, days_in_course=3, has_posted_or_asked=True)

facts = st.builds(
    RiskFacts,
    days_inactive=st.one_of(st.none(), st.floats(min_value=0, max_value=400)),
    days_in_course=st.floats(min_value=0, max_value=400),
    overdue=st.integers(min_value=0, max_value=60),
    days_behind=st.floats(min_value=0, max_value=400),
    recent_scores=st.lists(st.decimals(min_value=0, max_value=100, places=1), max_size=6).map(tuple),
    has_posted_or_asked=st.booleans(),
    final_hour_streak=st.integers(min_value=0, max_value=25),
)
weights = st.fixed_dictionaries({i: st.integers(min_value=0, max_value=10) for i in Indicator})
thresholds = st.fixed_dictionaries(
    {i: st.integers(min_value=risk.THRESHOLD_BOUNDS[i].low, max_value=risk.THRESHOLD_BOUNDS[i].high) for i in Indicator}
)
settings = st.builds(RiskSettings, weights=weights, thresholds=thresholds)

# Plain arithmetic, but the machine running the suite may be busy: no timing health checks.
RELAXED = hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(facts, st.integers(min_value=0, max_value=60), settings)
def test_more_overdue_never_lowers_the_score(base: RiskFacts, extra: int, rules: RiskSettings) -> None:
    assert assess(replace(base, overdue=base.overdue + extra), rules).score >= assess(base, rules).score


@RELAXED
@given(facts, st.floats(min_value=0, max_value=100), settings)
def test_longer_inactivity_never_lowers_the_score(base: RiskFacts, extra: float, rules: RiskSettings) -> None:
    if base.days_inactive is None:
        return
    later = replace(base, days_inactive=base.days_inactive + extra)
    assert assess(later, rules).score >= assess(base, rules).score


@RELAXED
@given(settings)
def test_no_indicator_firing_means_score_zero_and_no_reasons(rules: RiskSettings) -> None:
    result = assess(QUIET_FACTS, rules)
    assert result.score == 0
    assert result.reasons == ()
    assert result.level is Level.LOW


@RELAXED
@given(facts, settings)
def test_reasons_only_for_indicators_that_fired_and_score_in_range(base: RiskFacts, rules: RiskSettings) -> None:
    result = assess(base, rules)
    assert 0 <= result.score <= 100
    values = risk.indicator_values(base)
    for reason in result.reasons:
        value, _text = values[reason.indicator]
        assert value >= rules.thresholds[reason.indicator]
        assert rules.weights[reason.indicator] > 0
    fired = {i for i, (value, _t) in values.items() if value >= rules.thresholds[i] and rules.weights[i] > 0}
    assert {r.indicator for r in result.reasons} == fired
    assert (result.score > 0) == bool(fired)


def test_reasons_state_real_numbers() -> None:
    result = assess(
        RiskFacts(
            days_inactive=9.4,
            days_in_course=40,
            overdue=2,
            days_behind=23,
            recent_scores=(D("82"), D("70"), D("55")),
            has_posted_or_asked=False,
            final_hour_streak=4,
            weekly_minutes=(95, 40, 10),
            weekly_active_days=(5, 4, 2),
        )
    )
    texts = {r.indicator: r.text for r in result.reasons}
    assert texts == {
        Indicator.INACTIVE: "no activity for 9 days",
        Indicator.OVERDUE: "2 items overdue",
        Indicator.BEHIND: "3 weeks behind pace",
        Indicator.FALLING: "scores falling: 82 % → 55 %",
        Indicator.QUIET: "never posted or asked in 40 days in the course",
        Indicator.LAST_MINUTE: "last 4 submissions in the final hour",
        Indicator.LESS_TIME: "minutes studied per week: 95 → 40 → 10",
        Indicator.FEWER_DAYS: "days active per week: 5 → 4 → 2",
    }
    assert result.level is Level.HIGH
    assert result.score >= risk.DEFAULT_HIGH_AT


def test_a_learner_active_ten_minutes_ago_is_never_inactive() -> None:
    result = assess(RiskFacts(days_inactive=10 / 1440, days_in_course=60, has_posted_or_asked=True))
    assert result.reasons == ()


def test_a_learner_never_active_is_inactive_since_joining_only_after_the_threshold() -> None:
    assert assess(RiskFacts(days_inactive=None, days_in_course=3, has_posted_or_asked=True)).reasons == ()
    reasons = assess(RiskFacts(days_inactive=None, days_in_course=12, has_posted_or_asked=True)).reasons
    assert [r.text for r in reasons] == ["no activity since joining 12 days ago"]


def test_one_score_or_rising_scores_are_not_falling() -> None:
    assert assess(replace(QUIET_FACTS, recent_scores=(D("40"),))).reasons == ()
    assert assess(replace(QUIET_FACTS, recent_scores=(D("40"), D("90")))).reasons == ()


def test_a_few_days_behind_say_days_not_weeks() -> None:
    reasons = assess(replace(QUIET_FACTS, days_behind=10.7)).reasons
    assert [r.text for r in reasons] == ["10 days behind pace"]


def test_weight_zero_turns_an_indicator_off() -> None:
    rules = RiskSettings(weights={**risk.DEFAULT_WEIGHTS, Indicator.OVERDUE: 0})
    assert assess(replace(QUIET_FACTS, overdue=5), rules).reasons == ()


def test_levels_follow_the_settings() -> None:
    rules = RiskSettings(medium_at=10, high_at=20)
    assert risk.level_for(9, rules) is Level.LOW
    assert risk.level_for(10, rules) is Level.MEDIUM
    assert risk.level_for(20, rules) is Level.HIGH


def test_out_of_range_settings_are_named() -> None:
    rules = RiskSettings(
        weights={**risk.DEFAULT_WEIGHTS, Indicator.INACTIVE: 11},
        thresholds={**risk.DEFAULT_THRESHOLDS, Indicator.OVERDUE: 0},
        medium_at=60,
        high_at=50,
    )
    errors = risk.settings_errors(rules)
    assert set(errors) == {"weight_inactive", "threshold_overdue", "high_at"}
    assert "between 0 and 10" in errors["weight_inactive"]
    assert risk.settings_errors(RiskSettings()) == {}


def test_stored_settings_fall_back_to_defaults() -> None:
    rules = RiskSettings.from_stored({"overdue": 5, "inactive": "x"}, {}, 25, 50)
    assert rules.weights[Indicator.OVERDUE] == 5
    assert rules.weights[Indicator.INACTIVE] == risk.DEFAULT_WEIGHTS[Indicator.INACTIVE]
    assert rules.thresholds == risk.DEFAULT_THRESHOLDS
