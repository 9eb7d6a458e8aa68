"""Training each course's statistical risk model on its own history, in the background (never on a request).

`train_course(course=, now=)` reads the course's weekly observations (`RiskObservation`) and each learner's
outcome (from `LearnerStats`, see `domain.risk_model.outcome`), and either records why it cannot train yet
(too few learners with a known outcome, or too few of one kind) or fits a logistic regression with
scikit-learn on most learners and measures it, beside the rule model with the course's current settings,
on the same held-out learners. The split is by learner (all of a learner's weeks fall on one side),
stratified by outcome and seeded, so a rerun on the same history gives the same figures. The result is one
`RiskModel` row of plain JSON (coefficients, intercept, feature names, threshold, figures); the model in use
follows `domain.risk_model.choose`. When the choice changes, the course's learners are scored again.

`fit` is the database-free core; the drop-out simulation in `bench/` calls it too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

import numpy as np
from django.db import transaction
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from cadence.courses.models import Course, Visibility
from cadence.insights import services
from cadence.insights.domain import risk, risk_model
from cadence.insights.models import LearnerStats, RiskModel, RiskObservation

logger = logging.getLogger(__name__)

HELD_OUT_SHARE = 0.3
SEED = 20240601
THRESHOLDS = [t / 100 for t in range(5, 96)]


@dataclass(frozen=True)
class Sample:
    """One observation of one learner, with the learner's outcome."""

    learner: int
    values: Mapping[str, float]  # as `risk_model.observed_values` gives them
    stopped: bool


@dataclass(frozen=True)
class Trained:
    model: risk_model.FittedModel
    statistical: risk_model.Figures  # on the held-out learners
    rules: risk_model.Figures  # the same held-out learners, scored by the rule model
    training_learners: int
    held_out_learners: int


def learner_counts(samples: Sequence[Sample]) -> tuple[int, int]:
    """How many learners (with at least one sample) stopped, and how many carried on."""
    outcomes = {s.learner: s.stopped for s in samples}
    stopped = sum(outcomes.values())
    return stopped, len(outcomes) - stopped


def _best_threshold(probabilities: Sequence[float], stopped: Sequence[bool]) -> float:
    """The probability cut with the best F1 on the training learners (the higher one on a tie)."""
    best, best_f1 = 0.5, -1.0
    for t in THRESHOLDS:
        f1 = risk_model.evaluate([p >= t for p in probabilities], stopped).f1
        if f1 >= best_f1:
            best, best_f1 = t, f1
    return best


def fit(samples: Sequence[Sample], *, rules: risk.RiskSettings, seed: int = SEED) -> Trained:
    """Fit on most learners, measure both models on the rest. Needs at least two learners of each outcome."""
    outcomes = dict(sorted({s.learner: s.stopped for s in samples}.items()))
    train_ids, held_ids = train_test_split(
        list(outcomes), test_size=HELD_OUT_SHARE, stratify=list(outcomes.values()), random_state=seed
    )
    train_set, held_set = set(train_ids), set(held_ids)
    train = [s for s in samples if s.learner in train_set]
    held = [s for s in samples if s.learner in held_set]
    x = np.array([risk_model.feature_vector(s.values) for s in train], dtype=float)
    y = np.array([s.stopped for s in train], dtype=int)
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    classifier = LogisticRegression(class_weight="balanced", max_iter=1000, random_state=seed)
    classifier.fit((x - means) / scales, y)
    unfinished = risk_model.FittedModel(
        feature_names=risk_model.FEATURES,
        means=tuple(float(m) for m in means),
        scales=tuple(float(s) for s in scales),
        coefficients=tuple(float(c) for c in classifier.coef_[0]),
        intercept=float(classifier.intercept_[0]),
        threshold=0.5,
    )
    # Scored by the same arithmetic that scores learners in the refresh, so the figures are the model's own.
    train_p = [risk_model.probability(unfinished, s.values) for s in train]
    model = replace(unfinished, threshold=_best_threshold(train_p, [s.stopped for s in train]))
    stopped = [s.stopped for s in held]
    statistical = [
        risk_model.level_for_probability(model, risk_model.probability(model, s.values)) is risk.Level.HIGH
        for s in held
    ]
    by_rules = [risk.level_for(risk.score_values(s.values, rules), rules) is risk.Level.HIGH for s in held]
    return Trained(
        model=model,
        statistical=risk_model.evaluate(statistical, stopped),
        rules=risk_model.evaluate(by_rules, stopped),
        training_learners=len(train_set),
        held_out_learners=len(held_set),
    )


