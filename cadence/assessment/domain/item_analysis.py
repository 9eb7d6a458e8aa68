"""Item analysis of a quiz (classical test theory): how hard each question is, how well it separates
stronger learners from weaker ones, how its options were chosen, and whether its key looks wrong.

The statistics are pure functions of numbers and answers. `assessment.selectors.quiz_analysis` reads the
attempts in one query and feeds them to `analyse`.
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType

# scoring's own reading of an answer, so counts match grades
from cadence.assessment.domain.scoring import Graded, Outcome, grade, normalise_text, option_index
from cadence.core.text import excerpt

CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.TRUE_FALSE, QuestionType.MULTIPLE})
TYPED_TYPES = frozenset({QuestionType.SHORT, QuestionType.NUMERIC})
MIN_CORRELATED = 3  # with two learners r is always ±1 (or undefined): it says nothing
MIN_FLAGGED = 10  # below this a miskey flag would mostly be noise
MISKEY_DISCRIMINATION = -0.1
TOP_TYPED_ANSWERS = 5
TITLE_CHARS = 80
OPTION_CHARS = 40

Response = Mapping[str, Any]
GroupKey = int | tuple[int, str]  # a bank question's id, else the snapshot's (position, text)


# --- Pure statistics ---------------------------------------------------------------------------------------
def facility(fractions: Sequence[float]) -> float | None:
    """Facility (the p-value): the mean credit, p = Σfᵢ / n. Near 1 the question is easy; None with no answers."""
    return statistics.fmean(fractions) if fractions else None


def point_biserial(item_scores: Sequence[float], rest_scores: Sequence[float]) -> float | None:
    """Discrimination: Pearson's r between the credit on a question (x) and the score on the rest of the quiz (y),

        r = Σ(xᵢ − x̄)(yᵢ − ȳ) / √(Σ(xᵢ − x̄)² · Σ(yᵢ − ȳ)²),

    which for right/wrong credit is the point-biserial correlation. The rest of the quiz, not the total,
    is used (the corrected item-total) so the question does not correlate with itself, which would flatter
    every question on a short quiz. None with fewer than three learners or when either side is constant.
    """
    if len(item_scores) != len(rest_scores):
        raise ValueError("Give one item score and one rest score per learner.")
    # Constant inputs are caught exactly here: a float variance can come out a hair above zero.
    if len(item_scores) < MIN_CORRELATED or len(set(item_scores)) < 2 or len(set(rest_scores)) < 2:
        return None
    try:
        r = statistics.correlation(item_scores, rest_scores)
    except statistics.StatisticsError:  # spreads so small their squares underflow to zero
        return None
    return max(-1.0, min(1.0, r))  # rounding can step just past ±1


@dataclass(frozen=True)
class Answer:
    """One learner's answer to one question, as the statistics need it."""

    definition: QuestionDef  # the attempt's snapshot: the response's indices refer to its options
    response: Response | None
    fraction: float | None  # None: an essay waiting for a person
    rest_score: float | None  # share of the points earned on the rest of the quiz; None if nothing else is graded


@dataclass(frozen=True)
class OptionCount:
    """One row of a distribution: an option (or a typed answer), whether it earns credit, and how many chose it."""

    text: str
    is_right: bool  # its credit is above 0
    count: int
    share: float  # of everyone asked the question, answered or not


@dataclass(frozen=True)
class Distribution:
    rows: tuple[OptionCount, ...]
    unanswered: int


