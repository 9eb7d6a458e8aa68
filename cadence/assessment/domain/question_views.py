"""A question as a learner sees it, and reading their answer back from a form.

What reaches the page is only what the learner may see: texts in the shown order, with values that
are shown positions (never option indices, which would give the right order away). Credits, feedback
and right answers are added only when `reveal` is given, which callers allow by the quiz's settings.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from cadence.assessment.domain.definitions import QuestionDef, QuestionType
from cadence.assessment.domain.scoring import Graded, grade, right_response
from cadence.core.markdown import render_inline_markdown, render_markdown

CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE)
TEXT_TYPES = (QuestionType.SHORT, QuestionType.NUMERIC, QuestionType.ESSAY)


def shown_order(definition: QuestionDef, *, shuffle: bool, rng: random.Random) -> list[int]:
    """The order options are shown in: shuffled when asked, and always for matching and ordering
    (whose listed order is the answer). True/false keeps True first."""
    order = list(range(len(definition.options)))
    must_shuffle = definition.qtype in (QuestionType.MATCHING, QuestionType.ORDERING)
    if definition.qtype != QuestionType.TRUE_FALSE and (shuffle or must_shuffle):
        rng.shuffle(order)
        if must_shuffle and len(order) > 1 and order == sorted(order):
            order.append(order.pop(0))  # never shown already in the right order
    return order


@dataclass(frozen=True)
class ChoiceView:
    value: str  # the shown position
    html: SafeString
    chosen: bool = False
    feedback: SafeString | None = None  # only when revealed
    right: bool | None = None  # only when revealed with right answers


@dataclass(frozen=True)
class PairView:
    left_index: int  # the field name part: the option's own index (the rights are what is shuffled)
    html: SafeString
    chosen: str  # the shown position of the chosen right side, or ""
    right_value: str | None = None  # only when revealed with right answers


@dataclass(frozen=True)
class Reveal:
    graded: Graded
    general_feedback: SafeString
    right_answers: bool  # also mark the right answers


@dataclass(frozen=True)
class QuestionView:
    key: str  # form field prefix
    number: int
    qtype: str
    html: SafeString
    points: str
    choices: list[ChoiceView] = field(default_factory=list)
    pairs: list[PairView] = field(default_factory=list)
    right_sides: list[ChoiceView] = field(default_factory=list)  # matching: the shuffled right sides
    text: str = ""  # short, numeric, essay
    right_text: str = ""  # only when revealed with right answers
    locked: bool = False
    outcome: str = ""  # only when revealed
    score_fraction: str = ""  # only when revealed
    feedback: list[SafeString] = field(default_factory=list)  # only when revealed
    general_feedback: SafeString | None = None  # only when revealed

    @property
    def points_label(self) -> str:
        return ngettext("%(p)s point", "%(p)s points", 1 if self.points == "1" else 2) % {"p": self.points}

    @property
    def is_multiple(self) -> bool:
        return self.qtype == QuestionType.MULTIPLE

    @property
    def is_choice(self) -> bool:
        return self.qtype in CHOICE_TYPES

    @property
    def is_text(self) -> bool:
        return self.qtype in TEXT_TYPES

    @property
    def revealed(self) -> bool:
        return bool(self.outcome)


def _shown(order: Sequence[int]) -> dict[int, int]:
    return {index: position for position, index in enumerate(order)}


def question_view(
    definition: QuestionDef,
    *,
    key: str,
    number: int,
    order: Sequence[int],
    response: Mapping[str, Any] | None,
    points: str,
    locked: bool = False,
    reveal: Reveal | None = None,
) -> QuestionView:
    response = response or {}
    position_of = _shown(order)
    options = definition.options
    show_right = reveal is not None and reveal.right_answers
    right = right_response(definition) if show_right else {}
    choices: list[ChoiceView] = []
    pairs: list[PairView] = []
    rights: list[ChoiceView] = []
    text = ""
    right_text = ""
    qtype = definition.qtype
    if qtype in CHOICE_TYPES:
        chosen = set(response.get("choices", [])) if qtype == QuestionType.MULTIPLE else {response.get("choice")}
        right_set = set(right.get("choices", [])) | ({right["choice"]} if "choice" in right else set())
        for index in order:
            option = options[index]
            is_chosen = index in chosen
            choices.append(
                ChoiceView(
                    value=str(position_of[index]),
                    html=render_inline_markdown(option.text),
                    chosen=is_chosen,
                    feedback=render_inline_markdown(option.feedback)
                    if reveal and is_chosen and option.feedback
                    else None,
                    right=(index in right_set) if show_right else None,
                )
            )
    elif qtype == QuestionType.MATCHING:
        raw = response.get("pairs", {}) if isinstance(response.get("pairs"), Mapping) else {}
        rights = [ChoiceView(value=str(p), html=render_inline_markdown(options[i].match)) for p, i in enumerate(order)]
        for index, option in enumerate(options):
            chosen_index = raw.get(str(index))
            pairs.append(
                PairView(
                    left_index=index,
                    html=render_inline_markdown(option.text),
                    chosen=str(position_of[chosen_index])
                    if isinstance(chosen_index, int) and chosen_index in position_of
                    else "",
                    right_value=str(position_of[index]) if show_right else None,
                )
            )
    elif qtype == QuestionType.ORDERING:
        current = response.get("order")
        shown = current if isinstance(current, list) and sorted(current) == list(range(len(options))) else list(order)
        choices = [ChoiceView(value=str(position_of[i]), html=render_inline_markdown(options[i].text)) for i in shown]
        if show_right:
            right_text = " → ".join(options[i].text for i in range(len(options)))
    else:
        text = response.get("text", "") if isinstance(response.get("text"), str) else ""
        if show_right and "text" in right:
            right_text = right["text"]
    graded = reveal.graded if reveal else None
    return QuestionView(
        key=key,
        number=number,
        qtype=qtype.value,
        html=render_markdown(definition.text),
        points=points,
        choices=choices,
        pairs=pairs,
        right_sides=rights,
        text=text,
        right_text=right_text,
        locked=locked,
        outcome=graded.outcome.value if graded else "",
        score_fraction=f"{graded.fraction:.2f}" if graded and graded.fraction is not None else "",
        feedback=[render_inline_markdown(f) for f in graded.feedback] if graded and qtype not in CHOICE_TYPES else [],
        general_feedback=reveal.general_feedback if reveal and definition.general_feedback else None,
    )


def reveal_for(definition: QuestionDef, response: Mapping[str, Any] | None, *, right_answers: bool) -> Reveal:
    return Reveal(
        graded=grade(definition, response),
        general_feedback=render_markdown(definition.general_feedback),
        right_answers=right_answers,
    )


def _position(value: Any, order: Sequence[int]) -> int | None:
    try:
        position = int(value)
    except (TypeError, ValueError):
        return None
    return order[position] if 0 <= position < len(order) else None


def response_from_form(definition: QuestionDef, order: Sequence[int], data: Any, key: str) -> dict[str, Any]:
    """The learner's answer from a submitted form (`data` is a QueryDict or a dict of lists)."""

    def get(name: str) -> str:
        value = data.get(name, "")
        return value if isinstance(value, str) else ""

    def get_list(name: str) -> list[str]:
        getter = getattr(data, "getlist", None)
        return list(getter(name)) if getter else list(data.get(name, []))

    qtype = definition.qtype
    if qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        index = _position(get(f"{key}-choice"), order)
        return {} if index is None else {"choice": index}
    if qtype == QuestionType.MULTIPLE:
        indices = sorted({i for i in (_position(v, order) for v in get_list(f"{key}-choices")) if i is not None})
        return {"choices": indices} if indices else {}
    if qtype in TEXT_TYPES:
        text = get(f"{key}-text")
        return {"text": text} if text.strip() else {}
    if qtype == QuestionType.MATCHING:
        pairs: dict[str, int] = {}
        for index in range(len(definition.options)):
            chosen = _position(get(f"{key}-pair-{index}"), order)
            if chosen is not None:
                pairs[str(index)] = chosen
        return {"pairs": pairs} if pairs else {}
    if qtype == QuestionType.ORDERING:
        # Each shown item gets a position number; ties and gaps keep the shown order among themselves.
        ranked: list[tuple[int, int, int]] = []
        for shown, index in enumerate(order):
            raw = get(f"{key}-rank-{shown}")
            rank = int(raw) if raw.strip().isdigit() else len(order) + shown
            ranked.append((rank, shown, index))
        return {"order": [index for _rank, _shown, index in sorted(ranked)]}
    return {}
