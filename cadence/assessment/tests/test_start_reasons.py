"""Starting an attempt: the service, the quiz's item page and its template give one reason, from the policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cadence import policy
from cadence.assessment.domain import availability
from cadence.assessment.models import Attempt, AttemptState, Quiz
from cadence.assessment.services import quizzes
from cadence.assessment.tests.factories import question, quiz_item
from cadence.core.errors import DomainError
from cadence.courses.models import Membership
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _quiz(world: CourseWorld, reason: str) -> Quiz:
    now = timezone.now()
    by_reason: dict[str, dict[str, object]] = {
        availability.OPENS_LATER: {"opens_at": now + timedelta(days=1)},
        availability.CLOSED: {"closes_at": now - timedelta(minutes=1)},
        availability.NO_ATTEMPTS: {"attempts_allowed": 1},
        availability.EMPTY: {},
    }
    settings = by_reason[reason]
    questions = [] if reason == availability.EMPTY else [question(world.teacher, world.course)]
    _item, quiz = quiz_item(world.teacher, world.modules[0], *questions, **settings)
    if reason == availability.NO_ATTEMPTS:
        attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=now)
        quizzes.submit_attempt(user=world.learner, attempt_id=attempt.pk, now=now)
    return quiz


@pytest.mark.parametrize(
    "reason", [availability.OPENS_LATER, availability.CLOSED, availability.NO_ATTEMPTS, availability.EMPTY]
)
def test_the_service_the_page_and_the_policy_give_the_same_reason(
    client: Client, world: CourseWorld, reason: str
) -> None:
    quiz = _quiz(world, reason)
    decision = policy.may_start_attempt(world.learner, quiz, now=timezone.now())
    assert not decision and decision.reason == reason
    with pytest.raises(DomainError) as refused:
        quizzes.start_attempt(user=world.learner, quiz=quiz, now=timezone.now())
    assert refused.value.message == str(decision.message) == str(policy.START_REASONS[reason])
    client.force_login(world.learner)
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, quiz.item.pk])).content.decode()
    assert escape(str(decision.message)) in page
    assert "Start the quiz" not in page
    assert Attempt.objects.filter(quiz=quiz, state=AttemptState.IN_PROGRESS).count() == 0


def test_an_open_attempt_may_be_continued_after_the_quiz_closes(world: CourseWorld) -> None:
    now = timezone.now()
    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course))
    attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=now)
    later = now + timedelta(minutes=1)
    quizzes.save_settings(actor=world.teacher, item=quiz.item, data={"closes_at": later + timedelta(hours=2)})
    assert policy.may_start_attempt(world.learner, quiz, now=later)
    assert quizzes.start_attempt(user=world.learner, quiz=quiz, now=later) == attempt


def test_observers_are_told_they_follow_rather_than_take(client: Client, world: CourseWorld) -> None:
    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course))
    decision = policy.may_start_attempt(world.observer, quiz, now=timezone.now())
    assert decision.reason == "watch_only"
    with pytest.raises(DomainError, match="Observers follow"):
        quizzes.start_attempt(user=world.observer, quiz=quiz, now=timezone.now())
    outsider = policy.may_start_attempt(world.outsider, quiz, now=timezone.now())
    assert outsider.reason == "hidden"


def test_a_learner_removed_from_the_course_can_no_longer_answer_in_their_attempt(world: CourseWorld) -> None:
    """The (Attempt, "answer") rule: one's own attempt, while still taking part in the course."""
    now = timezone.now()
    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course))
    attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=now)
    Membership.objects.filter(user=world.learner, course=world.course).delete()
    policy.forget_roles(world.learner)
    with pytest.raises(DomainError, match="no longer take part"):
        quizzes.save_answers(
            user=world.learner, attempt_id=attempt.pk, answers=[quizzes.AnswerInput(1, {"choice": 0})], now=now
        )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS
    with pytest.raises(DomainError, match="not your attempt"):
        quizzes.save_answers(user=world.ta, attempt_id=attempt.pk, answers=[], now=now)


def test_unpublishing_a_quiz_does_not_cut_off_an_attempt_in_progress(world: CourseWorld) -> None:
    now = timezone.now()
    item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course))
    attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=now)
    item.is_published = False
    item.save(update_fields=["is_published"])
    quizzes.save_answers(
        user=world.learner, attempt_id=attempt.pk, answers=[quizzes.AnswerInput(1, {"choice": 0})], now=now
    )
    assert quizzes.submit_attempt(user=world.learner, attempt_id=attempt.pk, now=now).state == AttemptState.SUBMITTED
