from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence.courses.models import Membership
from cadence.courses.tests.factories import CourseFactory, ItemFactory, ModuleFactory
from cadence.progress import services
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
    client.force_login(world.learner)
    counts = []
    for extra in (1, 15):
        for _ in range(extra):
            course = CourseFactory()
            Membership.objects.create(user=world.learner, course=course, role="learner")
            item = ItemFactory(module=ModuleFactory(course=course))
            services.record_view(user=world.learner, item=item, now=timezone.now())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 14


def test_teacher_dashboard_has_no_learner_cards(client, world: CourseWorld):
    client.force_login(world.teacher)
    page = client.get(reverse("home")).content.decode()
    assert "Continue where you left off" not in page and "Data Literacy" in page
