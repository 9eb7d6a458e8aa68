"""Automatic grading of one answer to one question: a pure function of the question and the response.

Responses are small JSON-safe dicts, always in terms of the question's own option indices (the page's
shuffled order is mapped back by the attempt before grading):

- single, true/false: ``{"choice": i}``        - multiple: ``{"choices": [i, j]}``
- short, numeric, essay: ``{"text": "..."}``   - matching: ``{"pairs": {"0": j, ...}}`` (left i → the right
  side of option j)                            - ordering: ``{"order": [i, j, ...]}``

The result is a share of the question's points in [0, 1] (None for an essay, graded by a person) with
the feedback of what the learner chose.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType, Scoring
from cadence.assessment.domain.scores import Outcome as Outcome  # re-exported: graders and their callers use it here
from cadence.assessment.domain.scores import outcome_for, question_points

ZERO, ONE = Decimal(0), Decimal(1)
MAX_TEXT_CHARS = 20_000  # an essay; other typed answers are far shorter
MAX_MATCHED_CHARS = 500  # short answers compared or matched against a pattern are cut to this


@dataclass(frozen=True)
class Graded:
    fraction: Decimal | None  # share of the points, 0..1; None until a person grades it
    outcome: Outcome
    feedback: tuple[str, ...] = ()  # the feedback of the options the answer chose or matched

    def score(self, points: Decimal) -> Decimal | None:
        return question_points(points, self.fraction)


def _clamp(value: Decimal) -> Decimal:
    return max(ZERO, min(ONE, value))


def _graded(fraction: Decimal, feedback: list[str]) -> Graded:
    fraction = _clamp(fraction)
    return Graded(fraction, outcome_for(fraction), tuple(f for f in feedback if f))


UNANSWERED = Graded(ZERO, Outcome.UNANSWERED)


def option_index(value: Any, options: tuple[Option, ...]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        index = int(value)
    except ValueError:
        return None
    return index if 0 <= index < len(options) else None


def _single(question: QuestionDef, response: Mapping[str, Any]) -> Graded:
    index = option_index(response.get("choice"), question.options)
    if index is None:
        return UNANSWERED
    option = question.options[index]
    return _graded(option.fraction, [option.feedback])


def _multiple(question: QuestionDef, response: Mapping[str, Any]) -> Graded:
    raw = response.get("choices")
    if not isinstance(raw, list):
        return UNANSWERED
    chosen = sorted({i for i in (option_index(v, question.options) for v in raw) if i is not None})
    if not chosen:
        return UNANSWERED
    feedback = [question.options[i].feedback for i in chosen]
    if question.scoring == Scoring.ALL_OR_NOTHING:
        right = {i for i, o in enumerate(question.options) if o.fraction > 0}
        return _graded(ONE if set(chosen) == right else ZERO, feedback)
    return _graded(sum((question.options[i].fraction for i in chosen), ZERO), feedback)


def normalise_text(text: str, *, case_sensitive: bool) -> str:
    """Unicode-normalised (NFC), with runs of whitespace made one space and the ends trimmed."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text if case_sensitive else text.casefold()


def _text(response: Mapping[str, Any]) -> str:
    value = response.get("text")
    return value[:MAX_TEXT_CHARS] if isinstance(value, str) else ""


def _short(question: QuestionDef, response: Mapping[str, Any]) -> Graded:
    typed = normalise_text(_text(response)[:MAX_MATCHED_CHARS], case_sensitive=question.case_sensitive)
    if not typed:
        return UNANSWERED
    best: Option | None = None
    for option in question.options:
        if option.is_regex:
            flags = 0 if question.case_sensitive else re.IGNORECASE
            try:
                matched = re.fullmatch(option.text, typed, flags) is not None
            except re.error:
                matched = False  # the bank refuses bad patterns; an old snapshot must not crash grading
        else:
            matched = typed == normalise_text(option.text, case_sensitive=question.case_sensitive)
        if matched and (best is None or option.fraction > best.fraction):
            best = option
    if best is None:
        return _graded(ZERO, [])
    return _graded(best.fraction, [best.feedback])


