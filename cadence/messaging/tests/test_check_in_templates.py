"""Check-in templates: placeholders filled from a learner's data as plain text, and never saying what the data
does not show."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from cadence.core.markdown import render_markdown
from cadence.messaging.domain import check_in, check_in_templates
from cadence.messaging.domain.check_in_templates import LearnerFacts, Link, escape_markdown, fill

NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)


def _facts(**overrides: object) -> LearnerFacts:
    values: dict[str, object] = {
        "display_name": "Tomás Ortega",
        "course_title": "Evidence",
        "last_active_at": NOW - timedelta(days=9, hours=2),
        "overdue": (Link("Essay 1", "/courses/evidence/items/4/"),),
        "last_item": Link("Why averages mislead", "/courses/evidence/items/2/"),
        "next_item": Link("Medians", "/courses/evidence/items/3/"),
    }
    return LearnerFacts(**(values | overrides))


def test_every_placeholder_is_filled_from_the_learners_own_data() -> None:
    body = "Hi {first_name}, {days_inactive} in {course}. You stopped at {last_item}; next {next_item}. Due: {overdue}"
    filled = fill(body, _facts(), now=NOW)
    assert filled.text == (
        "Hi Tomás, 9 days in Evidence. You stopped at [Why averages mislead](/courses/evidence/items/2/); "
        "next [Medians](/courses/evidence/items/3/). Due: [Essay 1](/courses/evidence/items/4/)"
    )
    html = render_markdown(filled.text)
    assert '<a href="/courses/evidence/items/2/"' in html


@pytest.mark.parametrize(
    ("facts", "body", "reason"),
    [
        (_facts(overdue=()), "Due: {overdue}", "{overdue}: nothing overdue"),
        (_facts(last_item=None), "You stopped at {last_item}", "{last_item}: has not opened any item yet"),
        (_facts(next_item=None), "Next: {next_item}", "{next_item}: has done every required item"),
        (
            _facts(last_active_at=NOW - timedelta(minutes=10)),
            "{days_inactive} away",
            "{days_inactive}: active within the last day",
        ),
        (_facts(last_active_at=None), "{days_inactive} away", "{days_inactive}: not active in the course yet"),
        (_facts(figures_known=False), "{days_inactive} away", "{days_inactive}: their figures are not ready yet"),
    ],
)
def test_a_learner_for_whom_a_used_placeholder_has_no_value_is_skipped_with_the_reason(
    facts: LearnerFacts, body: str, reason: str
) -> None:
    filled = fill(body, facts, now=NOW)
    assert filled.skipped and filled.text is None
    assert filled.reasons == (reason,)


def test_an_unused_placeholder_without_a_value_does_not_skip_the_learner() -> None:
    assert fill("Hi {first_name}", _facts(overdue=(), last_item=None, last_active_at=None), now=NOW).text == "Hi Tomás"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.tags.update(f"{tag}[{name}]" for name, _value in attrs if name not in ("href", "rel"))


def _elements(html: str) -> set[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


HOSTILE = [
    "<script>alert(1)</script>",
    "](javascript:alert(1))",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "*bold* _it_ `code` $x$ ~~s~~ &lt;b&gt;",
    "# Heading",
    "1. list",
    "- item",
    "> quote",
    "a | b",
    "\\](javascript:alert(1))",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_learner_name_or_item_title_can_never_inject_markup(value: str) -> None:
    facts = _facts(display_name=value, course_title=value, last_item=Link(value, "/courses/c/items/1/"))
    for body in ("{first_name}", "{course}", "Hi {first_name}, see {last_item} in {course}."):
        filled = fill(body, facts, now=NOW)
        assert filled.text is not None
        html = render_markdown(filled.text)
        assert _elements(html) <= {"p", "a"}, html
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert hrefs == (["/courses/c/items/1/"] if "{last_item}" in body else [])


@pytest.mark.parametrize("value", HOSTILE)
def test_an_escaped_value_renders_as_exactly_its_own_characters(value: str) -> None:
    html = render_markdown(escape_markdown(value))
    text = re.sub(r"<[^>]+>", "", html).strip()
    assert text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&") == value


def test_unknown_placeholders_are_named_with_the_known_ones() -> None:
    assert check_in_templates.unknown_placeholders("Hi {first_name} {nmae} {grade} {nmae}") == ["nmae", "grade"]
    message = check_in_templates.unknown_message(["nmae"])
    assert "{nmae}" in message and "{first_name}" in message and "{overdue}" in message


def test_built_in_templates_use_only_known_placeholders_and_share_the_suggestions_wording() -> None:
    for template in check_in_templates.built_ins():
        assert check_in_templates.unknown_placeholders(template.body) == []
    hello = check_in_templates.built_in("hello")
    assert hello is not None
    filled = fill(hello.body, _facts(), now=NOW).text
    suggested = check_in.suggested_text(
        name="Tomás", course="Evidence", figures_known=True, last_active_at=NOW - timedelta(hours=1), now=NOW
    )
    assert filled == suggested
