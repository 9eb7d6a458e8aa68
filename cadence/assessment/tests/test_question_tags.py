"""The choice list rendered in Python says what the template said: inputs, labels, and what is revealed."""

from __future__ import annotations

from django.utils.safestring import mark_safe

from cadence.assessment.domain.question_views import ChoiceView, QuestionView
from cadence.assessment.templatetags.questions import choice_list


def _view(qtype: str, choices: list[ChoiceView], *, locked: bool = False) -> QuestionView:
    return QuestionView(
        key="q2", number=2, qtype=qtype, html=mark_safe("<p>Pick</p>"), points="1", choices=choices, locked=locked
    )


def test_a_single_choice_has_radios_named_for_the_question_with_the_chosen_one_checked() -> None:
    html = choice_list(_view("single", [ChoiceView("0", mark_safe("<em>A</em>")), ChoiceView("1", "B & C", True)]))
    assert '<input type="radio" name="q2-choice" id="q2-c0" value="0">' in html
    assert '<input type="radio" name="q2-choice" id="q2-c1" value="1" checked>' in html
    assert '<label for="q2-c0"><em>A</em></label>' in html and "B &amp; C" in html
    assert "choice-right" not in html and "choice-feedback" not in html and "disabled" not in html


def test_a_revealed_multiple_choice_marks_right_wrong_and_feedback_and_is_locked() -> None:
    choices = [
        ChoiceView("0", mark_safe("A"), chosen=True, feedback=mark_safe("Yes."), right=True),
        ChoiceView("1", mark_safe("B"), chosen=True, right=False),
        ChoiceView("2", mark_safe("C"), right=False),
    ]
    html = choice_list(_view("multiple", choices, locked=True))
    assert html.count('type="checkbox" name="q2-choices"') == 3 and html.count(" disabled>") == 3
    assert '<li class="choice choice-right">' in html and '<span class="mark-right">(right answer)</span>' in html
    assert '<li class="choice choice-wrong">' in html and '<li class="choice">' in html
    assert '<p class="choice-feedback">Yes.</p>' in html
