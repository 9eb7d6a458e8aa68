"""The statistical risk model's pure side: features, labels, scoring with fitted coefficients, figures, and
the rule that picks which model a course uses.

No ORM and no scikit-learn: `insights.risk_training` fits the coefficients in the background; scoring a
learner on a request or in the refresh is the arithmetic below.

- Features are the rule model's indicator values (`risk.indicator_values`) and two facts that put the trends
  in context (`observed_values`): active days and minutes in the latest whole week. Each is taken as
  log(1 + value), so a count of days or items weighs by its order of magnitude rather than letting one long
  absence dominate. Days in the course are recorded but not weighed: observations start a week or more
  after joining, and a model that weighs them extrapolates wildly for a learner in their second week.
- The model scores a learner only from `MIN_DAYS_IN_COURSE` days after joining, and is trained and measured
  on such observations only: in a learner's first days everyone looks "inactive since joining" and "quiet",
  and a model asked about them flags a whole new class. Before that the rule model decides.
- A learner's outcome is known once they finished the required work (carried on), or stopped: no activity
  for `STOP_AFTER_DAYS` days while required work remains, or the course ended before they finished. Other
  learners (still going, not finished) have no outcome yet and are left out of training.
- The model is fitted on weekly observations taken while each learner was still going (before they stopped),
  labelled with the learner's outcome: it learns what a learner who will stop looked like beforehand.
- Both models "flag" a learner when their level is high; precision and recall count flagged observations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cadence.insights.domain.risk import Indicator, Level, RiskFacts, indicator_values


class Context(StrEnum):
    """Facts an observation records beside the indicators: how long the learner has been in the course (for
    `in_scope`), and how much they did in the latest whole week (absolute levels; the trends give changes)."""

    DAYS_IN_COURSE = "days_in_course"
    ACTIVE_DAYS_LAST_WEEK = "active_days_last_week"
    MINUTES_LAST_WEEK = "minutes_last_week"


FEATURES: tuple[str, ...] = (
    *(i.value for i in Indicator),
    Context.ACTIVE_DAYS_LAST_WEEK.value,
    Context.MINUTES_LAST_WEEK.value,
)
MIN_DAYS_IN_COURSE = 7  # days after joining from which the model scores a learner and learns from them
STOP_AFTER_DAYS = 14
MIN_LEARNERS = 40  # learners with a known outcome before a course's own model is trained
MIN_PER_CLASS = 8  # of them, at least this many stopped and this many carried on
F1_MARGIN = 0.05  # the statistical model is used only when its held-out F1 beats the rules' by this much
MEDIUM_SHARE = 0.5  # medium from this share of the model's threshold probability


def observed_values(facts: RiskFacts) -> dict[str, float]:
    """What an observation of a learner records, and what the model reads: each indicator's value and the
    context facts, by name."""
    values: dict[str, float] = {i.value: value for i, (value, _text) in indicator_values(facts).items()}
    values[Context.DAYS_IN_COURSE] = facts.days_in_course
    values[Context.ACTIVE_DAYS_LAST_WEEK] = float(facts.weekly_active_days[-1]) if facts.weekly_active_days else 0.0
    values[Context.MINUTES_LAST_WEEK] = float(facts.weekly_minutes[-1]) if facts.weekly_minutes else 0.0
    return values


def in_scope(values: Mapping[str, float]) -> bool:
    """Whether the model may score (or learn from) these values: the learner has been in the course long enough."""
    return float(values.get(Context.DAYS_IN_COURSE, 0.0)) >= MIN_DAYS_IN_COURSE


def feature_vector(values: Mapping[str, float]) -> tuple[float, ...]:
    """The model's inputs, in `FEATURES` order: log(1 + value), missing or negative values as 0."""
    return tuple(math.log1p(max(0.0, float(values.get(name, 0.0)))) for name in FEATURES)


@dataclass(frozen=True)
class FittedModel:
    """A logistic regression as stored: standardise each feature, weigh, add the intercept, squash."""

    feature_names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float  # the probability from which a learner is at high risk

    @classmethod
    def from_stored(cls, stored: Mapping[str, object]) -> FittedModel | None:
        """The model from its JSON form, or None when anything is missing or does not fit together."""
        try:
            model = cls(
                feature_names=tuple(str(n) for n in _items(stored.get("feature_names"))),
                means=_floats(stored.get("means")),
                scales=_floats(stored.get("scales")),
                coefficients=_floats(stored.get("coefficients")),
                intercept=_float(stored.get("intercept")),
                threshold=_float(stored.get("threshold")),
            )
        except ValueError:
            return None
        sizes = {len(model.means), len(model.scales), len(model.coefficients)}
        if model.feature_names != FEATURES or sizes != {len(FEATURES)} or not 0 < model.threshold < 1:
            return None
        return model

    def stored(self) -> dict[str, object]:
        return {
            "feature_names": list(self.feature_names),
            "means": list(self.means),
            "scales": list(self.scales),
            "coefficients": list(self.coefficients),
            "intercept": self.intercept,
            "threshold": self.threshold,
        }


