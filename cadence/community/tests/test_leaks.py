"""Regression tests: a notification carries an excerpt, so it reaches only people who may read the post.

Both leaks were found by trying the product: the hand-written audience in the community services let
members hear of posts they could not open. Every recipient list now goes through `policy.audience`.
"""

from __future__ import annotations

import pytest

from cadence import policy
from cadence.community import services
from cadence.community.models import ForumKind, Thread
from cadence.community.tests import factories as f
from cadence.courses.models import Visibility
from cadence.courses.tests.factories import ItemFactory
from cadence.notifications.models import Notification
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def told(user: object) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", "body"))


def test_an_announcement_in_a_draft_course_reaches_only_its_staff(world: CourseWorld) -> None:
    world.course.visibility = Visibility.DRAFT
    world.course.save(update_fields=["visibility"])
    forum = f.forum(world.course, kind=ForumKind.ANNOUNCEMENTS)
    thread = f.thread(world.teacher, forum, title="Draft plans", body="The secret exam date is May 3.")
    for person in (world.learner, world.observer):
        assert not policy.can(person, "view", thread)
        assert told(person) == []
    assert told(world.ta) == [("announcement", "The secret exam date is May 3.")]


def test_a_mention_in_an_unpublished_discussion_items_forum_reaches_only_its_staff(world: CourseWorld) -> None:
    item = ItemFactory(module=world.modules[0], kind="discussion", title="Week 9 talk", is_published=False)
    forum = services.ensure_item_forum(item)
    assert forum is not None
    thread = f.thread(world.teacher, forum, title="Next week", body="@Learner and @Ta: answers are B, C, A.")
    assert not policy.can(world.learner, "view", thread)
    assert told(world.learner) == []
    assert told(world.ta) == [("mention", "@Learner and @Ta: answers are B, C, A.")]
    f.reply(world.teacher, thread, body="Also @Learner: the quiz key is here.")
    assert told(world.learner) == []


def test_a_reply_in_an_unpublished_items_forum_does_not_reach_a_subscribed_learner(world: CourseWorld) -> None:
    item = ItemFactory(module=world.modules[0], kind="discussion", title="Week 9 talk")
    forum = services.ensure_item_forum(item)
    assert forum is not None
    thread = f.thread(world.learner, forum, title="A question", body="What is a median?")
    item.is_published = False
    item.save(update_fields=["is_published"])
    thread = Thread.objects.select_related("forum__item__module").get(pk=thread.pk)
    f.reply(world.teacher, thread, body="Unpublished for now: the answer is 4.")
    assert told(world.learner) == []
