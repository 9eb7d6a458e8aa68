"""Item analysis read from the database: each learner's first submitted attempt, in one query whatever their
number, fed to `assessment.domain.item_analysis`."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from cadence.assessment.domain import scores
from cadence.assessment.domain.definitions import QuestionDef
from cadence.assessment.domain.item_analysis import AttemptRow, QuizAnalysis, analyse
from cadence.assessment.models import AttemptQuestion, AttemptState, Quiz


def quiz_analysis(quiz: Quiz) -> QuizAnalysis:
    """Item analysis of a quiz's submitted attempts (each learner's first one counts)."""
    return analyse(*_first_attempts(quiz))


def _first_attempts(quiz: Quiz) -> tuple[dict[int, list[AttemptRow]], list[float]]:
    """Each learner's first submitted attempt's questions (by attempt id) and the fully graded ones' percents."""
    values = (
        AttemptQuestion.objects.filter(attempt__quiz=quiz, attempt__state=AttemptState.SUBMITTED)
        .order_by("attempt__user_id", "attempt__number", "position")
        .values(
            "attempt_id", "attempt__user_id", "attempt__score", "attempt__max_score", "attempt__needs_grading",
            "position", "question_id", "definition", "response", "fraction", "points",
        )
    )  # fmt: skip
    first: dict[int, int] = {}  # learner → attempt counted
    rows: dict[int, list[AttemptRow]] = defaultdict(list)
    percents: list[float] = []
    for v in values:
        attempt_id = first.setdefault(v["attempt__user_id"], v["attempt_id"])
        if attempt_id != v["attempt_id"]:
            continue  # a later attempt
        percent = _percent(v["attempt__score"], v["attempt__max_score"], needs_grading=v["attempt__needs_grading"])
        if percent is not None and not rows[attempt_id]:  # the attempt's own fields: taken once, from its first row
            percents.append(percent)
        rows[attempt_id].append(
            AttemptRow(
                position=v["position"],
                question_id=v["question_id"],
                definition=QuestionDef.from_json(v["definition"]),
                response=v["response"],
                fraction=v["fraction"],
                points=v["points"],
            )
        )
    return rows, percents


def _percent(score: Decimal | None, max_score: Decimal, *, needs_grading: bool) -> float | None:
    """An attempt's percent; None while an essay waits (its score leaves the essay out) or with no points."""
    percent = None if needs_grading else scores.percent(score, max_score)
    return None if percent is None else float(percent)