# --- A course's history ---------------------------------------------------------------------------------
_STORED = frozenset(risk_model.FEATURES) | {c.value for c in risk_model.Context}


def _values(stored: object, *, days_in_course: float) -> dict[str, float]:
    """An observation's stored values by feature name (unknown or unusable entries left out), with the days
    in the course as its dates give them (observations recorded before that fact was stored lack it)."""
    values = {
        k: float(v)
        for k, v in (stored.items() if isinstance(stored, dict) else ())
        if k in _STORED and isinstance(v, int | float) and not isinstance(v, bool)
    }
    values[risk_model.Context.DAYS_IN_COURSE] = days_in_course
    return values


def course_samples(course: Course, *, now: datetime) -> list[Sample]:
    """The course's observations of learners whose outcome is known, taken while they were still going and
    at least `risk_model.MIN_DAYS_IN_COURSE` days after they joined."""
    outcomes: dict[int, risk_model.Outcome] = {}
    joined_at: dict[int, datetime] = {}
    for membership_id, required, done, last_active, joined in LearnerStats.objects.filter(course=course).values_list(
        "membership_id", "required_count", "required_done", "last_active_at", "membership__joined_at"
    ):
        known = risk_model.outcome(
            required_count=required,
            required_done=done,
            joined_at=joined,
            last_active_at=last_active,
            course_ends_at=course.ends_at,
            now=now,
        )
        if known is not None:
            outcomes[membership_id] = known
            joined_at[membership_id] = joined
    samples: list[Sample] = []
    for membership_id, observed_at, values in (
        RiskObservation.objects.filter(course=course, membership_id__in=list(outcomes))
        .order_by("membership_id", "observed_at")
        .values_list("membership_id", "observed_at", "values")
    ):
        known = outcomes[membership_id]
        observed = _values(values, days_in_course=(observed_at - joined_at[membership_id]) / timedelta(days=1))
        if risk_model.observation_counts(observed_at, known) and risk_model.in_scope(observed):
            samples.append(Sample(learner=membership_id, values=observed, stopped=known.stopped))
    return samples


def train_course(*, course: Course, now: datetime) -> RiskModel:
    """Train (or say why not) and store the result; the learners are scored again when the model in use
    changes."""
    rules, _weeks = services.risk_settings_for(course)
    samples = course_samples(course, now=now)
    stopped, carried_on = learner_counts(samples)
    shortfall = risk_model.data_shortfall(stopped=stopped, carried_on=carried_on)
    values: dict[str, object] = {
        "trained_at": now,
        "learners_stopped": stopped,
        "learners_carried_on": carried_on,
        "in_use": risk_model.ModelKind.RULES.value,
        "why": shortfall.value if shortfall else "",
        "fitted": {},
        "figures": {},
    }
    if shortfall is None:
        trained = fit(samples, rules=rules)
        kind, why = risk_model.choose(statistical=trained.statistical, rules=trained.rules)
        values |= {
            "in_use": kind.value,
            "why": why.value,
            "fitted": trained.model.stored(),
            "figures": {
                "statistical": trained.statistical.stored(),
                "rules": trained.rules.stored(),
                "training_learners": trained.training_learners,
                "held_out_learners": trained.held_out_learners,
            },
        }
    else:
        logger.info("risk model of course %s not trained: %s", course.pk, shortfall.value)
    with transaction.atomic():
        before = RiskModel.objects.select_for_update().filter(course=course).values_list("in_use", flat=True).first()
        stored, _created = RiskModel.objects.update_or_create(course=course, defaults=values)
        statistical = stored.in_use == risk_model.ModelKind.STATISTICAL
        if statistical or (before or risk_model.ModelKind.RULES) != stored.in_use:
            # New coefficients, or a new choice: score the learners with them.
            transaction.on_commit(partial(services.refresh_learners, course=course, now=now), robust=True)
    return stored


def train_all(*, now: datetime) -> int:
    """The daily training: every published course with observations. Returns how many courses were looked at."""
    courses = Course.objects.filter(
        visibility=Visibility.PUBLISHED, pk__in=RiskObservation.objects.values("course_id")
    ).order_by("pk")
    trained = 0
    for course in courses.iterator():
        try:
            train_course(course=course, now=now)
            trained += 1
        except Exception:  # one course's failure must not stop the others
            logger.exception("training the risk model of course %s failed", course.pk)
    return trained
