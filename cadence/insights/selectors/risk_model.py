"""What the risk settings page says about the course's statistical model: which model scores its learners and
why, both models' held-out figures and when it was last trained. One query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cadence.courses.models import Course
from cadence.insights.domain import risk_model
from cadence.insights.models import RiskModel


@dataclass(frozen=True)
class ModelStatus:
    in_use: risk_model.ModelKind
    why: str  # a risk_model.Why code, or "" when the course was never trained
    trained_at: datetime | None
    learners_stopped: int
    learners_carried_on: int
    held_out_learners: int
    statistical: risk_model.Figures | None
    rules: risk_model.Figures | None
    min_learners: int = risk_model.MIN_LEARNERS
    min_per_class: int = risk_model.MIN_PER_CLASS
    f1_margin: float = risk_model.F1_MARGIN


def model_status(course: Course) -> ModelStatus:
    stored = RiskModel.objects.filter(course=course).first()
    if stored is None:
        return ModelStatus(risk_model.ModelKind.RULES, "", None, 0, 0, 0, None, None)
    figures = stored.figures if isinstance(stored.figures, dict) else {}

    def read(name: str) -> risk_model.Figures | None:
        value = figures.get(name)
        return risk_model.Figures.from_stored(value) if isinstance(value, dict) else None

    held = figures.get("held_out_learners")
    return ModelStatus(
        in_use=risk_model.ModelKind.STATISTICAL if stored.model() is not None else risk_model.ModelKind.RULES,
        why=stored.why,
        trained_at=stored.trained_at,
        learners_stopped=stored.learners_stopped,
        learners_carried_on=stored.learners_carried_on,
        held_out_learners=held if isinstance(held, int) else 0,
        statistical=read("statistical"),
        rules=read("rules"),
    )
