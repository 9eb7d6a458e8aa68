"""A choice question's answers rendered in Python: the attempt page shows every question's choices, and the
template language took about a tenth of the page's work for them (a burst of learners opens it at once)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cadence.assessment.domain.question_views import QuestionView

register = template.Library()


@register.simple_tag
def choice_list(view: QuestionView) -> SafeString:
    """The `<ul class="choices">` of a single or multiple choice (or true/false) question; what is revealed
    (right, wrong, feedback) is in the view only when the quiz's settings allow it."""
    kind, name = ("checkbox", f"{view.key}-choices") if view.is_multiple else ("radio", f"{view.key}-choice")
    disabled = " disabled" if view.locked else ""
    right_mark = format_html('<span class="mark-right">{}</span>', _("(right answer)"))
    rows = []
    for choice in view.choices:
        if choice.right is True:
            state = " choice-right"
        elif choice.right is False and choice.chosen:
            state = " choice-wrong"
        else:
            state = ""
        rows.append(
            (
                state,
                kind,
                name,
                f"{view.key}-c{choice.value}",
                choice.value,
                " checked" if choice.chosen else "",
                disabled,
                f"{view.key}-c{choice.value}",
                choice.html,
                right_mark if choice.right is True else "",
                format_html('<p class="choice-feedback">{}</p>', choice.feedback) if choice.feedback else "",
            )
        )
    items = format_html_join(
        "\n",
        '<li class="choice{}">\n<input type="{}" name="{}" id="{}" value="{}"{}{}>\n<label for="{}">{}</label>\n{}{}</li>',
        rows,
    )
    return format_html('<ul class="choices">\n{}\n</ul>', items)
