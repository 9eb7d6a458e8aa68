"""Opening an item page records the view without writing on every request (ADR 0012): the first view, a
completion by viewing and a move to another item are written at once; reopening the item the learner is on
within `VIEW_REFRESH_MINUTES` writes nothing, and the readers of views stay right."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cadence.accounts.tests.factories import UserFactory
from cadence.core.testing.queries import serve, written_table
from cadence.courses.models import Item, Membership, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, ModuleFactory
from cadence.insights import services as insights_services
from cadence.insights.models import LearnerStats
from cadence.insights.selectors import health
from cadence.progress import selectors, services
from cadence.progress.models import Completion, Event, ItemProgress
from cadence.progress.services import BeaconEvent
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def clock() -> Iterator[mock.MagicMock]:
    """The server's clock, set by the test (`clock.return_value = ...`) before each request."""
    with mock.patch("django.utils.timezone.now", return_value=NOW) as now:
        yield now


def _page(client: Client, item: Item) -> list[str]:
    """The tables the item page wrote to (one entry per write)."""
    url = reverse("courses:item-detail", args=[item.course.slug, item.pk])
    return [written_table(sql) for sql in serve(client, url).writes]


def _views(world: CourseWorld, item: Item) -> int:
    return Event.objects.filter(actor=world.learner, item=item, verb="viewed").count()


def test_the_first_view_writes_a_repeat_within_the_window_writes_nothing_and_a_later_one_writes_again(
    client: Client, world: CourseWorld, clock: mock.MagicMock, settings: Any
) -> None:
    settings.VIEW_REFRESH_MINUTES = 5
    item = world.items[0]  # completed by viewing
    client.force_login(world.learner)
    first = _page(client, item)
    assert {"progress_itemprogress", "progress_event", "progress_completion"} <= set(first)
    for minutes in (1, 3, 4.9):
        clock.return_value = NOW + minutes * MINUTE
        assert _page(client, item) == []  # no row, no event, no completion, no savepoint
    clock.return_value = NOW + 5 * MINUTE
    assert _page(client, item) == ["progress_itemprogress", "progress_event"]
    row = ItemProgress.objects.get(user=world.learner, item=item)
    assert (row.first_viewed_at, row.last_viewed_at) == (NOW, NOW + 5 * MINUTE)
    assert _views(world, item) == 2  # one a window: the first view and the one after it
    assert Completion.objects.get(user=world.learner, item=item).completed_at == NOW


def test_staff_pages_write_nothing_either(client: Client, world: CourseWorld, clock: mock.MagicMock) -> None:
    client.force_login(world.teacher)
    assert _page(client, world.items[0]) == []


def test_a_window_of_zero_writes_every_view(world: CourseWorld, settings: Any) -> None:
    settings.VIEW_REFRESH_MINUTES = 0
    item = world.items[0]
    assert services.record_view(user=world.learner, item=item, now=NOW)
    assert services.record_view(user=world.learner, item=item, now=NOW)
    assert _views(world, item) == 2


def test_moving_between_items_is_always_written_so_continue_points_at_the_item_open_last(world: CourseWorld) -> None:
    first, second = (ItemFactory(module=world.modules[0], completion_rule="marked_done") for _ in range(2))
    assert services.record_view(user=world.learner, item=first, now=NOW)
    assert services.record_view(user=world.learner, item=second, now=NOW + MINUTE)
    assert services.record_view(user=world.learner, item=first, now=NOW + 2 * MINUTE)  # back: the resume point moves
    assert not services.record_view(user=world.learner, item=first, now=NOW + 3 * MINUTE)
    step = selectors.next_step(world.learner, world.course)
    assert step is not None and step.item == first and step.started
    assert services.record_view(user=world.learner, item=second, now=NOW + 4 * MINUTE)
    step = selectors.next_step(world.learner, world.course)
    assert step is not None and step.item == second


def test_moving_to_another_course_and_back_is_written_so_the_dashboard_continues_there(world: CourseWorld) -> None:
    other = CourseFactory()
    Membership.objects.create(user=world.learner, course=other, role=Role.LEARNER)
    elsewhere = ItemFactory(module=ModuleFactory(course=other))
    here = world.items[0]
    services.record_view(user=world.learner, item=here, now=NOW)
    services.record_view(user=world.learner, item=elsewhere, now=NOW + MINUTE)
    assert selectors.last_course_viewed(world.learner, [world.course.pk, other.pk]) == other.pk
    assert services.record_view(user=world.learner, item=here, now=NOW + 2 * MINUTE)
    assert selectors.last_course_viewed(world.learner, [world.course.pk, other.pk]) == world.course.pk


def test_a_completion_by_viewing_is_never_skipped(world: CourseWorld) -> None:
    item = ItemFactory(module=world.modules[0], completion_rule="marked_done")
    assert services.record_view(user=world.learner, item=item, now=NOW)
    Item.objects.filter(pk=item.pk).update(completion_rule="viewed")  # the teacher changes the rule
    item.refresh_from_db()
    assert services.record_view(user=world.learner, item=item, now=NOW + MINUTE)  # within the window, yet written
    assert Completion.objects.get(user=world.learner, item=item).completed_at == NOW + MINUTE
    assert not services.record_view(user=world.learner, item=item, now=NOW + 2 * MINUTE)


