from __future__ import annotations

import gzip
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cadence.community import selectors, services
from cadence.community.models import Forum, Post
from cadence.community.services.common import handle_of, mentioned_names
from cadence.community.tests import factories as f
from cadence.core.markdown import render_markdown
from cadence.core.testing.queries import count_queries
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_forum_list_query_count_does_not_grow(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    f.forum(world.course, title="One")
    url = reverse("community:forum-list", args=[world.course.slug])
    few = count_queries(client, url)
    Forum.objects.bulk_create(Forum(course=world.course, title=f"Forum {n}") for n in range(40))
    assert count_queries(client, url) == few


def test_search_and_report_queue_query_counts_do_not_grow(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course)
    thread = f.thread(world.learner, forum, title="Histogram question")
    post = f.reply(world.ta, thread, "histogram answer")
    services.report_post(actor=world.learner, post=post, reason="x", now=timezone.now())
    client.force_login(world.teacher)
    search = reverse("community:forum-search", args=[world.course.slug]) + "?q=histogram"
    queue = reverse("community:report-list", args=[world.course.slug])
    before = (count_queries(client, search), count_queries(client, queue))
    for n in range(30):
        extra = f.reply(world.ta, thread, f"histogram answer {n}")
        services.report_post(actor=world.learner, post=extra, reason=f"r{n}", now=timezone.now())
    assert (count_queries(client, search), count_queries(client, queue)) == before


def test_a_full_thread_page_is_small(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    f.bulk_replies(thread, [world.ta, world.learner, world.teacher], 60)
    client.force_login(world.learner)
    html = client.get(reverse("community:thread-detail", args=[world.course.slug, thread.pk])).content
    assert len(gzip.compress(html)) < 30 * 1024


def test_page_of_post_finds_the_page_of_a_nested_reply(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    f.bulk_replies(thread, [world.ta], 120)
    top = Post.objects.filter(thread=thread, is_opening=False).order_by("id")[100]
    child = f.reply(world.learner, thread, parent=top)
    assert selectors.page_of_post(world.learner, thread, child.pk) == 3


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_mention_parsing_never_fails_and_handles_are_plain(text: str) -> None:
    for name in mentioned_names(text):
        assert "\n" not in name and len(name) <= 100
    assert handle_of(text) == handle_of(text).lower()
    assert " " not in handle_of(text)


def test_bracketed_and_bare_mentions() -> None:
    body = "Thanks @[Ada Lovelace], @grace. and mail@example.org `@code`\n```\n@property\n```\n"
    assert mentioned_names(body) == ["Ada Lovelace", "grace"]


FRAGMENTS = ["<script>", "</script>", "<img src=x onerror=", "javascript:", "<svg onload=", "<a href=", '"', "'",
             ">", "<", "[x](", ")", "**", "`", "\n", "data:text/html,", "<style>", "expression(", "@[Ta]"]  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=25))
def test_any_post_body_renders_without_active_content(parts: list[str]) -> None:
    parser = _Tags()
    parser.feed(str(render_markdown("".join(parts))))
    for tag, attrs in parser.tags:
        assert tag not in {"script", "svg", "style", "iframe", "object", "embed"}
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src"}:
                assert not "".join((value or "").split()).lower().startswith(("javascript:", "data:")), value
