"""What makes a question well-formed, said in words a teacher can act on. Used by the bank and imports."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from cadence.assessment.domain.definitions import QuestionDef, QuestionType
from cadence.assessment.domain.scoring import parse_number

MAX_POINTS = Decimal(1000)
MAX_OPTIONS = 50
MAX_TEXT_CHARS = 20_000
MAX_OPTION_CHARS = 2_000


def problems(question: QuestionDef) -> list[str]:
    """Everything wrong with a question; empty when it can be saved."""
    found: list[str] = []
    options = question.options
    positive = [o for o in options if o.fraction > 0]
    if not question.text.strip():
        found.append(_("Write the question."))
    if len(question.text) > MAX_TEXT_CHARS:
        found.append(_("The question is too long (at most %(n)s characters).") % {"n": MAX_TEXT_CHARS})
    if not Decimal(0) < question.points <= MAX_POINTS:
        found.append(_("Points must be more than 0 and at most %(max)s.") % {"max": MAX_POINTS})
    if len(options) > MAX_OPTIONS:
        found.append(_("Use at most %(n)s answers.") % {"n": MAX_OPTIONS})
    for option in options:
        if not -1 <= option.fraction <= 1:
            found.append(_("A credit must be between -100 %% and 100 %% (“%(text)s”).") % {"text": option.text[:40]})
        if len(option.text) > MAX_OPTION_CHARS or len(option.feedback) > MAX_OPTION_CHARS:
            found.append(
                _("An answer or its feedback is too long (at most %(n)s characters).") % {"n": MAX_OPTION_CHARS}
            )
        if option.tolerance < 0:
            found.append(_("A tolerance cannot be negative."))
    kind = question.qtype
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.MATCHING, QuestionType.ORDERING):
        if len(options) < 2:
            found.append(_("Give at least two answers."))
        if any(not o.text.strip() for o in options):
            found.append(_("Every answer needs its text."))
    if kind == QuestionType.SINGLE and not any(o.fraction == 1 for o in options):
        found.append(_("Mark one answer as right (100 %)."))
    if kind == QuestionType.MULTIPLE and not positive:
        found.append(_("Give at least one right answer a positive credit."))
    if kind == QuestionType.TRUE_FALSE:
        texts = [o.text for o in options]
        if texts != ["True", "False"] or sorted(o.fraction for o in options) != [0, 1]:
            found.append(_("A true/false question is either true or false."))
    if kind in (QuestionType.SHORT, QuestionType.NUMERIC) and not positive:
        found.append(_("Give at least one accepted answer with a positive credit."))
    if kind == QuestionType.SHORT:
        for option in options:
            if option.is_regex:
                try:
                    re.compile(option.text)
                except re.error as exc:
                    found.append(_("“%(p)s” is not a valid pattern: %(e)s.") % {"p": option.text[:60], "e": exc})
    if kind == QuestionType.NUMERIC:
        bad = [o.text for o in options if parse_number(o.text) is None]
        if bad:
            found.append(_("“%(v)s” is not a number.") % {"v": bad[0][:40]})
    if kind == QuestionType.MATCHING and any(not o.match.strip() for o in options):
        found.append(_("Every item needs the answer it matches."))
    return found
