"""Check-in templates: placeholders filled from one learner's real figures, and the built-in starting texts.

A template is Markdown written by a teacher with placeholders such as `{first_name}`. Each value comes from
the learner's data and is inserted as plain text: every character Markdown could read as markup is escaped,
so a name like `<script>` or an item title like `](javascript:…)` stays text in the rendered message.
Links (`{last_item}`, `{next_item}`, `{overdue}`) are built here from a title (escaped) and an address the
caller made with `reverse`, never from learner input.

Never say what the data does not show: when a placeholder the text uses has no value for a learner (nothing
overdue, never opened an item, active within the last day for `{days_inactive}`), `fill` returns no text
but the reasons, and that learner is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cadence.core.text import one_line

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
DAY = timedelta(days=1)
MAX_OVERDUE_LISTED = 5


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class LearnerFacts:
    """What the data shows about one learner in one course (the caller loads it; None: not shown)."""

    display_name: str
    course_title: str
    last_active_at: datetime | None = None  # None: never active in the course (or no figures yet)
    overdue: Sequence[Link] = ()
    last_item: Link | None = None
    next_item: Link | None = None
    figures_known: bool = True


# name → what it is (shown to teachers beside the form)
PLACEHOLDERS: Mapping[str, object] = {
    "first_name": gettext_lazy("the learner's first name"),
    "course": gettext_lazy("the course's title"),
    "days_inactive": gettext_lazy("how long since they were last active, such as “9 days” (1 day or more)"),
    "last_item": gettext_lazy("a link to the last item they opened: where they stopped"),
    "next_item": gettext_lazy("a link to the first required item they have not done"),
    "overdue": gettext_lazy("links to the items past their deadline and not done"),
}

# Characters Markdown (CommonMark with tables, strikethrough and $math$) could read as markup anywhere in a line.
_INLINE_SPECIAL = frozenset("\\`*_{}[]()<>#|~$&!")
# Characters that make markup only at the start of a line (lists, headings, quotes, rules).
_LINE_START_SPECIAL = frozenset("-+=>#")


def escape_markdown(value: str) -> str:
    """The value as Markdown text that renders as exactly these characters, on one line."""
    value = one_line(value)
    out = [f"\\{ch}" if ch in _INLINE_SPECIAL else ch for ch in value]
    if out and out[0] in _LINE_START_SPECIAL:
        out[0] = f"\\{out[0]}"
    match = re.match(r"^(\d+)([.)])", value)
    if match:  # "1. Intro" at the start of a line would become a numbered list
        digits = len(match.group(1))
        out[digits] = f"\\{out[digits]}"
    return "".join(out)


def link(item: Link) -> str:
    return f"[{escape_markdown(item.title)}]({item.url})"


def first_name(display_name: str) -> str:
    parts = display_name.split()
    return parts[0] if parts else ""


def placeholders_in(body: str) -> list[str]:
    """The placeholder names the text uses, in order of first use."""
    seen: list[str] = []
    for name in PLACEHOLDER.findall(body or ""):
        if name not in seen:
            seen.append(name)
    return seen


def unknown_placeholders(body: str) -> list[str]:
    return [name for name in placeholders_in(body) if name not in PLACEHOLDERS]


def unknown_message(names: Sequence[str]) -> str:
    known = ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)
    return ngettext(
        "Unknown placeholder %(names)s. Use only: %(known)s.",
        "Unknown placeholders %(names)s. Use only: %(known)s.",
        len(names),
    ) % {"names": ", ".join(f"{{{n}}}" for n in names), "known": known}


@dataclass(frozen=True)
class Filled:
    """A learner's text, or why they are skipped (the text would say something their data does not show)."""

    text: str | None
    reasons: tuple[str, ...] = field(default=())

    @property
    def skipped(self) -> bool:
        return self.text is None


def whole_days_inactive(facts: LearnerFacts, now: datetime) -> int | None:
    if facts.last_active_at is None:
        return None
    return max(0, int((now - facts.last_active_at) / DAY))


def _value(name: str, facts: LearnerFacts, now: datetime) -> str | tuple[None, str]:
    """The escaped value, or (None, reason) when the data does not show it."""
    if name == "first_name":
        first = first_name(facts.display_name)
        return escape_markdown(first) if first else (None, _("no name on their account"))
    if name == "course":
        return escape_markdown(facts.course_title)
    if name == "days_inactive":
        if not facts.figures_known:
            return (None, _("their figures are not ready yet"))
        days = whole_days_inactive(facts, now)
        if days is None:
            return (None, _("not active in the course yet"))
        if days < 1:
            return (None, _("active within the last day"))
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if name == "last_item":
        return link(facts.last_item) if facts.last_item else (None, _("has not opened any item yet"))
    if name == "next_item":
        return link(facts.next_item) if facts.next_item else (None, _("has done every required item"))
    if name == "overdue":
        if not facts.overdue:
            return (None, _("nothing overdue"))
        shown = [link(i) for i in facts.overdue[:MAX_OVERDUE_LISTED]]
        more = len(facts.overdue) - len(shown)
        if more:
            shown.append(ngettext("%(n)d more", "%(n)d more", more) % {"n": more})
        return ", ".join(shown)
    raise KeyError(name)


def fill(body: str, facts: LearnerFacts, *, now: datetime) -> Filled:
    """The template filled for this learner, or the reasons it cannot be (call after checking for unknown
    placeholders: an unknown one raises KeyError)."""
    values: dict[str, str] = {}
    reasons: list[str] = []
    for name in placeholders_in(body):
        value = _value(name, facts, now)
        if isinstance(value, tuple):
            reasons.append(f"{{{name}}}: {value[1]}")
        else:
            values[name] = value
    if reasons:
        return Filled(None, tuple(reasons))
    return Filled(PLACEHOLDER.sub(lambda m: values[m.group(1)], body))


# --- Built-in starting texts ---------------------------------------------------------------------------
# One set of sentences: the built-in templates and the single-learner suggestion (`check_in.suggested_text`)
# are made from these, so the wording is said once.
def question() -> str:
    return _("Is anything getting in your way? Reply here whenever suits you.")


def neutral_opening(*, name: str, course: str) -> str:
    return _("Hi %(name)s, I wanted to check in on how %(course)s is going for you.") % {"name": name, "course": course}


@dataclass(frozen=True)
class BuiltIn:
    key: str
    title: str
    body: str


def built_ins() -> list[BuiltIn]:
    """The starting templates every course has (in the current language)."""
    ask = question()
    return [
        BuiltIn(
            "hello",
            _("Friendly hello"),
            f"{neutral_opening(name='{first_name}', course='{course}')} {ask}",
        ),
        BuiltIn(
            "quiet",
            _("Gone quiet"),
            _("Hi {first_name}, I noticed you have not been active in {course} for {days_inactive}.")
            + f" {_('How is it going?')} {ask}",
        ),
        BuiltIn(
            "pick-up",
            _("Pick up where you stopped"),
            _(
                "Hi {first_name}, you stopped at {last_item} in {course}; that link takes you straight back. "
                "Next up is {next_item}."
            )
            + f" {ask}",
        ),
        BuiltIn(
            "overdue",
            _("Work waiting"),
            _("Hi {first_name}, these are past their deadline in {course}: {overdue}.") + f" {ask}",
        ),
    ]


def built_in(key: str) -> BuiltIn | None:
    return next((b for b in built_ins() if b.key == key), None)
