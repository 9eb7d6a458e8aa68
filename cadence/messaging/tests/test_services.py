from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cadence import policy
from cadence.accounts.tests.factories import UserFactory
from cadence.core.errors import InvalidInput, NotAllowed
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory
from cadence.messaging import selectors, services
from cadence.messaging.models import Conversation, CourseMessaging, Message, Participant, Status
from cadence.messaging.services import RateLimited
from cadence.messaging.tests.factories import direct, question
from cadence.notifications.models import Notification
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_asking_creates_an_open_question_and_notifies_the_staff(world: CourseWorld) -> None:
    conversation = question(world.learner, world.course)
    assert conversation.status == Status.OPEN
    assert conversation.message_count == 1
    notified = set(Notification.objects.filter(kind="message").values_list("recipient_id", flat=True))
    assert notified == {world.teacher.pk, world.ta.pk}


@pytest.mark.parametrize("role", ["teacher", "ta", "observer", "outsider", "admin"])
def test_only_learners_ask(world: CourseWorld, role: str) -> None:
    with pytest.raises(NotAllowed):
        question(getattr(world, role), world.course)


@pytest.mark.parametrize(("subject", "body"), [("", "Body"), ("Subject", "   "), ("x" * 201, "Body")])
def test_a_question_needs_a_subject_and_a_body(world: CourseWorld, subject: str, body: str) -> None:
    with pytest.raises(InvalidInput):
        question(world.learner, world.course, subject=subject, body=body)
    assert not Conversation.objects.exists()


def test_a_staff_answer_marks_answered_records_the_time_and_notifies_the_asker(world: CourseWorld) -> None:
    asked = timezone.now()
    conversation = services.ask_question(
        actor=world.learner, course=world.course, subject="S", body="B", key="k1", now=asked
    )
    later = asked + timedelta(hours=3, minutes=12)
    services.reply(actor=world.ta, conversation=conversation, body="Like this.", key="a1", now=later)
    conversation.refresh_from_db()
    assert conversation.status == Status.ANSWERED
    assert conversation.first_answered_at == later
    assert Notification.objects.filter(recipient=world.learner, kind="message").count() == 1
    # A second answer does not move the first answer's time.
    services.reply(
        actor=world.teacher, conversation=conversation, body="Also.", key="a2", now=later + timedelta(hours=1)
    )
    conversation.refresh_from_db()
    assert conversation.first_answered_at == later
    stats = selectors.queue_stats(world.course)
    assert stats.median_first_answer == timedelta(hours=3, minutes=12)
    assert stats.open_count == 0


def test_the_askers_follow_up_reopens_and_notifies_who_answered(world: CourseWorld) -> None:
    conversation = question(world.learner, world.course)
    services.reply(actor=world.ta, conversation=conversation, body="A", key="a", now=timezone.now())
    Notification.objects.all().delete()
    services.reply(actor=world.learner, conversation=conversation, body="But why?", key="f", now=timezone.now())
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world.ta.pk]


def test_staff_change_a_questions_status_and_learners_cannot(world: CourseWorld) -> None:
    conversation = question(world.learner, world.course)
    services.set_question_status(actor=world.teacher, conversation=conversation, status="closed", now=timezone.now())
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED
    with pytest.raises(NotAllowed):
        services.set_question_status(actor=world.learner, conversation=conversation, status="open", now=timezone.now())
    with pytest.raises(InvalidInput):
        services.set_question_status(actor=world.teacher, conversation=conversation, status="gone", now=timezone.now())


def test_other_learners_and_observers_cannot_reply_to_a_question(world: CourseWorld) -> None:
    conversation = question(world.learner, world.course)
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    for person in (other, world.observer, world.outsider):
        with pytest.raises(NotAllowed):
            services.reply(actor=person, conversation=conversation, body="Hi", key=None, now=timezone.now())


def test_a_retried_post_with_the_same_key_sends_once(world: CourseWorld) -> None:
    now = timezone.now()
    first = services.ask_question(actor=world.learner, course=world.course, subject="S", body="B", key="same", now=now)
    again = services.ask_question(actor=world.learner, course=world.course, subject="S", body="B", key="same", now=now)
    assert first.pk == again.pk
    one = services.reply(actor=world.teacher, conversation=first, body="A", key="r", now=now)
    two = services.reply(actor=world.teacher, conversation=first, body="A", key="r", now=now)
    assert one.pk == two.pk
    assert Message.objects.count() == 2
    assert Notification.objects.filter(recipient=world.learner).count() == 1


def test_a_pair_keeps_one_conversation_per_course_and_unread_follows_last_message(world: CourseWorld) -> None:
    first = direct(world.learner, world.course, world.teacher)
    second = direct(world.teacher, world.course, world.learner, body="Back to you")
    assert first.conversation_id == second.conversation_id
    learner_row = Participant.objects.get(user=world.learner)
    assert learner_row.is_unread
    services.mark_read(user=world.learner, conversation=first.conversation, now=timezone.now())
    assert selectors.unread_count(world.learner) == 0
    assert selectors.unread_count(world.teacher) == 0  # their own message does not count
    assert Notification.objects.filter(recipient=world.teacher, kind="message").count() == 1


def test_learners_message_learners_only_when_the_course_allows(world: CourseWorld) -> None:
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    with pytest.raises(NotAllowed, match="may message only the teachers"):
        direct(world.learner, world.course, other)
    services.save_settings(actor=world.teacher, course=world.course, learners_may_message_learners=True)
    assert direct(world.learner, world.course, other).conversation.participants.count() == 2
    assert CourseMessaging.objects.get(course=world.course).learners_may_message_learners


def test_observers_may_message_staff_but_not_learners(world: CourseWorld) -> None:
    assert direct(world.observer, world.course, world.teacher)
    with pytest.raises(NotAllowed):
        direct(world.observer, world.course, world.learner)


