from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Item, Membership
from cadence.courses.tests.factories import CourseFactory, ItemFactory, ModuleFactory
from cadence.progress import services
from cadence.progress.selectors import progress_for_learners
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def test_dashboard_shows_continue_progress_recent_activity_and_time(client, world: CourseWorld):
    now = timezone.now()
    video = ItemFactory(module=world.modules[1], kind="video", title="Lecture 4", completion_rule="watched")
    services.record_view(user=world.learner, item=world.items[0], now=now - timedelta(minutes=5))
    beats = [
        services.BeaconEvent(
            key=f"hb-{n}", verb="heartbeat", item_id=video.pk, timestamp=now - timedelta(seconds=60 - 15 * n)
        )
        for n in range(4)
    ]
    beats.append(services.BeaconEvent(key="pos-1", verb="paused", item_id=video.pk, position=95, duration=600))
    services.ingest_beacon(user=world.learner, events=beats, now=now)
    client.force_login(world.learner)
    page = client.get(reverse("home")).content.decode()
    assert 'id="dashboard-continue"' in page and "Lecture 4" in page and "?t=95" in page
    assert f'id="course-{world.course.pk}-progress"' in page and "1 of 7 done" in page
    assert "Recent activity" in page and world.items[0].title in page
    assert "1 minute studied" in page


def test_dashboard_queries_do_not_grow_with_courses_or_activity(client, world: CourseWorld):
    Item.objects.filter(pk=world.items[1].pk).update(due_date=timezone.now().date() + timedelta(days=3))
    client.force_login(world.learner)
    counts = []
    for extra in (1, 15):
        for _ in range(extra):
            course = CourseFactory()
            Membership.objects.create(user=world.learner, course=course, role="learner")
            item = ItemFactory(module=ModuleFactory(course=course), due_at=timezone.now() + timedelta(days=2))
            services.record_view(user=world.learner, item=item, now=timezone.now())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        counts.append(len(captured))
    # Two of them: the header's unread notification count, and the course invitations waiting for an answer.
    assert counts[0] == counts[1] <= 20


def test_teacher_dashboard_has_no_learner_cards(client, world: CourseWorld):
    client.force_login(world.teacher)
    page = client.get(reverse("home")).content.decode()
    assert "Continue where you left off" not in page and "Data Literacy" in page


def test_dashboard_lists_overdue_and_due_this_week_in_the_learners_zone(client, world: CourseWorld):
    now = timezone.now()
    world.learner.time_zone = "Asia/Tokyo"
    world.learner.save()
    module = world.modules[0]
    ItemFactory(module=module, title="Late essay", due_at=now - timedelta(days=1))
    soon = ItemFactory(module=module, title="Quiz 2", due_at=now + timedelta(days=2))
    ItemFactory(module=module, title="Finished task", due_at=now + timedelta(days=1))
    ItemFactory(module=module, title="Far away", due_at=now + timedelta(days=9))
    ItemFactory(module=module, title="Hidden draft", due_at=now + timedelta(days=1), is_published=False)
    services.mark_complete(user=world.learner, item=module.items.get(title="Finished task"), now=now)
    client.force_login(world.learner)
    page = client.get(reverse("home")).content.decode()
    due = page.split('id="due-heading"')[1].split('id="my-courses-heading"')[0]
    overdue, upcoming = due.split('id="overdue-heading"')[1].split('id="upcoming-heading"')
    assert "Late essay" in overdue and "Quiz 2" not in overdue
    assert "Quiz 2" in upcoming
    for absent in ("Finished task", "Far away", "Hidden draft"):
        assert absent not in due
    local = timezone.localtime(soon.due_at, timezone=ZoneInfo("Asia/Tokyo"))
    assert f'<time datetime="{local.isoformat()}">' in upcoming and "(Asia/Tokyo)" in upcoming


def test_nothing_due_is_said_plainly(client, world: CourseWorld):
    client.force_login(world.learner)
    assert "Nothing is due in the next 7 days." in client.get(reverse("home")).content.decode()


def test_progress_per_course_counts_only_required_items_learners_see(world: CourseWorld):
    """Done and total are counted in SQL: required, published items of published modules; a completion of
    an optional, hidden or archived item counts for nothing."""
    hidden_module = ModuleFactory(course=world.course, is_published=False)
    extra = {
        "optional": ItemFactory(module=world.modules[0], is_required=False),
        "hidden": ItemFactory(module=world.modules[0], is_published=False),
        "in hidden module": ItemFactory(module=hidden_module),
    }
    other_course = CourseFactory()
    other_item = ItemFactory(module=ModuleFactory(course=other_course))
    Membership.objects.create(user=world.learner, course=other_course, role="learner")
    second = UserFactory()
    Membership.objects.create(user=second, course=world.course, role="learner")
    now = timezone.now()
    for item in [world.items[0], *extra.values()]:
        services.mark_complete(user=world.learner, item=Item.objects.get(pk=item.pk), now=now)
    services.mark_complete(user=world.learner, item=other_item, now=now)
    services.mark_complete(user=second, item=world.items[1], now=now)
    services.mark_complete(user=second, item=world.items[2], now=now)
    required = Item.objects.filter(course=world.course, is_required=True, is_published=True, module__is_published=True)
    with CaptureQueriesContext(connection) as queries:
        found = progress_for_learners(
            [(world.learner.pk, world.course.pk), (world.learner.pk, other_course.pk), (second.pk, world.course.pk)]
        )
    assert len(queries) == 2
    assert (found[(world.learner.pk, world.course.pk)].done, found[(world.learner.pk, world.course.pk)].total) == (
        1,
        required.count(),
    )
    assert (found[(world.learner.pk, other_course.pk)].done, found[(world.learner.pk, other_course.pk)].total) == (1, 1)
    assert found[(second.pk, world.course.pk)].done == 2
