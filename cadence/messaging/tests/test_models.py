from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cadence.messaging import selectors
from cadence.messaging.models import Conversation, Message, Participant
from cadence.messaging.templatetags.messaging import answer_time, duration, since
from cadence.messaging.tests.factories import direct, question
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_unread_compares_last_read_with_the_last_message(world: CourseWorld) -> None:
    now = timezone.now()
    conversation = Conversation.objects.create(
        course=world.course, kind="direct", started_by=world.teacher, created_at=now, last_message_at=now
    )
    row = Participant.objects.create(conversation=conversation, user=world.learner, joined_at=now)
    assert row.is_unread
    row.last_read_at = now
    assert not row.is_unread
    conversation.last_message_at = now + timedelta(seconds=1)
    assert row.is_unread


def test_a_pair_has_one_conversation_per_course(world: CourseWorld) -> None:
    now = timezone.now()
    fields = {"course": world.course, "kind": "direct", "started_by": world.teacher, "created_at": now}
    Conversation.objects.create(**fields, last_message_at=now, pair_key="1-2")
    Conversation.objects.create(**fields, last_message_at=now)  # groups have no pair key
    Conversation.objects.create(**fields, last_message_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(**fields, last_message_at=now, pair_key="1-2")


def test_a_sender_uses_a_key_once(world: CourseWorld) -> None:
    message = direct(world.learner, world.course, world.teacher)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            conversation=message.conversation, sender=world.learner, body="x", created_at=timezone.now(),
            idempotency_key=message.idempotency_key,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (20, "under a minute"),
        (45 * 60, "45 min"),
        (3 * 3600 + 12 * 60, "3 h 12 min"),
        (2 * 86400 + 4 * 3600, "2 d 4 h"),
    ],
)
def test_duration_in_words(seconds: int, text: str) -> None:
    assert duration(timedelta(seconds=seconds)) == text
    assert duration(seconds) == text


def test_answer_time_and_since(world: CourseWorld) -> None:
    conversation = question(world.learner, world.course)
    assert answer_time(conversation) is None
    conversation.first_answered_at = conversation.created_at + timedelta(minutes=5)
    assert answer_time(conversation) == timedelta(minutes=5)
    assert since(conversation.created_at, conversation.created_at + timedelta(hours=1)) == timedelta(hours=1)
    assert since(None, timezone.now()) is None


def test_queue_stats_median_of_several(world: CourseWorld) -> None:
    from cadence.messaging import services

    start = timezone.now()
    for minutes in (10, 30, 90):
        asked = services.ask_question(
            actor=world.learner, course=world.course, subject=f"Q{minutes}", body="B", key=None, now=start
        )
        services.reply(actor=world.ta, conversation=asked, body="A", key=None, now=start + timedelta(minutes=minutes))
    question(world.learner, world.course)
    stats = selectors.queue_stats(world.course)
    assert (stats.open_count, stats.answered_count) == (1, 3)
    assert stats.median_first_answer == timedelta(minutes=30)


def test_unread_conversations_tag(world: CourseWorld) -> None:
    from django.contrib.auth.models import AnonymousUser

    from cadence.messaging.templatetags.messaging import others, unread_conversations

    message = direct(world.teacher, world.course, world.learner, world.ta)
    assert unread_conversations(world.learner) == 1
    assert unread_conversations(world.teacher) == 0
    assert unread_conversations(AnonymousUser()) == 0
    assert others(message.conversation, world.learner) in {"Teacher, Ta", "Ta, Teacher"}
