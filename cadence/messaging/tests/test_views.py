from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.core.testing.queries import count_queries
from cadence.courses.models import Role
from cadence.courses.tests.factories import MembershipFactory
from cadence.messaging import services, views
from cadence.messaging.models import Conversation, Message, Participant, Status
from cadence.messaging.tests.factories import direct, question
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_learner_asks_and_sees_the_question_with_its_status(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    url = reverse("messaging:question-ask", args=[world.course.slug])
    page = client.get(url)
    key = page.context["form"].initial["key"]
    data = {"subject": "Medians?", "body": "How *exactly*? <script>alert(1)</script>", "key": key}
    response = client.post(url, data)
    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("messaging:conversation-detail", args=[conversation.pk])
    client.post(url, data)  # a double submit
    assert Conversation.objects.count() == 1
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert "<em>exactly</em>" in html and "<script>alert" not in html
    assert "Open" in html


def test_ask_form_errors_keep_the_text(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    response = client.post(reverse("messaging:question-ask", args=[world.course.slug]), {"subject": "", "body": "Kept"})
    assert response.status_code == 400
    assert "Kept" in response.content.decode()
    assert not Conversation.objects.exists()


def test_teacher_answers_from_the_conversation_page(client: Client, world: CourseWorld) -> None:
    conversation = question(world.learner, world.course)
    client.force_login(world.teacher)
    queue = client.get(reverse("messaging:question-queue", args=[world.course.slug]))
    assert "1 open question" in queue.content.decode()
    response = client.post(
        reverse("messaging:conversation-reply", args=[conversation.pk]), {"body": "Sort, take the middle.", "key": "k"}
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Status.ANSWERED
    page = client.get(reverse("messaging:conversation-detail", args=[conversation.pk])).content.decode()
    assert "answered in" in page


def test_learner_does_not_see_the_answer_time(client: Client, world: CourseWorld) -> None:
    conversation = question(world.learner, world.course)
    services.reply(actor=world.teacher, conversation=conversation, body="A", key="a", now=timezone.now())
    client.force_login(world.learner)
    page = client.get(reverse("messaging:conversation-detail", args=[conversation.pk])).content.decode()
    assert "Answered" in page and "answered in" not in page


def test_empty_reply_is_refused_and_nothing_changes(client: Client, world: CourseWorld) -> None:
    message = direct(world.learner, world.course, world.teacher)
    client.force_login(world.teacher)
    response = client.post(reverse("messaging:conversation-reply", args=[message.conversation_id]), {"body": " "})
    assert response.status_code == 400
    assert Message.objects.count() == 1


def test_posting_to_a_conversation_you_are_not_in_is_404(client: Client, world: CourseWorld) -> None:
    message = direct(world.learner, world.course, world.teacher)
    client.force_login(world.ta)
    response = client.post(reverse("messaging:conversation-reply", args=[message.conversation_id]), {"body": "Hi"})
    assert response.status_code == 404
    assert client.get(reverse("messaging:conversation-detail", args=[message.conversation_id])).status_code == 404


def test_opening_marks_read(client: Client, world: CourseWorld) -> None:
    message = direct(world.teacher, world.course, world.learner)
    client.force_login(world.learner)
    marker = f"conversation-{message.conversation_id}-unread"
    assert marker in client.get(reverse("messaging:inbox")).content.decode()
    client.get(reverse("messaging:conversation-detail", args=[message.conversation_id]))
    assert not Participant.objects.get(user=world.learner).is_unread
    assert marker not in client.get(reverse("messaging:inbox")).content.decode()


def test_new_message_refuses_learner_to_learner_with_a_clear_error(client: Client, world: CourseWorld) -> None:
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    client.force_login(world.learner)
    url = reverse("messaging:message-new") + f"?course={world.course.slug}"
    form = client.get(url).content.decode()
    assert other.display_name not in form and world.teacher.display_name in form
    response = client.post(url, {"to": [other.pk], "body": "Hi", "key": "x"}, follow=True)
    assert "may message only the teachers" in response.content.decode()
    assert not Message.objects.exists()
    response = client.post(url, {"to": [world.teacher.pk], "body": "Hi", "key": "y"})
    assert response.status_code == 302
    assert Message.objects.count() == 1


def test_new_message_without_a_course_lists_my_courses(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    assert world.course.title in client.get(reverse("messaging:message-new")).content.decode()


def test_check_in_page_sends_a_check_in(client: Client, world: CourseWorld) -> None:
    client.force_login(world.teacher)
    url = reverse("messaging:check-in", args=[world.course.slug, world.learner.pk])
    assert "Hi Learner" in client.get(url).content.decode()
    response = client.post(url, {"body": "How are you?", "key": "c"})
    assert response.status_code == 302
    assert Message.objects.get().is_check_in
    assert client.get(reverse("messaging:check-in", args=[world.course.slug, world.ta.pk])).status_code == 404


def test_settings_page_saves(client: Client, world: CourseWorld) -> None:
    client.force_login(world.teacher)
    url = reverse("messaging:settings", args=[world.course.slug])
    client.post(url, {"learners_may_message_learners": "on"})
    assert world.course.messaging.learners_may_message_learners


def test_inbox_query_count_does_not_grow(client: Client, world: CourseWorld) -> None:
    client.force_login(world.teacher)
    direct(world.teacher, world.course, world.learner)
    small = count_queries(client, reverse("messaging:inbox"))
    for _ in range(6):
        person = MembershipFactory(course=world.course, role=Role.LEARNER).user
        direct(world.teacher, world.course, person, world.ta)
    assert count_queries(client, reverse("messaging:inbox")) == small


def test_conversation_query_count_does_not_grow(client: Client, world: CourseWorld) -> None:
    conversation = question(world.learner, world.course)
    client.force_login(world.teacher)
    url = reverse("messaging:conversation-detail", args=[conversation.pk])
    small = count_queries(client, url)
    for n in range(8):
        services.reply(actor=world.ta, conversation=conversation, body=f"r{n}", key=f"r{n}", now=timezone.now())
        services.reply(actor=world.learner, conversation=conversation, body=f"f{n}", key=f"f{n}", now=timezone.now())
    assert count_queries(client, url) == small


def test_queue_query_count_does_not_grow(client: Client, world: CourseWorld) -> None:
    question(world.learner, world.course)
    client.force_login(world.teacher)
    url = reverse("messaging:question-queue", args=[world.course.slug])
    small = count_queries(client, url)
    for n in range(6):
        asker = MembershipFactory(course=world.course, role=Role.LEARNER).user
        asked = question(asker, world.course, subject=f"Q{n}")
        if n % 2:
            services.reply(actor=world.ta, conversation=asked, body="A", key=f"a{n}", now=timezone.now())
    assert count_queries(client, url) == small


def test_queue_lists_open_first_then_oldest(client: Client, world: CourseWorld) -> None:
    first = question(world.learner, world.course, subject="First")
    question(world.learner, world.course, subject="Second")
    services.reply(actor=world.teacher, conversation=first, body="A", key="a", now=timezone.now())
    client.force_login(world.teacher)
    page = client.get(reverse("messaging:question-queue", args=[world.course.slug]))
    assert [q.subject for q in page.context["rows"]] == ["Second", "First"]


def test_staff_inbox_shows_waiting_questions_per_course(client: Client, world: CourseWorld) -> None:
    question(world.learner, world.course)
    client.force_login(world.ta)
    html = client.get(reverse("messaging:inbox")).content.decode()
    assert "Questions waiting for an answer" in html and "1 open question" in html
    client.force_login(world.learner)
    assert "Questions waiting" not in client.get(reverse("messaging:inbox")).content.decode()


def test_inbox_is_paginated_newest_first(client: Client, world: CourseWorld) -> None:
    people = [MembershipFactory(course=world.course, role=Role.LEARNER).user for _ in range(22)]
    for n, person in enumerate(people):
        services.send_direct(
            actor=world.teacher, course=world.course, recipients=[person], body="Hi", key=None,
            now=timezone.now() - timedelta(minutes=len(people) - n),
        )  # fmt: skip
    client.force_login(world.teacher)
    first = client.get(reverse("messaging:inbox"))
    assert len(first.context["rows"]) == 20
    assert first.context["rows"][0].conversation.participants.all()  # prefetched
    assert people[-1].display_name in first.content.decode()
    second = client.get(reverse("messaging:inbox"), {"page": 2})
    assert len(second.context["rows"]) == 2
    assert people[0].display_name in second.content.decode()


def test_a_new_message_form_shown_again_offers_only_reachable_people(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    url = reverse("messaging:message-new") + f"?course={world.course.slug}"
    response = client.post(url, {"to": [world.teacher.pk], "body": "", "key": "k"})
    assert response.status_code == 400
    html = response.content.decode()
    assert world.teacher.display_name in html
    assert world.outsider.display_name not in html and world.admin.display_name not in html


@pytest.mark.usefixtures("one_instant")
def test_too_fast_keeps_the_typed_reply(client: Client, world: CourseWorld) -> None:
    message = direct(world.teacher, world.course, world.learner)
    client.force_login(world.learner)
    url = reverse("messaging:conversation-reply", args=[message.conversation_id])
    for n in range(10):
        assert client.post(url, {"body": f"m{n}", "key": f"k{n}"}).status_code == 302
    response = client.post(url, {"body": "Please keep this text", "key": "k10"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "too quickly" in html and "Please keep this text" in html
    assert Message.objects.count() == 11


def test_queue_pages_keep_the_status_filter(
    client: Client, world: CourseWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "QUEUE_PER_PAGE", 2)
    for n in range(3):
        question(MembershipFactory(course=world.course, role=Role.LEARNER).user, world.course, subject=f"Q{n}")
    client.force_login(world.teacher)
    url = reverse("messaging:question-queue", args=[world.course.slug])
    first = client.get(url + "?status=open").content.decode()
    assert 'href="?status=open&amp;page=2" rel="next"' in first
    second = client.get(url + "?status=open&page=2").content.decode()
    assert "Page 2 of 2" in second and 'href="?status=open&amp;page=1" rel="prev"' in second