def probability(model: FittedModel, values: Mapping[str, float]) -> float:
    """The model's probability that the learner will stop, from their indicator values."""
    z = model.intercept
    for x, mean, scale, coefficient in zip(
        feature_vector(values), model.means, model.scales, model.coefficients, strict=True
    ):
        z += coefficient * (x - mean) / (scale or 1.0)
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def level_for_probability(model: FittedModel, p: float) -> Level:
    if p >= model.threshold:
        return Level.HIGH
    if p >= model.threshold * MEDIUM_SHARE:
        return Level.MEDIUM
    return Level.LOW


def score_for_probability(p: float) -> int:
    """The 0-100 score shown for the statistical model: the probability in whole percent."""
    return max(0, min(100, math.floor(100 * p + 0.5)))


def _items(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return value


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("not a number")
    return float(value)


def _floats(value: object) -> tuple[float, ...]:
    return tuple(_float(v) for v in _items(value))


# --- Outcomes ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    stopped: bool
    stopped_at: datetime | None = None  # when the learner was last seen going (stopped only)


def outcome(
    *,
    required_count: int,
    required_done: int,
    joined_at: datetime,
    last_active_at: datetime | None,
    course_ends_at: datetime | None,
    now: datetime,
) -> Outcome | None:
    """Stopped, carried on, or None while it is not known yet (still going, or nothing required)."""
    if required_count <= 0:
        return None
    if required_done >= required_count:
        return Outcome(stopped=False)
    last_seen = last_active_at or joined_at
    if now - last_seen >= timedelta(days=STOP_AFTER_DAYS):
        return Outcome(stopped=True, stopped_at=last_seen)
    if course_ends_at is not None and course_ends_at <= now:
        return Outcome(stopped=True, stopped_at=min(last_seen, course_ends_at))
    return None


def observation_counts(observed_at: datetime, known: Outcome) -> bool:
    """Whether an observation teaches the model: taken while the learner was still going."""
    return not known.stopped or (known.stopped_at is not None and observed_at < known.stopped_at)


# --- Figures -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """How a model's flags compare with what happened, on one set of observations."""

    observations: int
    positives: int  # observations of learners who stopped
    flagged: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def stored(self) -> dict[str, float | int]:
        return {
            "observations": self.observations,
            "positives": self.positives,
            "flagged": self.flagged,
            "true_positives": self.true_positives,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }

    @classmethod
    def from_stored(cls, stored: Mapping[str, object]) -> Figures | None:
        try:
            counts = [_float(stored.get(k)) for k in ("observations", "positives", "flagged", "true_positives")]
        except ValueError:
            return None
        observations, positives, flagged, true_positives = (int(c) for c in counts)
        return cls(observations=observations, positives=positives, flagged=flagged, true_positives=true_positives)


def evaluate(flagged: Sequence[bool], stopped: Sequence[bool]) -> Figures:
    """Figures for flags against outcomes, observation by observation."""
    if len(flagged) != len(stopped):
        raise ValueError("one flag per outcome")
    return Figures(
        observations=len(stopped),
        positives=sum(stopped),
        flagged=sum(flagged),
        true_positives=sum(1 for f, s in zip(flagged, stopped, strict=True) if f and s),
    )


# --- Which model a course uses ---------------------------------------------------------------------------
class Why(StrEnum):
    """The reason code behind a course's model: the page words each one."""

    TOO_FEW_LEARNERS = "too_few_learners"  # fewer than MIN_LEARNERS learners with a known outcome
    TOO_FEW_STOPPED = "too_few_stopped"
    TOO_FEW_CARRIED_ON = "too_few_carried_on"
    NOT_BETTER = "not_better"  # trained, but its held-out F1 does not beat the rules' by F1_MARGIN
    BETTER = "better"  # trained, and it beats the rules on held-out learners


class ModelKind(StrEnum):
    RULES = "rules"
    STATISTICAL = "statistical"


def data_shortfall(*, stopped: int, carried_on: int) -> Why | None:
    """Why a course's history is not yet enough to train on, or None when it is."""
    if stopped + carried_on < MIN_LEARNERS:
        return Why.TOO_FEW_LEARNERS
    if stopped < MIN_PER_CLASS:
        return Why.TOO_FEW_STOPPED
    if carried_on < MIN_PER_CLASS:
        return Why.TOO_FEW_CARRIED_ON
    return None


def choose(*, statistical: Figures, rules: Figures) -> tuple[ModelKind, Why]:
    """The documented rule: the statistical model only when its held-out F1 beats the rule model's on the
    same learners by at least `F1_MARGIN`; otherwise the rules, which a teacher can read and adjust."""
    if statistical.f1 >= rules.f1 + F1_MARGIN:
        return ModelKind.STATISTICAL, Why.BETTER
    return ModelKind.RULES, Why.NOT_BETTER