def parse_number(text: str) -> Decimal | None:
    """ "3.14", " -2 ", "1e3", "3,5" (a decimal comma when there is no point) → Decimal; else None."""
    text = text.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _numeric(question: QuestionDef, response: Mapping[str, Any]) -> Graded:
    typed = _text(response)
    if not typed.strip():
        return UNANSWERED
    value = parse_number(typed[:100])
    if value is None:
        return _graded(ZERO, [])
    best: Option | None = None
    for option in question.options:
        accepted = parse_number(option.text)
        if accepted is None:
            continue
        margin = abs(accepted) * option.tolerance if question.tolerance_relative else option.tolerance
        if abs(value - accepted) <= margin and (best is None or option.fraction > best.fraction):
            best = option
    if best is None:
        return _graded(ZERO, [])
    return _graded(best.fraction, [best.feedback])


def _matching(question: QuestionDef, response: Mapping[str, Any]) -> Graded:
    raw = response.get("pairs")
    if not isinstance(raw, Mapping) or not question.options:
        return UNANSWERED
    right = 0
    answered = 0
    feedback: list[str] = []
    for left, option in enumerate(question.options):
        chosen = option_index(raw.get(str(left)), question.options)
        if chosen is None:
            continue
        answered += 1
        if question.options[chosen].match == option.match:
            right += 1
            feedback.append(option.feedback)
    if answered == 0:
        return UNANSWERED
    share = Decimal(right) / Decimal(len(question.options))
    if question.scoring == Scoring.ALL_OR_NOTHING:
        share = ONE if right == len(question.options) else ZERO
    return _graded(share, feedback)


def _ordering(question: QuestionDef, response: Mapping[str, Any]) -> Graded:
    raw = response.get("order")
    n = len(question.options)
    if not isinstance(raw, list) or n == 0:
        return UNANSWERED
    order = [option_index(v, question.options) for v in raw]
    if len(order) != n or None in order or len(set(order)) != n:
        return UNANSWERED  # not a full arrangement of the items
    in_place = sum(1 for position, index in enumerate(order) if index == position)
    share = Decimal(in_place) / Decimal(n)
    if question.scoring == Scoring.ALL_OR_NOTHING:
        share = ONE if in_place == n else ZERO
    return _graded(share, [])


def _essay(question: QuestionDef, response: Mapping[str, Any]) -> Graded:
    return Graded(None, Outcome.MANUAL) if _text(response).strip() else UNANSWERED


_GRADERS = {
    QuestionType.SINGLE: _single,
    QuestionType.TRUE_FALSE: _single,
    QuestionType.MULTIPLE: _multiple,
    QuestionType.SHORT: _short,
    QuestionType.NUMERIC: _numeric,
    QuestionType.MATCHING: _matching,
    QuestionType.ORDERING: _ordering,
    QuestionType.ESSAY: _essay,
}


def grade(question: QuestionDef, response: Mapping[str, Any] | None) -> Graded:
    """Grade a response; anything malformed counts as unanswered, never as an error."""
    if not response:
        return UNANSWERED
    return _GRADERS[question.qtype](question, response)


def right_response(question: QuestionDef) -> dict[str, Any]:
    """A response that earns the most this question can give (what "show the right answer" shows)."""
    options = question.options
    if question.qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        return {"choice": max(range(len(options)), key=lambda i: options[i].fraction)} if options else {}
    if question.qtype == QuestionType.MULTIPLE:
        return {"choices": [i for i, o in enumerate(options) if o.fraction > 0]}
    if question.qtype in (QuestionType.SHORT, QuestionType.NUMERIC):
        best = max(options, key=lambda o: o.fraction, default=None)
        return {"text": best.text} if best is not None and not best.is_regex else {}
    if question.qtype == QuestionType.MATCHING:
        return {"pairs": {str(i): i for i in range(len(options))}}
    if question.qtype == QuestionType.ORDERING:
        return {"order": list(range(len(options)))}
    return {}