def option_distribution(answers: Sequence[Answer]) -> Distribution:
    """How many answers chose each option, plus how many were left unanswered; share = count / len(answers).

    Choice questions (single, true/false, multiple) list every option in the definition's order (never
    the shuffled order shown); a multiple-response learner counts once per option chosen, so shares may add
    up to more than 1. Short and numeric questions list the commonest normalised typed answers. Other types
    only count the unanswered. Each response is read against its own snapshot and rows are keyed by text and
    rightness, so a question edited in the bank between attempts still adds up (a changed key shows as two rows).
    """
    if not answers:
        return Distribution((), 0)
    counts: Counter[tuple[str, bool]] = Counter()
    unanswered = 0
    for answer in answers:
        graded = grade(answer.definition, answer.response)
        if graded.outcome == Outcome.UNANSWERED:
            unanswered += 1
        else:
            counts.update(_chosen_keys(answer.definition, answer.response or {}, graded))
    keys = _row_keys(answers, counts)
    total = len(answers)
    return Distribution(
        tuple(OptionCount(t, right, counts[t, right], counts[t, right] / total) for t, right in keys), unanswered
    )


def _option_key(option: Option) -> tuple[str, bool]:
    return option.text, option.fraction > 0


def _chosen_keys(definition: QuestionDef, response: Response, graded: Graded) -> list[tuple[str, bool]]:
    if definition.qtype in CHOICE_TYPES:
        raw = response.get("choices") if definition.qtype == QuestionType.MULTIPLE else [response.get("choice")]
        chosen = {option_index(v, definition.options) for v in raw} if isinstance(raw, list) else set()
        return [_option_key(definition.options[i]) for i in sorted(i for i in chosen if i is not None)]
    text = response.get("text")
    if definition.qtype in TYPED_TYPES and isinstance(text, str):
        return [(normalise_text(text, case_sensitive=definition.case_sensitive), (graded.fraction or 0) > 0)]
    return []


def _row_keys(answers: Sequence[Answer], counts: Counter[tuple[str, bool]]) -> list[tuple[str, bool]]:
    if answers[0].definition.qtype in CHOICE_TYPES:
        definitions = dict.fromkeys(a.definition for a in answers)  # distinct snapshots, first seen first
        listed = dict.fromkeys(_option_key(o) for d in definitions for o in d.options)
        return [*listed, *(k for k in counts if k not in listed)]  # the second part only if the type changed
    if answers[0].definition.qtype in TYPED_TYPES:
        return [key for key, _count in counts.most_common(TOP_TYPED_ANSWERS)]
    return []


def looks_miskeyed(
    *, qtype: QuestionType, discrimination: float | None, graded: int, top_third: Distribution
) -> str | None:
    """A short reason to check a question's key, or None. Both signs need at least `MIN_FLAGGED` graded answers:

    - discrimination below −0.1: learners who do well on the rest of the quiz do worse on this question;
    - choice questions only: the top third of learners (by rest score) chose some wrong option more often
      than any keyed right one (`top_third` is their `option_distribution`).
    """
    if graded < MIN_FLAGGED:
        return None
    if discrimination is not None and discrimination < MISKEY_DISCRIMINATION:
        return _("Stronger learners do worse on this question: check the key.")
    if qtype not in CHOICE_TYPES:
        return None
    right = max((row.count for row in top_third.rows if row.is_right), default=0)
    lure = max((row for row in top_third.rows if not row.is_right), key=lambda row: row.count, default=None)
    if lure is not None and lure.count > right:
        return _("The strongest learners mostly chose “%(option)s”, which is marked wrong: check the key.") % {
            "option": _snippet(lure.text, OPTION_CHARS)
        }
    return None


def _snippet(text: str, limit: int) -> str:
    return excerpt(text, limit)


# --- Selector ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionAnalysis:
    question_id: int | None  # the bank question; None once it is deleted (grouped by its snapshot then)
    position: int  # the earliest place it was shown (1 for most questions when the quiz shuffles them)
    title: str
    qtype: QuestionType
    responses: int  # learners asked it, answered or not, graded or not
    ungraded: int  # essays waiting for a person: counted, but left out of the statistics
    facility: float | None
    discrimination: float | None
    options: tuple[OptionCount, ...]
    unanswered: int
    miskey_reason: str | None


@dataclass(frozen=True)
class QuizAnalysis:
    attempts: int  # learners counted, one attempt each
    questions: tuple[QuestionAnalysis, ...]
    mean_score_percent: float | None  # over the counted attempts that are fully graded


