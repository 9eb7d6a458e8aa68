"""The arithmetic of grades, in one place: pure functions on unrounded figures, rounded only for display.

Every page and export that shows a quiz grade, an attempt's score or percent, a gradebook cell, a
category, a total or a letter computes it here, so the item page, the "passed" completion rule, the
gradebook and its CSV always agree:

- a question's points are its share of the points, to the cent (`question_points`); an attempt's score
  is the sum of those (`attempt_score`), and the attempt's percent is that score over its maximum;
- a quiz grade is taken from the attempts' unrounded percents by the quiz's grading method (`quiz_grade`);
- a figure is rounded once, half up, to one decimal, for showing (`shown`); a threshold (the
  "passed with at least N %" rule, a letter's lowest percent) is compared with the figure as shown, so
  a learner who sees 70.0 % has reached 70 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


class Outcome(StrEnum):
    RIGHT = "right"
    PARTLY = "partly"
    WRONG = "wrong"
    UNANSWERED = "unanswered"
    MANUAL = "manual"  # waits for a person


# The grading methods (`models.GradingMethod` values; kept as strings so this module needs no ORM).
HIGHEST, LAST, AVERAGE, FIRST = "highest", "last", "average", "first"


def question_points(points: Decimal, fraction: Decimal | None) -> Decimal | None:
    """The points earned on one question (its share of the points, to the cent); None until graded."""
    return None if fraction is None else (points * fraction).quantize(CENT, ROUND_HALF_UP)


def outcome_for(fraction: Decimal) -> Outcome:
    """Right, partly right or wrong, from the share of the points earned."""
    if fraction >= ONE:
        return Outcome.RIGHT
    return Outcome.PARTLY if fraction > ZERO else Outcome.WRONG


def attempt_score(questions: Iterable[tuple[Decimal, Decimal | None]]) -> tuple[Decimal, bool]:
    """An attempt's score from its questions' (points, fraction), and whether any still waits for a person."""
    total, pending = ZERO, False
    for points, fraction in questions:
        earned = question_points(points, fraction)
        if earned is None:
            pending = True
        else:
            total += earned
    return total, pending


def percent(earned: Decimal | None, possible: Decimal | None) -> Decimal | None:
    """`earned` as an unrounded percent of `possible`; None without a score or without points to earn."""
    if earned is None or not possible:
        return None
    return earned * HUNDRED / possible


def quiz_grade(method: str, percents: Sequence[Decimal]) -> Decimal | None:
    """A quiz grade from the graded attempts' unrounded percents (in attempt order), by the grading method."""
    if not percents:
        return None
    if method == LAST:
        return percents[-1]
    if method == FIRST:
        return percents[0]
    if method == AVERAGE:
        return sum(percents, ZERO) / len(percents)
    return max(percents)


def mean_after_dropping(values: Sequence[Decimal], drop: int) -> Decimal | None:
    """The unrounded mean after dropping the `drop` lowest values (at least one always stays)."""
    if not values:
        return None
    kept = sorted(values)[min(max(drop, 0), len(values) - 1) :]
    return sum(kept, ZERO) / len(kept)


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """The unrounded mean of (weight, value) pairs, over those with a value and a positive weight."""
    weighed = [(w, v) for w, v in pairs if v is not None and w > 0]
    total_weight = sum((w for w, _v in weighed), ZERO)
    if not total_weight:
        return None
    return sum((w * v for w, v in weighed), ZERO) / total_weight


def shown(value: Decimal) -> Decimal:
    """A percent as people see it: one decimal, rounded half up (10.05 → 10.1)."""
    return value.quantize(TENTH, ROUND_HALF_UP)


def shown_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else shown(value)


def reaches(value: Decimal | None, threshold: Decimal | int) -> bool:
    """Whether a percent reaches a threshold, compared as shown (70.0 % reaches 70 %, 69.9 % does not)."""
    return value is not None and shown(value) >= Decimal(threshold)


def letters(scheme: Iterable[Sequence[object]]) -> list[tuple[Decimal, str]]:
    """A letter scheme ([[lowest percent, letter], …]) as (bound, letter), highest bound first."""
    return sorted(((Decimal(str(bound)), str(letter)) for bound, letter, *_rest in scheme), reverse=True)


def letter_for(value: Decimal | None, scheme: Sequence[tuple[Decimal, str]]) -> str:
    """The letter of the first bound (highest first) the percent reaches as shown; "" for none or no grade."""
    if value is None:
        return ""
    return next((letter for bound, letter in scheme if reaches(value, bound)), "")
