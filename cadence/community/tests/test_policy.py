from __future__ import annotations

import pytest

from cadence import policy
from cadence.community.models import ForumKind, Post, Thread
from cadence.community.tests import factories as f
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        ("learner", ForumKind.DISCUSSION, True),
        ("observer", ForumKind.DISCUSSION, False),
        ("outsider", ForumKind.DISCUSSION, False),
        ("learner", ForumKind.ANNOUNCEMENTS, False),
        ("ta", ForumKind.ANNOUNCEMENTS, True),
        ("teacher", ForumKind.ANNOUNCEMENTS, True),
        ("admin", ForumKind.ANNOUNCEMENTS, True),
    ],
)
def test_who_may_start_a_thread(world: CourseWorld, role: str, kind: str, allowed: bool) -> None:
    assert policy.can(world.user(role), "post", f.forum(world.course, kind=kind)) is allowed


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("learner", "view", True),
        ("observer", "view", True),
        ("outsider", "view", False),
        ("learner", "moderate", False),
        ("ta", "moderate", True),
        ("learner", "edit", True),  # the learner's own post
        ("ta", "edit", False),
        ("teacher", "edit", True),
        ("observer", "delete", False),
        ("ta", "delete", True),
        ("observer", "report", True),
        ("observer", "vote", False),
    ],
)
def test_post_rules(world: CourseWorld, role: str, action: str, allowed: bool) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    post = Post.objects.get(thread=thread, is_opening=True)
    assert policy.can(world.user(role), action, post) is allowed


@pytest.mark.parametrize("role", ["learner", "observer", "ta", "outsider"])
def test_scope_agrees_with_can_for_post_first_replies(world: CourseWorld, role: str) -> None:
    forum = f.forum(world.course, kind=ForumKind.QA, post_first=True)
    thread = f.thread(world.teacher, forum)
    f.reply(world.ta, thread)
    user = world.user(role)
    rows = Post.objects.filter(thread=thread).select_related("thread__forum", "course")
    visible = set(policy.scope(user, "view", rows).values_list("pk", flat=True))
    assert visible == {p.pk for p in rows if policy.can(user, "view", p)}
    assert (len(visible) == 2) is (role == "ta")
    threads = policy.scope(user, "view", Thread.objects.filter(pk=thread.pk))
    assert threads.exists() is (role != "outsider")
