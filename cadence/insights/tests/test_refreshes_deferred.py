"""Bulk writers defer the per-learner refreshes: one set-based refresh per course when the block ends."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Role
from cadence.courses.tests.factories import MembershipFactory
from cadence.insights import services
from cadence.insights.models import LearnerStats
from cadence.progress import services as progress
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_changes_inside_a_deferred_block_are_refreshed_once_per_course_at_its_end(
    world: CourseWorld, django_capture_on_commit_callbacks: Any
) -> None:
    other = UserFactory(display_name="Second learner")
    MembershipFactory(user=other, course=world.course, role=Role.LEARNER)
    now = timezone.now()
    with django_capture_on_commit_callbacks() as inside, services.refreshes_deferred():
        for item in world.items[:3]:
            progress.mark_complete(user=world.learner, item=item, now=now)
        progress.mark_complete(user=other, item=world.items[0], now=now)
        assert not inside  # nothing queued yet: each change only noted its learner
    assert len(inside) == 1
    inside[0]()
    rows = dict(LearnerStats.objects.filter(course=world.course).values_list("user_id", "required_done"))
    assert rows == {world.learner.pk: 3, other.pk: 1}


def test_without_a_deferred_block_each_change_queues_its_own_refresh(
    world: CourseWorld, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    with django_capture_on_commit_callbacks() as queued:
        for item in world.items[:2]:
            progress.mark_complete(user=world.learner, item=item, now=now)
    assert len(queued) == 2


def test_a_failing_deferred_block_queues_nothing(world: CourseWorld, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as queued, pytest.raises(RuntimeError), services.refreshes_deferred():
        services.learner_changed(course_id=world.course.pk, user_id=world.learner.pk)
        raise RuntimeError("halfway")
    assert not queued
    with django_capture_on_commit_callbacks() as after:  # the deferral has ended
        services.learner_changed(course_id=world.course.pk, user_id=world.learner.pk)
    assert len(after) == 1
