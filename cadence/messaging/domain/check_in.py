"""What a check-in's suggested text may say: only what the learner's figures show.

A learner active ten minutes ago is never told "it has been a while"; one with no figures yet (not refreshed)
gets a neutral opening; "not started" is said only of someone with no activity at all in the course.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cadence.messaging.domain.check_in_templates import neutral_opening, question

QUIET_DAYS = 3  # from this many whole days without activity, the text names the gap


def suggested_text(
    *, name: str, course: str, figures_known: bool, last_active_at: datetime | None, now: datetime
) -> str:
    asking = f"{_('How is it going?')} {question()}"
    if figures_known and last_active_at is None:
        opening = _("Hi %(name)s, I noticed you have not started %(course)s yet.") % {"name": name, "course": course}
        return f"{opening} {asking}"
    if figures_known and last_active_at is not None and (days := (now - last_active_at).days) >= QUIET_DAYS:
        opening = ngettext(
            "Hi %(name)s, I noticed you have not been active in %(course)s for %(days)d day.",
            "Hi %(name)s, I noticed you have not been active in %(course)s for %(days)d days.",
            days,
        ) % {"name": name, "course": course, "days": days}
        return f"{opening} {asking}"
    return f"{neutral_opening(name=name, course=course)} {question()}"


def text_for_many(*, course: str) -> str:
    """The neutral text offered when one message goes to several learners (no name, no figures)."""
    return _("Hi, how is %(course)s going for you?") % {"course": course} + f" {question()}"
