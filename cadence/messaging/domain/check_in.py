"""What a check-in's suggested text may say: only what the learner's figures show.

A learner active ten minutes ago is never told "it has been a while"; one with no figures yet (not refreshed)
gets a neutral opening; "not started" is said only of someone with no activity at all in the course.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

QUIET_DAYS = 3  # from this many whole days without activity, the text names the gap


def suggested_text(
    *, name: str, course: str, figures_known: bool, last_active_at: datetime | None, now: datetime
) -> str:
    question = _("How is it going? Is anything getting in your way? Reply here whenever suits you.")
    if figures_known and last_active_at is None:
        opening = _("Hi %(name)s, I noticed you have not started %(course)s yet.") % {"name": name, "course": course}
        return f"{opening} {question}"
    if figures_known and last_active_at is not None and (days := (now - last_active_at).days) >= QUIET_DAYS:
        opening = ngettext(
            "Hi %(name)s, I noticed you have not been active in %(course)s for %(days)d day.",
            "Hi %(name)s, I noticed you have not been active in %(course)s for %(days)d days.",
            days,
        ) % {"name": name, "course": course, "days": days}
        return f"{opening} {question}"
    opening = _("Hi %(name)s, I wanted to check in on how %(course)s is going for you.") % {
        "name": name,
        "course": course,
    }
    return f"{opening} {_('Is anything getting in your way? Reply here whenever suits you.')}"