def test_a_row_begun_by_the_player_still_gets_its_first_view_and_completion(world: CourseWorld) -> None:
    item = world.items[0]
    beat = BeaconEvent(key="b-1", verb="heartbeat", item_id=item.pk, timestamp=NOW)
    services.ingest_beacon(user=world.learner, events=[beat], now=NOW)
    assert ItemProgress.objects.get(user=world.learner, item=item).first_viewed_at is None
    assert services.record_view(user=world.learner, item=item, now=NOW + MINUTE)
    row = ItemProgress.objects.get(user=world.learner, item=item)
    assert row.first_viewed_at == NOW + MINUTE and row.last_viewed_at == NOW + MINUTE
    assert Completion.objects.filter(user=world.learner, item=item).exists()


def test_a_twin_first_view_that_lost_the_race_updates_the_winners_row(
    world: CourseWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = world.items[0]
    services.record_view(user=world.learner, item=item, now=NOW)
    real = services._touch_view
    touched: list[datetime] = []

    def not_yet_committed(user: Any, target: Item, now: datetime) -> bool:  # the twin looked before the commit
        touched.append(now)
        return False if len(touched) == 1 else real(user, target, now)

    monkeypatch.setattr(services, "_touch_view", not_yet_committed)
    assert services.record_view(user=world.learner, item=item, now=NOW + 10 * MINUTE)
    row = ItemProgress.objects.get(user=world.learner, item=item)
    assert (row.first_viewed_at, row.last_viewed_at) == (NOW, NOW + 10 * MINUTE)
    assert Completion.objects.filter(user=world.learner, item=item).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_first_views_at_once_make_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests both find no row and both insert: one insert wins, the other updates its row. (PostgreSQL:
    SQLite runs one writing transaction at a time, so there the second request finds the first one's row.)"""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writing transactions: the twin test above covers the path")
    course = CourseFactory()
    learner = UserFactory()
    Membership.objects.create(user=learner, course=course, role=Role.LEARNER)
    item = ItemFactory(module=ModuleFactory(course=course))
    both_looked = threading.Barrier(2, timeout=10)
    real = services._touch_view
    calls: list[bool] = []

    def touch_then_wait(user: Any, target: Item, now: datetime) -> bool:
        found = real(user, target, now)
        calls.append(found)
        if len(calls) <= 2:
            both_looked.wait()  # neither has inserted yet
        return found

    monkeypatch.setattr(services, "_touch_view", touch_then_wait)
    errors: list[BaseException] = []

    def view(at: datetime) -> None:
        try:
            services.record_view(user=learner, item=item, now=at)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=view, args=(NOW + n * MINUTE,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert calls[:2] == [False, False] and ItemProgress.objects.filter(user=learner, item=item).count() == 1
    assert Completion.objects.filter(user=learner, item=item).count() == 1
    assert Event.objects.filter(actor=learner, item=item, verb="viewed").count() == 2


def test_learners_last_active_advances_with_views_and_heartbeats(world: CourseWorld) -> None:
    item = world.items[3]
    services.record_view(user=world.learner, item=item, now=NOW)
    beat = BeaconEvent(key="b-1", verb="heartbeat", item_id=item.pk, timestamp=NOW + 2 * MINUTE)
    services.ingest_beacon(user=world.learner, events=[beat], now=NOW + 2 * MINUTE)
    services.record_view(user=world.learner, item=item, now=NOW + 3 * MINUTE)  # within the window: not written
    insights_services.refresh_learners(course=world.course, user_ids=[world.learner.pk], now=NOW + 4 * MINUTE)
    stats = LearnerStats.objects.get(course=world.course, user=world.learner)
    assert stats.last_active_at == NOW + 2 * MINUTE  # the heartbeat of the open page
    services.record_view(user=world.learner, item=item, now=NOW + 20 * MINUTE)  # a new visit
    insights_services.refresh_learners(course=world.course, user_ids=[world.learner.pk], now=NOW + 21 * MINUTE)
    stats.refresh_from_db()
    assert stats.last_active_at == NOW + 20 * MINUTE


def test_a_reload_is_not_a_revisit_and_a_return_later_is(world: CourseWorld) -> None:
    item = world.items[3]
    start = NOW - timedelta(hours=3)
    for minutes in (0, 1, 2):  # reloads
        services.record_view(user=world.learner, item=item, now=start + minutes * MINUTE)
    day = NOW.date()
    assert health.course_health(world.teacher, world.course, today=day, now=NOW).revisited == []
    services.record_view(user=world.learner, item=item, now=start + timedelta(hours=2))  # came back
    [revisited] = health.course_health(world.teacher, world.course, today=day, now=NOW).revisited
    assert revisited.item_id == item.pk and revisited.learners == 1
