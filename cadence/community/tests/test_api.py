from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cadence.community import services
from cadence.community.models import ForumKind, Post
from cadence.community.tests import factories as f
from cadence.courses.models import Role
from cadence.courses.tests.factories import GroupFactory, MembershipFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_lists_forums_and_a_page_of_threads(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course, title="General")
    f.bulk_threads(forum, world.teacher, 120)
    client.force_login(world.learner)
    forums = client.get(f"{API}/courses/{world.course.pk}/forums").json()
    assert [row["title"] for row in forums] == ["General"]
    page = client.get(f"{API}/forums/{forum.pk}/threads?page=3").json()
    assert (page["count"], page["page"], page["pages"], len(page["items"])) == (120, 3, 3, 20)
    assert page["items"][0]["is_new"] is True


def test_thread_list_query_count_is_constant(client: Client, world: CourseWorld) -> None:
    small, large = f.forum(world.course, title="S"), f.forum(world.course, title="L")
    f.bulk_threads(small, world.teacher, 2)
    f.bulk_threads(large, world.teacher, 500)
    client.force_login(world.learner)
    counts = []
    for forum in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{API}/forums/{forum.pk}/threads").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_create_thread_and_reply_then_read(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course)
    client.force_login(world.learner)
    created = client.post(
        f"{API}/forums/{forum.pk}/threads", {"title": "Dataset?", "body": "Where **is** it?", "key": "abc12345"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201
    thread_id = created.json()["id"]
    again = client.post(
        f"{API}/forums/{forum.pk}/threads", {"title": "Dataset?", "body": "Where **is** it?", "key": "abc12345"},
        content_type="application/json",
    )  # fmt: skip
    assert again.json()["id"] == thread_id
    client.force_login(world.ta)
    reply = client.post(f"{API}/threads/{thread_id}/posts", {"body": "In week 1"}, content_type="application/json")
    assert reply.status_code == 201
    detail = client.get(f"{API}/threads/{thread_id}").json()
    assert detail["opening"]["html"] == "<p>Where <strong>is</strong> it?</p>\n"
    assert [r["body"] for r in detail["replies"]] == ["In week 1"]


def test_hidden_posts_have_no_body_for_learners(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    post = f.reply(world.ta, thread, "Hide me")
    services.set_hidden(actor=world.teacher, post=post, hidden=True, now=timezone.now())
    client.force_login(world.learner)
    replies = client.get(f"{API}/threads/{thread.pk}").json()["replies"]
    assert replies[0]["state"] == "hidden" and replies[0]["body"] == ""


@pytest.mark.usefixtures("one_instant")
def test_locked_thread_is_409_and_flooding_429(
    client: Client, world: CourseWorld, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    client.force_login(world.ta)
    url = f"{API}/threads/{thread.pk}/posts"
    settings.COMMUNITY_POSTS_PER_MINUTE = 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"body": "One"}, content_type="application/json").status_code == 201
    flooded = client.post(url, {"body": "Two"}, content_type="application/json")
    assert flooded.status_code == 429
    assert "too quickly" in flooded.json()["detail"]
    services.set_locked(actor=world.teacher, thread=thread, locked=True)
    client.force_login(world.learner)
    locked = client.post(url, {"body": "Three"}, content_type="application/json")
    assert locked.status_code == 409
    assert Post.objects.filter(thread=thread).count() == 2


def test_other_groups_thread_is_404_and_learners_cannot_announce(client: Client, world: CourseWorld) -> None:
    forum = f.forum(world.course, group_separated=True)
    blue = GroupFactory(course=world.course, name="Blue")
    other = MembershipFactory(course=world.course, role=Role.LEARNER)
    other.groups.add(blue)
    thread = f.thread(other.user, forum)
    client.force_login(world.learner)
    assert client.get(f"{API}/threads/{thread.pk}").status_code == 404
    news = f.forum(world.course, kind=ForumKind.ANNOUNCEMENTS)
    response = client.post(f"{API}/forums/{news.pk}/threads", {"title": "Hi", "body": "x"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 403


def test_non_member_mention_is_422(client: Client, world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    client.force_login(world.learner)
    response = client.post(f"{API}/threads/{thread.pk}/posts", {"body": "@Nobody hi"}, content_type="application/json")
    assert response.status_code == 422
    assert "not a member" in response.json()["detail"]
