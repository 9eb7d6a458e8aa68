"""`policy.audience`: who may be told about something, in a fixed number of queries, and every
notification's recipients go through it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cadence import policy
from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.models import Attempt
from cadence.assessment.tests.factories import question, quiz_item
from cadence.community.models import ForumKind, Post
from cadence.community.tests import factories as forums
from cadence.courses.models import Membership, Role
from cadence.courses.tests.factories import GroupFactory, MembershipFactory
from cadence.messaging.tests import factories as messages
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _queries(action: str, obj: Model, ids: list[int]) -> tuple[int, list[int]]:
    with CaptureQueriesContext(connection) as captured:
        heard = policy.audience(action, obj, ids)
    return len(captured), heard


def test_audience_queries_do_not_grow_with_the_people_asked_about(world: CourseWorld) -> None:
    group = GroupFactory(course=world.course, name="Red")
    Membership.objects.get(user=world.learner, course=world.course).groups.add(group)
    forum = forums.forum(world.course, kind=ForumKind.QA, post_first=True, group_separated=True)
    asked = forums.thread(world.learner, forum, title="Why?")
    answer = forums.reply(world.teacher, asked, body="Because.")
    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course))
    attempt = Attempt.objects.create(quiz=quiz, user=world.learner, number=1, started_at=timezone.now())
    conversation = messages.direct(world.teacher, world.course, world.learner).conversation
    staff = [world.teacher.pk, world.ta.pk, world.admin.pk, world.observer.pk]
    objects: list[tuple[str, Model]] = [("view", answer), ("view", attempt), ("view", conversation)]
    objects += [("message", Membership.objects.get(user=world.learner, course=world.course))]
    few = {key: _queries(*key, [*staff, world.learner.pk]) for key in objects}
    for n in range(30):
        membership = MembershipFactory(course=world.course, role=Role.LEARNER, user=UserFactory(display_name=f"L{n}"))
        if n % 2:
            membership.groups.add(group)
        if n % 6 == 1:  # some have answered the post-first question, so they may read its answers
            forums.reply(membership.user, asked, body="Me too")
    many_ids = staff + list(Membership.objects.filter(role=Role.LEARNER).values_list("user_id", flat=True))
    for action, obj in objects:
        count, heard = _queries(action, obj, many_ids)
        assert count <= few[(action, obj)][0] + 1, (action, obj)  # +1: a fact nobody in the small set needed
        assert count <= 8
        assert heard == sorted(u.pk for u in User.objects.filter(pk__in=many_ids) if policy.can(u, action, obj))


def test_audience_of_nothing_asks_nothing(world: CourseWorld) -> None:
    post = Post.objects.get(thread=forums.thread(world.learner, forums.forum(world.course)), is_opening=True)
    assert _queries("view", post, []) == (0, [])
    assert policy.audience("no-such-action", post, [world.learner.pk]) == []


# --- Every notification goes through the audience ---------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
# Reminders filter each learner's due items through policy.audience (one audience per item) before they
# notify that learner alone, in the learner's own language and time zone; risk alerts take each risen
# learner's audience from the policy and split it by language, so each group reads the reasons in its own.
FILTERED_BEFORE = {"progress/reminders.py", "insights/risk_alerts.py"}


def _notify_calls() -> list[tuple[str, int, ast.expr | None]]:
    calls = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in f"/{rel}":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "notify":
                recipients = next((k.value for k in node.keywords if k.arg == "recipients"), None)
                calls.append((rel, node.lineno, recipients))
    return calls


def test_every_notify_call_sends_its_recipients_through_the_policy_audience() -> None:
    calls = _notify_calls()
    assert len(calls) > 10  # the scan found the call sites
    unchecked = []
    for rel, line, recipients in calls:
        if rel in FILTERED_BEFORE:
            assert "policy.audience(" in (ROOT / rel).read_text()
            continue
        source = (ROOT / rel).read_text()
        segment = ast.get_source_segment(source, recipients) if recipients is not None else ""
        if "policy.audience(" in (segment or ""):
            continue
        # `ids = policy.audience(...)` (or a filtered copy) just before `notify(recipients=ids, ...)`.
        if isinstance(recipients, ast.Name):
            before = source.splitlines()[max(0, line - 4) : line]
            if any(f"{recipients.id} = " in row and "policy.audience(" in row for row in before):
                continue
        unchecked.append(f"{rel}:{line}")
    assert unchecked == []