def test_a_non_member_cannot_be_messaged(world: CourseWorld) -> None:
    with pytest.raises(InvalidInput, match="must be a member of Data Literacy"):
        direct(world.teacher, world.course, world.outsider)
    other_course = CourseFactory()
    MembershipFactory(course=other_course, user=world.learner, role=Role.LEARNER)
    with pytest.raises(NotAllowed):  # the outsider shares no course with anyone here
        direct(world.outsider, world.course, world.learner)
    assert not Message.objects.exists()


def test_empty_messages_and_no_recipients_are_refused(world: CourseWorld) -> None:
    with pytest.raises(InvalidInput, match="Write a message"):
        direct(world.learner, world.course, world.teacher, body=" \n ")
    with pytest.raises(InvalidInput, match="Choose someone"):
        direct(world.learner, world.course, world.learner)


def test_a_small_group_conversation(world: CourseWorld) -> None:
    message = direct(world.teacher, world.course, world.learner, world.ta)
    assert message.conversation.pair_key == ""
    assert set(message.conversation.participants.values_list("user_id", flat=True)) == {
        world.teacher.pk, world.learner.pk, world.ta.pk,
    }  # fmt: skip
    too_many = [MembershipFactory(course=world.course).user for _ in range(9)]
    with pytest.raises(InvalidInput, match="at most 8"):
        direct(world.teacher, world.course, *too_many)


def test_sending_is_rate_limited_per_user(world: CourseWorld) -> None:
    now = timezone.now()
    for n in range(10):
        services.send_direct(
            actor=world.learner, course=world.course, recipients=[world.teacher], body=f"m{n}", key=None, now=now
        )
    with pytest.raises(RateLimited):
        services.send_direct(
            actor=world.learner, course=world.course, recipients=[world.teacher], body="m", key=None, now=now
        )
    # Another person is not affected, and staff have more room for a round of check-ins.
    for n in range(30):
        services.send_direct(
            actor=world.teacher, course=world.course, recipients=[world.learner], body=f"t{n}", key=None, now=now
        )
    with pytest.raises(RateLimited):
        services.send_direct(
            actor=world.teacher, course=world.course, recipients=[world.learner], body="t", key=None, now=now
        )
    # A new minute, a new allowance.
    later = now + timedelta(seconds=61)
    assert services.send_direct(
        actor=world.learner, course=world.course, recipients=[world.teacher], body="m", key=None, now=later
    )


def test_a_check_in_is_a_direct_message_with_a_check_in_notification(world: CourseWorld) -> None:
    message = services.send_check_in(
        actor=world.teacher, course=world.course, learner=world.learner, body="How is it going?", now=timezone.now()
    )
    assert message.is_check_in and message.conversation.kind == "direct"
    assert Notification.objects.get(recipient=world.learner).kind == "check_in"
    with pytest.raises(InvalidInput):
        services.send_check_in(
            actor=world.teacher, course=world.course, learner=world.ta, body="Hi", now=timezone.now()
        )
    with pytest.raises(NotAllowed):
        services.send_check_in(
            actor=world.learner, course=world.course, learner=world.learner, body="Hi", now=timezone.now()
        )


def test_only_teachers_change_settings(world: CourseWorld) -> None:
    with pytest.raises(NotAllowed):
        services.save_settings(actor=world.ta, course=world.course, learners_may_message_learners=True)


def test_the_people_one_may_message_follow_the_rules(world: CourseWorld) -> None:
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    names = set(selectors.recipients_for(world.learner, world.course))
    assert names == {world.teacher, world.ta}
    assert other in set(selectors.recipients_for(world.teacher, world.course))
    _ = UserFactory()


def test_a_learner_who_left_reads_but_no_longer_writes(world: CourseWorld) -> None:
    message = direct(world.teacher, world.course, world.learner)
    world.learner_membership.delete()
    policy.forget_roles(world.learner)
    assert policy.can(world.learner, "view", message.conversation)
    with pytest.raises(NotAllowed):
        services.reply(actor=world.learner, conversation=message.conversation, body="Hi", key=None, now=timezone.now())


def test_learner_conversations_stop_when_the_course_forbids_them_again(world: CourseWorld) -> None:
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    services.save_settings(actor=world.teacher, course=world.course, learners_may_message_learners=True)
    message = direct(world.learner, world.course, other)
    group = direct(world.teacher, world.course, world.learner, other)
    services.save_settings(actor=world.teacher, course=world.course, learners_may_message_learners=False)
    with pytest.raises(NotAllowed):
        services.reply(actor=other, conversation=message.conversation, body="Hi", key=None, now=timezone.now())
    # With a member of staff in the conversation, learners keep replying.
    reply = services.reply(actor=other, conversation=group.conversation, body="Hi all", key=None, now=timezone.now())
    assert set(Notification.objects.filter(key=f"message:{reply.pk}").values_list("recipient_id", flat=True)) == {
        world.teacher.pk, world.learner.pk,
    }  # fmt: skip


def test_a_concurrent_twin_gets_the_winners_message(world: CourseWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    first = services.send_direct(
        actor=world.learner, course=world.course, recipients=[world.teacher], body="Hi", key="twin", now=timezone.now()
    )
    real = services._earlier
    calls: list[str] = []

    def not_yet_committed(sender, key):  # the twin looked before the winner committed
        calls.append(key)
        return None if len(calls) == 1 else real(sender, key)

    monkeypatch.setattr(services, "_earlier", not_yet_committed)
    twin = services.send_direct(
        actor=world.learner, course=world.course, recipients=[world.teacher], body="Hi", key="twin", now=timezone.now()
    )
    assert twin.pk == first.pk
    assert Message.objects.count() == 1
