"""Flipped-class readiness: has a learner done a module's pre-work by the session's date, and what may a
check-in about it say. Pure rules: values in, values out.

- The pre-work is the module's published items that count towards progress (optional items never hold a
  learner back). An item is done as the learners table counts it: completed, or (quizzes, assignments)
  submitted.
- "By the session's date" means by the end of that day in the learner's own zone: on the morning of the
  session everything done so far counts, and looking back later, work done after the day does not.
- A learner is ready when every item is done, has not started when they had neither done nor opened any
  item by then, and is partly ready otherwise. A module without such items has nothing to be ready with:
  everyone is ready.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cadence.courses.domain.deadlines import end_of_day

DEFAULT_DAYS_AHEAD = 7  # the default session: a week from today (a weekly class's next meeting)
MISSING_NAMED = 10  # a check-in names at most this many items still to do, then says how many more


class Status(StrEnum):
    NOT_STARTED = "not_started"
    PARTLY = "partly"
    READY = "ready"


STATUS_LABELS = {
    Status.NOT_STARTED: gettext_lazy("Not started"),
    Status.PARTLY: gettext_lazy("Partly done"),
    Status.READY: gettext_lazy("Ready"),
}
ORDER = {Status.NOT_STARTED: 0, Status.PARTLY: 1, Status.READY: 2}  # who needs the teacher first


def default_session_date(today: date) -> date:
    return today + timedelta(days=DEFAULT_DAYS_AHEAD)


def cutoff(session_date: date, zone: str) -> datetime:
    """The last moment that counts for a learner in `zone`: the end of the session's date in their zone."""
    return end_of_day(session_date, zone)


def status(*, done: int, total: int, opened: bool) -> Status:
    if done >= total:
        return Status.READY
    if done == 0 and not opened:
        return Status.NOT_STARTED
    return Status.PARTLY


def counts(statuses: Sequence[Status]) -> dict[Status, int]:
    """How many learners have each status (every status present, zero included), in `ORDER`."""
    found = dict.fromkeys(sorted(Status, key=ORDER.__getitem__), 0)
    for one in statuses:
        found[one] += 1
    return found


def check_in_text(
    *,
    name: str,
    module: str,
    session_day: str,
    zone: str,
    done: int,
    total: int,
    opened: bool,
    missing: Sequence[str],
) -> str:
    """The suggested check-in for a learner who is not ready: the module, the session's date in the
    learner's zone, what they have done so far and what is still to do. It says only what the figures
    show: "not opened yet" only of someone who has opened none of its items."""
    opening = _("Hi %(name)s, our session on %(day)s builds on “%(module)s”.") % {
        "name": name,
        "day": session_day,
        "module": module,
    }
    if done == 0 and not opened:
        so_far = _("I can see you have not opened it yet.")
    elif done == 0:
        so_far = _("I can see you have opened it, and no item is done yet.")
    else:
        so_far = ngettext(
            "So far you have done %(done)s of its %(total)s item.",
            "So far you have done %(done)s of its %(total)s items.",
            total,
        ) % {"done": done, "total": total}
    named = [f"“{title}”" for title in missing[:MISSING_NAMED]]
    more = len(missing) - len(named)
    still = ", ".join(named)
    if more:
        still += " " + ngettext("and %(n)s more item", "and %(n)s more items", more) % {"n": more}
    to_do = _("Still to do: %(items)s, by the end of %(day)s (%(zone)s time).") % {
        "items": still,
        "day": session_day,
        "zone": zone.replace("_", " "),
    }
    question = _("Is anything getting in your way? Reply here whenever suits you.")
    return " ".join([opening, so_far, to_do, question])
