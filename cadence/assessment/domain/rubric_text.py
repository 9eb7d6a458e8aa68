"""Rubrics written as plain text, one criterion then its levels:

    Chart choice: Is the chart type right for the data?
    - 4 Excellent: a line chart over time, both axes labelled
    - 2 Adequate: the chart compares, but the type hides the trend
    - 0 Missing

A line starting with "-" or "*" is a level: points, a title, and after ":" a description. Any other
line starts a criterion (title, then ":" and a description). Teachers can paste a rubric from a
document; every problem is reported with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_CRITERIA = 20
MAX_LEVELS = 10
MAX_POINTS = Decimal(1000)


@dataclass(frozen=True)
class LevelSpec:
    points: Decimal
    title: str
    description: str = ""


@dataclass
class CriterionSpec:
    title: str
    description: str = ""
    levels: list[LevelSpec] = field(default_factory=list)
    line: int = 0

    @property
    def max_points(self) -> Decimal:
        return max((level.points for level in self.levels), default=Decimal(0))


@dataclass(frozen=True)
class ParsedRubric:
    criteria: list[CriterionSpec]
    errors: list[str]

    @property
    def max_points(self) -> Decimal:
        return sum((c.max_points for c in self.criteria), Decimal(0))


def _split(text: str) -> tuple[str, str]:
    title, _sep, description = text.partition(":")
    return title.strip()[:200], description.strip()


def parse_rubric(source: str) -> ParsedRubric:
    criteria: list[CriterionSpec] = []
    errors: list[str] = []
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line[0] in "-*":
            if not criteria:
                errors.append(
                    _("Line %(n)s: a level comes before any criterion; write the criterion first.") % {"n": number}
                )
                continue
            points_text, _space, rest = line[1:].strip().partition(" ")
            try:
                points = Decimal(points_text.replace(",", "."))
            except InvalidOperation:
                errors.append(_("Line %(n)s: a level starts with its points, such as “- 4 Excellent”.") % {"n": number})
                continue
            if not points.is_finite() or not Decimal(0) <= points <= MAX_POINTS:
                errors.append(_("Line %(n)s: points must be between 0 and %(max)s.") % {"n": number, "max": MAX_POINTS})
                continue
            title, description = _split(rest)
            criteria[-1].levels.append(LevelSpec(points, title or f"{points:g}", description))
        else:
            title, description = _split(line)
            criteria.append(CriterionSpec(title=title, description=description, line=number))
    for criterion in criteria:
        if not criterion.levels:
            errors.append(
                _("Line %(n)s: “%(c)s” has no levels; add lines such as “- 2 Good”.")
                % {"n": criterion.line, "c": criterion.title}
            )
        if len(criterion.levels) > MAX_LEVELS:
            errors.append(_("Line %(n)s: at most %(m)s levels per criterion.") % {"n": criterion.line, "m": MAX_LEVELS})
    if not criteria:
        errors.append(_("Write at least one criterion with its levels."))
    if len(criteria) > MAX_CRITERIA:
        errors.append(_("Use at most %(m)s criteria.") % {"m": MAX_CRITERIA})
    return ParsedRubric(criteria=criteria, errors=errors)
