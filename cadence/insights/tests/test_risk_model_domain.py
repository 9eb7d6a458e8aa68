"""The statistical model's pure side: features, outcomes, scoring with stored coefficients, figures and the
rule that picks the model in use (hypothesis for the invariants)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cadence.insights.domain import risk, risk_model
from cadence.insights.domain.risk import Indicator, Level
from cadence.insights.domain.risk_model import Figures, FittedModel, ModelKind, Why

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
DAY = timedelta(days=1)
RELAXED = hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # 2 shared cores
FEATURES = risk_model.FEATURES
values_st = st.fixed_dictionaries({f: st.floats(min_value=0, max_value=400, allow_nan=False) for f in FEATURES})
model_st = st.builds(
    FittedModel,
    feature_names=st.just(FEATURES),
    means=st.tuples(*[st.floats(-3, 3) for _ in FEATURES]),
    scales=st.tuples(*[st.floats(0.1, 3) for _ in FEATURES]),
    coefficients=st.tuples(*[st.floats(-50, 50) for _ in FEATURES]),
    intercept=st.floats(-50, 50),
    threshold=st.floats(0.01, 0.99),
)


@RELAXED
@given(values=values_st, model=model_st)
def test_a_probability_is_between_0_and_1_and_its_level_follows_the_threshold(values, model) -> None:
    p = risk_model.probability(model, values)
    assert 0.0 <= p <= 1.0
    assert 0 <= risk_model.score_for_probability(p) <= 100
    level = risk_model.level_for_probability(model, p)
    assert (level is Level.HIGH) == (p >= model.threshold)


@RELAXED
@given(values=values_st, model=model_st, indicator=st.sampled_from(FEATURES), more=st.floats(0.5, 100))
def test_more_of_an_indicator_with_a_positive_coefficient_never_lowers_the_probability(
    values, model, indicator, more
) -> None:
    position = FEATURES.index(indicator)
    coefficients = list(model.coefficients)
    coefficients[position] = abs(coefficients[position])
    positive = FittedModel(**{**model.__dict__, "coefficients": tuple(coefficients)})
    higher = {**values, indicator: values[indicator] + more}
    assert risk_model.probability(positive, higher) >= risk_model.probability(positive, values) - 1e-12


@RELAXED
@given(values=values_st)
def test_features_are_log_one_plus_each_indicator_and_context_fact_in_a_fixed_order(values) -> None:
    features = risk_model.feature_vector(values)
    assert len(features) == len(Indicator) + 2
    assert all(f >= 0 for f in features)
    assert features[0] == pytest.approx(math.log1p(values[Indicator.INACTIVE]))
    assert features[-1] == pytest.approx(math.log1p(values[risk_model.Context.MINUTES_LAST_WEEK]))


def test_an_observation_records_the_indicators_and_the_latest_week_and_days_in_the_course() -> None:
    facts = risk.RiskFacts(
        days_inactive=2.0, days_in_course=16.5, weekly_minutes=(120, 45), weekly_active_days=(5, 2), overdue=1
    )
    values = risk_model.observed_values(facts)
    assert values[Indicator.INACTIVE] == 2.0 and values[Indicator.OVERDUE] == 1.0
    assert values[Indicator.LESS_TIME] == pytest.approx(62.5)  # 120 → 45
    assert values["days_in_course"] == 16.5
    assert (values["active_days_last_week"], values["minutes_last_week"]) == (2.0, 45.0)
    assert risk_model.in_scope(values)
    fresh = risk_model.observed_values(risk.RiskFacts(days_inactive=None, days_in_course=3.0))
    assert (fresh["active_days_last_week"], fresh["minutes_last_week"]) == (0.0, 0.0)
    assert not risk_model.in_scope(fresh)  # the model does not score a learner in their first week


def test_a_fitted_model_survives_its_json_form_and_a_damaged_one_is_refused() -> None:
    model = FittedModel(
        feature_names=FEATURES,
        means=(0.1,) * len(FEATURES),
        scales=(1.0,) * len(FEATURES),
        coefficients=(0.5, 0.2, 0.1, 0.0, -0.1, 0.3, 0.4, 0.2, -0.3, -0.2),
        intercept=-1.5,
        threshold=0.4,
    )
    assert FittedModel.from_stored(model.stored()) == model
    assert FittedModel.from_stored({**model.stored(), "coefficients": [1.0]}) is None
    assert FittedModel.from_stored({**model.stored(), "feature_names": ["inactive"]}) is None
    # a model stored before the context facts were features is not applied (the rules decide until retrained)
    old = [i.value for i in Indicator]
    assert FittedModel.from_stored({**model.stored(), "feature_names": old, "means": [0.1] * len(old)}) is None
    assert FittedModel.from_stored({**model.stored(), "threshold": 1.5}) is None
    assert FittedModel.from_stored({**model.stored(), "intercept": "x"}) is None
    assert FittedModel.from_stored({}) is None


@RELAXED
@given(
    required=st.integers(0, 30),
    done=st.integers(0, 30),
    days_since_join=st.floats(0, 200),
    days_since_active=st.none() | st.floats(0, 200),
    ends_in=st.none() | st.floats(-100, 100),
)
def test_an_outcome_is_known_only_when_the_learner_finished_stopped_or_the_course_ended(
    required, done, days_since_join, days_since_active, ends_in
) -> None:
    joined = NOW - days_since_join * DAY
    last_active = None if days_since_active is None else max(joined, NOW - days_since_active * DAY)
    ends = None if ends_in is None else NOW + ends_in * DAY
    known = risk_model.outcome(
        required_count=required, required_done=done, joined_at=joined, last_active_at=last_active,
        course_ends_at=ends, now=NOW,
    )  # fmt: skip
    last_seen = last_active or joined
    if required == 0:
        assert known is None
    elif done >= required:
        assert known == risk_model.Outcome(stopped=False)
    elif NOW - last_seen >= timedelta(days=risk_model.STOP_AFTER_DAYS) or (ends is not None and ends <= NOW):
        assert known is not None and known.stopped
        assert known.stopped_at is not None and known.stopped_at <= NOW and known.stopped_at <= last_seen
    else:
        assert known is None  # still going: not known yet


def test_only_observations_taken_before_a_learner_stopped_teach_the_model() -> None:
    stopped = risk_model.Outcome(stopped=True, stopped_at=NOW)
    assert risk_model.observation_counts(NOW - DAY, stopped)
    assert not risk_model.observation_counts(NOW + DAY, stopped)
    assert risk_model.observation_counts(NOW + 30 * DAY, risk_model.Outcome(stopped=False))


@RELAXED
@given(pairs=st.lists(st.tuples(st.booleans(), st.booleans()), max_size=60))
def test_figures_count_flags_against_outcomes(pairs) -> None:
    figures = risk_model.evaluate([f for f, _ in pairs], [s for _, s in pairs])
    assert figures.true_positives <= min(figures.flagged, figures.positives)
    assert 0 <= figures.precision <= 1 and 0 <= figures.recall <= 1 and 0 <= figures.f1 <= 1
    assert Figures.from_stored(figures.stored()) == figures


def test_precision_recall_and_f1_of_a_known_case() -> None:
    figures = risk_model.evaluate([True, True, False, False, True], [True, False, True, False, True])
    assert (figures.precision, figures.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert figures.f1 == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("stopped", "carried_on", "why"),
    [
        (10, 29, Why.TOO_FEW_LEARNERS),
        (7, 40, Why.TOO_FEW_STOPPED),
        (40, 7, Why.TOO_FEW_CARRIED_ON),
        (8, 32, None),
    ],
)
def test_training_needs_forty_learners_with_eight_of_each_outcome(stopped, carried_on, why) -> None:
    assert risk_model.data_shortfall(stopped=stopped, carried_on=carried_on) == why


def test_the_statistical_model_is_used_only_when_it_beats_the_rules_by_the_margin() -> None:
    rules = Figures(observations=100, positives=20, flagged=20, true_positives=10)  # F1 0.5
    close = Figures(observations=100, positives=20, flagged=20, true_positives=10)
    better = Figures(observations=100, positives=20, flagged=20, true_positives=14)  # F1 0.7
    assert risk_model.choose(statistical=close, rules=rules) == (ModelKind.RULES, Why.NOT_BETTER)
    assert risk_model.choose(statistical=better, rules=rules) == (ModelKind.STATISTICAL, Why.BETTER)


@RELAXED
@given(values=values_st)
def test_the_rule_score_of_values_is_the_score_assess_gives(values) -> None:
    facts = risk.RiskFacts(days_inactive=values[Indicator.INACTIVE], days_in_course=values[Indicator.INACTIVE])
    described = {i: v for i, (v, _t) in risk.indicator_values(facts).items()}
    assert risk.score_values(described) == risk.assess(facts).score
