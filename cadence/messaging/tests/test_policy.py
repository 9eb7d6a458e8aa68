"""The messaging rules of the policy, as a table; `scope` agrees with `can`."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cadence import policy
from cadence.messaging import services
from cadence.messaging.models import Conversation
from conftest import CourseWorld

pytestmark = pytest.mark.django_db

ROLES = ("learner", "ta", "teacher", "admin", "observer", "outsider")


def _question(world: CourseWorld) -> Conversation:
    return services.ask_question(
        actor=world.learner, course=world.course, subject="S", body="B", key=None, now=timezone.now()
    )


def _direct(world: CourseWorld) -> Conversation:
    return services.send_direct(
        actor=world.teacher, course=world.course, recipients=[world.learner], body="B", key=None, now=timezone.now()
    ).conversation


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("ask", {"learner"}),
        ("message", {"learner", "ta", "teacher", "admin", "observer"}),
        ("answer", {"ta", "teacher", "admin"}),
        ("edit", {"teacher", "admin"}),
    ],
)
def test_course_rules(world: CourseWorld, action: str, allowed: set[str]) -> None:
    assert {r for r in ROLES if policy.can(getattr(world, r), action, world.course)} == allowed


@pytest.mark.parametrize(
    ("make", "action", "allowed"),
    [
        (_question, "view", {"learner", "ta", "teacher", "admin"}),
        (_question, "reply", {"learner", "ta", "teacher", "admin"}),
        (_question, "answer", {"ta", "teacher", "admin"}),
        (_direct, "view", {"learner", "teacher"}),  # private: not even site administrators
        (_direct, "reply", {"learner", "teacher"}),
        (_direct, "answer", set()),
    ],
)
def test_conversation_rules(world: CourseWorld, make, action: str, allowed: set[str]) -> None:
    conversation = make(world)
    assert {r for r in ROLES if policy.can(getattr(world, r), action, conversation)} == allowed


def test_scope_agrees_with_can(world: CourseWorld) -> None:
    conversations = [_question(world), _direct(world)]
    for role in ROLES:
        user = getattr(world, role)
        listed = set(policy.scope(user, "view", Conversation.objects.all()))
        assert listed == {c for c in conversations if policy.can(user, "view", c)}, role
