from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cadence.courses.models import Role
from cadence.courses.tests.factories import MembershipFactory
from cadence.messaging import services
from cadence.messaging.models import Conversation, Message
from cadence.messaging.tests.factories import direct, question
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
API = "/api/v1/messages"


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_ask_then_answer_over_the_api(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    body = {"subject": "Medians", "body": "How?", "key": "q-1"}
    response = _post(client, f"{API}/courses/{world.course.pk}/questions", body)
    assert response.status_code == 201, response.content
    conversation_id = response.json()["id"]
    assert response.json()["status"] == "open"
    assert _post(client, f"{API}/courses/{world.course.pk}/questions", body).json()["id"] == conversation_id
    client.force_login(world.teacher)
    queue = client.get(f"{API}/courses/{world.course.pk}/questions?status=open").json()
    assert [row["id"] for row in queue["items"]] == [conversation_id]
    reply = _post(client, f"{API}/conversations/{conversation_id}/messages", {"body": "Sort first."})
    assert reply.status_code == 201 and reply.json()["by_staff"]
    client.force_login(world.learner)
    detail = client.get(f"{API}/conversations/{conversation_id}").json()
    assert detail["status"] == "answered"
    assert [m["body"] for m in detail["messages"]] == ["How?", "Sort first."]


def test_inbox_lists_unread_and_marks_read(client: Client, world: CourseWorld) -> None:
    message = direct(world.teacher, world.course, world.learner, body="Hi there")
    client.force_login(world.learner)
    rows = client.get(f"{API}/conversations").json()["items"]
    assert rows[0]["unread"] is True
    assert {p["display_name"] for p in rows[0]["people"]} == {"Teacher", "Learner"}
    assert client.post(f"{API}/conversations/{message.conversation_id}/read").status_code == 204
    assert client.get(f"{API}/conversations").json()["items"][0]["unread"] is False


def test_send_direct_refusals_are_clear(client: Client, world: CourseWorld) -> None:
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    client.force_login(world.learner)
    base = {"course_id": world.course.pk, "body": "Hi"}
    forbidden = _post(client, f"{API}/conversations", base | {"recipient_ids": [other.pk]})
    assert forbidden.status_code == 403 and "may message only" in forbidden.json()["detail"]
    outsider = _post(client, f"{API}/conversations", base | {"recipient_ids": [world.outsider.pk]})
    assert outsider.status_code == 422 and "must be a member" in outsider.json()["detail"]
    missing = _post(client, f"{API}/conversations", base | {"recipient_ids": [999999]})
    assert missing.status_code == 422
    empty = _post(client, f"{API}/conversations", base | {"recipient_ids": [world.teacher.pk], "body": ""})
    assert empty.status_code == 422
    blank = _post(client, f"{API}/conversations", base | {"recipient_ids": [world.teacher.pk], "body": "  "})
    assert blank.status_code == 422 and "Write a message" in blank.json()["detail"]
    assert not Message.objects.exists()
    ok = _post(client, f"{API}/conversations", base | {"recipient_ids": [world.teacher.pk], "key": "d1"})
    assert ok.status_code == 201


def test_rate_limit_answers_429(client: Client, world: CourseWorld) -> None:
    moment = timezone.now()  # one instant throughout: a minute boundary on a slow machine must not reset the count
    with mock.patch("django.utils.timezone.now", return_value=moment):
        for n in range(10):
            services.send_direct(
                actor=world.learner, course=world.course, recipients=[world.teacher], body=str(n), key=None, now=moment
            )
        client.force_login(world.learner)
        body = {"course_id": world.course.pk, "body": "Hi", "recipient_ids": [world.teacher.pk]}
        response = _post(client, f"{API}/conversations", body)
    assert response.status_code == 429 and "too quickly" in response.json()["detail"]


def test_a_conversation_you_are_not_in_is_404(client: Client, world: CourseWorld) -> None:
    message = direct(world.learner, world.course, world.teacher)
    client.force_login(world.ta)
    assert client.get(f"{API}/conversations/{message.conversation_id}").status_code == 404
    assert _post(client, f"{API}/conversations/{message.conversation_id}/messages", {"body": "x"}).status_code == 404


def test_inbox_query_count_is_constant(client: Client, world: CourseWorld) -> None:
    client.force_login(world.teacher)
    question(world.learner, world.course)
    direct(world.teacher, world.course, world.learner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{API}/conversations").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(5):
        direct(world.teacher, world.course, MembershipFactory(course=world.course).user, world.ta)
    assert count() == small
    assert Conversation.objects.count() == 7


def test_conversation_messages_page_back_with_before(client: Client, world: CourseWorld) -> None:
    first = direct(world.teacher, world.course, world.learner, body="one")
    for body in ("two", "three"):
        direct(world.teacher, world.course, world.learner, body=body)
    client.force_login(world.learner)
    url = f"{API}/conversations/{first.conversation_id}"
    latest = client.get(url, {"limit": 2}).json()["messages"]
    assert [m["body"] for m in latest] == ["two", "three"]
    earlier = client.get(url, {"limit": 2, "before": latest[0]["id"]}).json()["messages"]
    assert [m["body"] for m in earlier] == ["one"]
    assert client.get(url, {"limit": 0}).status_code == 422


def test_queue_and_conversation_query_counts_are_constant(client: Client, world: CourseWorld) -> None:
    asked = question(world.learner, world.course)
    client.force_login(world.teacher)
    queue_url = f"{API}/courses/{world.course.pk}/questions"
    detail_url = f"{API}/conversations/{asked.pk}"

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = (count(queue_url), count(detail_url))
    for n in range(5):
        question(MembershipFactory(course=world.course).user, world.course, subject=f"Q{n}")
        services.reply(actor=world.ta, conversation=asked, body=f"a{n}", key=f"a{n}", now=timezone.now())
    assert (count(queue_url), count(detail_url)) == small
