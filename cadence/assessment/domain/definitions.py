"""A question as plain data: what the bank stores, what an attempt snapshots, what GIFT reads and writes.

`QuestionDef` knows nothing of the database. Grading (`grading.py`) works on it alone, so an attempt
keeps grading the question as it was when the attempt began, whatever the bank later becomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any


class QuestionType(StrEnum):
    SINGLE = "single"  # one choice; each option carries its own credit (normally one at 100 %)
    MULTIPLE = "multiple"  # several choices; credits add up (partial credit) or all-or-nothing
    TRUE_FALSE = "true_false"  # options "True" and "False", exactly one with credit 1
    SHORT = "short"  # typed answer matched against accepted answers (text or regular expression)
    NUMERIC = "numeric"  # a number within a tolerance of an accepted value
    MATCHING = "matching"  # pair each option's text with its `match`
    ORDERING = "ordering"  # put the options in their listed order
    ESSAY = "essay"  # free text, graded by hand


class Scoring(StrEnum):
    PARTIAL = "partial"  # multiple: sum of chosen credits (never below 0); matching/ordering: share right
    ALL_OR_NOTHING = "all_or_nothing"  # full credit only for a fully right answer


@dataclass(frozen=True)
class Option:
    """One choice, accepted answer, pair or item, depending on the question type.

    - single, multiple, true/false: `text` is the choice, `fraction` its credit in [-1, 1].
    - short: `text` is an accepted answer (a regular expression if `is_regex`), `fraction` its credit.
    - numeric: `text` is the accepted value as a decimal string, `tolerance` the allowed error
      (absolute, or relative to the value when the question's `tolerance_relative`), `fraction` its credit.
    - matching: `text` is the left side, `match` the right side it belongs with.
    - ordering: `text` is an item; the options' order is the right order.
    `feedback` is shown to a learner whose answer chose or matched this option.
    """

    text: str
    fraction: Decimal = Decimal(0)
    feedback: str = ""
    match: str = ""
    tolerance: Decimal = Decimal(0)
    is_regex: bool = False


@dataclass(frozen=True)
class QuestionDef:
    qtype: QuestionType
    text: str  # Markdown
    options: tuple[Option, ...] = ()
    title: str = ""
    points: Decimal = Decimal(1)
    general_feedback: str = ""  # the explanation, shown with the feedback whatever the answer
    case_sensitive: bool = False  # short answer
    tolerance_relative: bool = False  # numeric: tolerance is a share of the accepted value (0.05 = 5 %)
    scoring: Scoring = Scoring.PARTIAL  # multiple response, matching, ordering
    category: str = ""  # the bank category's name ("" for none); GIFT's $CATEGORY
    tags: tuple[str, ...] = field(default_factory=tuple)  # concept tags

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (decimals as strings) for snapshots; `from_json` reverses it exactly.

        Field by field rather than `dataclasses.asdict`, whose deep copies were a tenth of starting an attempt."""
        data = {name: getattr(self, name) for name in _QUESTION_FIELDS}
        data["points"] = str(self.points)
        data["options"] = [
            {
                **{name: getattr(o, name) for name in _OPTION_FIELDS},
                "fraction": str(o.fraction),
                "tolerance": str(o.tolerance),
            }
            for o in self.options
        ]
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuestionDef:
        options = tuple(
            Option(
                text=o["text"],
                fraction=Decimal(o["fraction"]),
                feedback=o.get("feedback", ""),
                match=o.get("match", ""),
                tolerance=Decimal(o.get("tolerance", "0")),
                is_regex=bool(o.get("is_regex", False)),
            )
            for o in data.get("options", [])
        )
        return cls(
            qtype=QuestionType(data["qtype"]),
            text=data["text"],
            options=options,
            title=data.get("title", ""),
            points=Decimal(data.get("points", "1")),
            general_feedback=data.get("general_feedback", ""),
            case_sensitive=bool(data.get("case_sensitive", False)),
            tolerance_relative=bool(data.get("tolerance_relative", False)),
            scoring=Scoring(data.get("scoring", Scoring.PARTIAL)),
            category=data.get("category", ""),
            tags=tuple(data.get("tags", ())),
        )

    def with_changes(self, **changes: Any) -> QuestionDef:
        return replace(self, **changes)


_QUESTION_FIELDS = tuple(f.name for f in fields(QuestionDef))
_OPTION_FIELDS = tuple(f.name for f in fields(Option))
