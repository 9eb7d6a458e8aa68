from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cadence.community import search, services
from cadence.community.models import Post, PostVote, Subscription
from cadence.community.tests import factories as f
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_a_thread_has_one_opening_post(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course))
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(thread=thread, course=world.course, author=world.ta, is_opening=True, body="x",
                            created_at=timezone.now())  # fmt: skip


def test_one_vote_per_person_and_post(world: CourseWorld) -> None:
    post = f.reply(world.ta, f.thread(world.learner, f.forum(world.course)))
    PostVote.objects.create(post=post, user=world.learner, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        PostVote.objects.create(post=post, user=world.learner, created_at=timezone.now())


def test_a_subscription_is_to_a_forum_or_a_thread(world: CourseWorld) -> None:
    forum = f.forum(world.course)
    thread = f.thread(world.learner, forum)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=world.ta, forum=forum, thread=thread, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=world.ta, created_at=timezone.now())


def test_the_search_index_follows_edits(world: CourseWorld) -> None:
    thread = f.thread(world.learner, f.forum(world.course), title="Plotting", body="scatterplot question")
    opening = Post.objects.get(thread=thread, is_opening=True)
    assert search.matches(world.course.pk, ["scatterplot"], limit=5) == [opening.pk]
    services.edit_post(actor=world.learner, post=opening, body="boxplot question", title="Boxes", now=timezone.now())
    assert search.matches(world.course.pk, ["scatterplot"], limit=5) == []
    assert search.matches(world.course.pk, ["boxplot"], limit=5) == [opening.pk]
    assert search.matches(world.course.pk, ["boxes"], limit=5) == [opening.pk]
    Post.objects.filter(thread=thread).delete()  # posts are learner work: a thread's deletion never takes them
    thread.delete()
    assert search.matches(world.course.pk, ["boxplot"], limit=5) == []