@dataclass(frozen=True)
class AttemptRow:
    position: int
    question_id: int | None
    definition: QuestionDef
    response: Response | None
    fraction: Decimal | None
    points: Decimal

    @property
    def key(self) -> GroupKey:
        return self.question_id if self.question_id is not None else (self.position, self.definition.text)


def analyse(rows: Mapping[int, Sequence[AttemptRow]], percents: Sequence[float]) -> QuizAnalysis:
    """Item analysis of each learner's counted attempt (attempt id → its questions' rows) and the fully graded
    attempts' percents.

    Only each learner's first submitted attempt counts: later ones are taken knowing the questions (and often
    the feedback), so they would make questions look easier and blur how well they discriminate. Questions
    are grouped by bank question, or by their snapshot's position and text when the bank question is gone.
    """
    groups: dict[GroupKey, list[Answer]] = defaultdict(list)
    positions: dict[GroupKey, int] = {}
    for attempt_rows in rows.values():
        for row, answer in zip(attempt_rows, _answers(attempt_rows), strict=True):
            groups[row.key].append(answer)
            positions[row.key] = min(positions.get(row.key, row.position), row.position)
    ordered = sorted(groups, key=lambda key: _order(key, positions[key]))
    return QuizAnalysis(
        attempts=len(rows),
        questions=tuple(_analyse(key, positions[key], groups[key]) for key in ordered),
        mean_score_percent=statistics.fmean(percents) if percents else None,
    )


def _order(key: GroupKey, position: int) -> tuple[int, int, str]:
    """Earliest position, then bank id, then a deleted question's text: ties (common when questions are shuffled)
    resolve the same way whatever order the rows arrive in."""
    return (position, key, "") if isinstance(key, int) else (position, sys.maxsize, key[1])


def _answers(rows: Sequence[AttemptRow]) -> list[Answer]:
    """One attempt's answers, each with the share of the points earned on the attempt's other graded questions."""
    graded = [row for row in rows if row.fraction is not None]
    possible = sum((row.points for row in graded), Decimal(0))
    earned = sum((row.points * row.fraction for row in graded if row.fraction is not None), Decimal(0))
    answers = []
    for row in rows:
        # Decimal until the end, so equal rest scores compare equal (the constant check in point_biserial).
        own_possible = row.points if row.fraction is not None else Decimal(0)
        own_earned = row.points * row.fraction if row.fraction is not None else Decimal(0)
        rest_possible = possible - own_possible
        rest = float((earned - own_earned) / rest_possible) if rest_possible > 0 else None
        fraction = float(row.fraction) if row.fraction is not None else None
        answers.append(Answer(row.definition, row.response, fraction, rest))
    return answers


def _analyse(key: GroupKey, position: int, answers: Sequence[Answer]) -> QuestionAnalysis:
    definition = answers[0].definition
    credits = [a.fraction for a in answers if a.fraction is not None]
    pairs = [(a.fraction, a.rest_score) for a in answers if a.fraction is not None and a.rest_score is not None]
    discrimination = point_biserial([x for x, _y in pairs], [y for _x, y in pairs])
    distribution = option_distribution(answers)
    return QuestionAnalysis(
        question_id=key if isinstance(key, int) else None,
        position=position,
        title=definition.title or _snippet(definition.text, TITLE_CHARS),
        qtype=definition.qtype,
        responses=len(answers),
        ungraded=len(answers) - len(credits),
        facility=facility(credits),
        discrimination=discrimination,
        options=distribution.rows,
        unanswered=distribution.unanswered,
        miskey_reason=looks_miskeyed(
            qtype=definition.qtype,
            discrimination=discrimination,
            graded=len(credits),
            top_third=option_distribution(_top_third(answers)),
        ),
    )


def _top_third(answers: Sequence[Answer]) -> list[Answer]:
    """The third of learners (rounded down) with the best rest scores."""
    scored = [(a.rest_score, a) for a in answers if a.rest_score is not None]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [a for _score, a in scored[: len(scored) // 3]]
