from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadence.core.errors import InvalidInput, NotAllowed
from cadence.courses.models import Item
from cadence.courses.tests.factories import ItemFactory
from cadence.progress import ranges, selectors, services
from cadence.progress.models import Completion, DailyActivity, Event, ItemProgress
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_viewing_completes_a_viewed_item_once_with_its_time(world: CourseWorld):
    item = world.items[0]
    services.record_view(user=world.learner, item=item, now=NOW)
    services.record_view(user=world.learner, item=item, now=NOW + timedelta(hours=1))
    completion = Completion.objects.get(user=world.learner, item=item)
    assert completion.completed_at == NOW
    assert Event.objects.filter(actor=world.learner, verb="viewed").count() == 2
    assert Event.objects.filter(actor=world.learner, verb="completed").count() == 1
    row = ItemProgress.objects.get(user=world.learner, item=item)
    assert (row.first_viewed_at, row.last_viewed_at) == (NOW, NOW + timedelta(hours=1))


def test_teachers_and_observers_leave_no_progress(world: CourseWorld):
    for user in (world.teacher, world.ta, world.observer, world.admin):
        services.record_view(user=user, item=world.items[0], now=NOW)
    assert not Completion.objects.exists() and not ItemProgress.objects.exists()


def test_marked_done_rule(world: CourseWorld):
    item = ItemFactory(module=world.modules[0], completion_rule="marked_done")
    services.record_view(user=world.learner, item=item, now=NOW)
    assert not Completion.objects.filter(item=item).exists()
    services.mark_done(user=world.learner, item=item, now=NOW)
    assert Completion.objects.get(item=item).source == "learner"
    with pytest.raises(InvalidInput):
        services.mark_done(user=world.learner, item=world.items[0], now=NOW)
    with pytest.raises(NotAllowed):
        services.mark_done(user=world.teacher, item=item, now=NOW)


def _beacon(key: str, item: Item, verb: str = "progressed", **kw) -> services.BeaconEvent:
    return services.BeaconEvent(key=key, verb=verb, item_id=item.pk, **kw)


def test_beacon_batch_sent_twice_is_stored_once(world: CourseWorld):
    item = world.items[0]
    batch = [
        _beacon("k-1", item, position=10, duration=100, watched_from=0, watched_to=10),
        _beacon("k-2", item, verb="paused", position=12),
    ]
    first = services.ingest_beacon(user=world.learner, events=batch, now=NOW)
    again = services.ingest_beacon(user=world.learner, events=batch, now=NOW)
    assert (first.stored, first.duplicates, again.stored, again.duplicates) == (2, 0, 0, 2)
    assert Event.objects.filter(actor=world.learner, verb__in=["progressed", "paused"]).count() == 2
    assert selectors.resume_position(world.learner, item) == 12


def test_beacon_with_a_foreign_item_stores_nothing(world: CourseWorld):
    foreign = ItemFactory()
    batch = [_beacon("ok-1", world.items[0], position=5), _beacon("bad-1", foreign, position=5)]
    with pytest.raises(NotAllowed):
        services.ingest_beacon(user=world.learner, events=batch, now=NOW)
    assert not Event.objects.exists() and not ItemProgress.objects.exists()


def test_beacon_with_a_server_only_verb_is_refused(world: CourseWorld):
    with pytest.raises(InvalidInput):
        services.ingest_beacon(user=world.learner, events=[_beacon("c-1", world.items[0], verb="completed")], now=NOW)
    assert not Event.objects.exists()


def test_watched_rule_needs_the_share_actually_watched(world: CourseWorld):
    video = ItemFactory(module=world.modules[0], kind="video", completion_rule="watched", completion_threshold=80)
    # Seeking to the end does not count: only the stretches played.
    services.ingest_beacon(
        user=world.learner,
        events=[_beacon("w-1", video, position=95, duration=100, watched_from=90, watched_to=100)],
        now=NOW,
    )
    assert not Completion.objects.filter(item=video).exists()
    services.ingest_beacon(
        user=world.learner,
        events=[_beacon("w-2", video, position=75, duration=100, watched_from=0, watched_to=75)],
        now=NOW,
    )
    row = ItemProgress.objects.get(item=video)
    assert row.watched_percent == 85
    assert Completion.objects.filter(item=video, user=world.learner).exists()


def test_heartbeats_add_capped_active_time_per_local_day(world: CourseWorld):
    world.learner.time_zone = "Pacific/Auckland"  # UTC+13 in March: 12:00 UTC is 01:00 next day there
    world.learner.save()
    item = world.items[0]
    beats = [_beacon(f"h-{n}", item, verb="heartbeat", timestamp=NOW + timedelta(seconds=15 * n)) for n in range(4)]
    beats.append(_beacon("h-late", item, verb="heartbeat", timestamp=NOW + timedelta(minutes=9)))  # after idling
    services.ingest_beacon(user=world.learner, events=beats, now=NOW + timedelta(minutes=9))
    row = ItemProgress.objects.get(item=item, user=world.learner)
    assert row.active_seconds == 15 + 15 * 3 + 30
    day = DailyActivity.objects.get(user=world.learner)
    assert str(day.day) == "2026-03-11" and day.active_seconds == row.active_seconds
    assert selectors.seconds_studied_this_week(world.learner, now=NOW + timedelta(minutes=10)) == row.active_seconds


def test_client_clock_far_off_is_replaced_by_the_server_time(world: CourseWorld):
    services.ingest_beacon(
        user=world.learner,
        events=[_beacon("t-1", world.items[0], timestamp=NOW - timedelta(days=3), position=1)],
        now=NOW,
    )
    assert Event.objects.get(idempotency_key="t-1").timestamp == NOW


def test_course_progress_counts_required_published_items(world: CourseWorld):
    optional = ItemFactory(module=world.modules[0], is_required=False)
    hidden = ItemFactory(module=world.modules[1], is_published=False)
    for item in (world.items[0], world.items[3], optional):
        services.mark_complete(user=world.learner, item=item, now=NOW)
    progress = selectors.course_progress(world.learner, world.course)
    assert (progress.done, progress.total, progress.percent) == (2, 6, 33)
    assert progress.modules[world.modules[0].pk].done == 1
    assert optional.pk in progress.completed_item_ids and hidden.pk not in progress.ordered_item_ids


def test_next_step_resumes_the_unfinished_item_last_viewed(world: CourseWorld):
    video = ItemFactory(module=world.modules[1], kind="video", completion_rule="watched")
    first = selectors.next_step(world.learner, world.course)
    assert first is not None and first.item == world.items[0]
    services.ingest_beacon(user=world.learner, events=[_beacon("n-1", video, position=42, duration=300)], now=NOW)
    step = selectors.next_step(world.learner, world.course)
    assert step is not None and step.item == video and step.position_seconds == 42 and step.started
    services.mark_complete(user=world.learner, item=video, now=NOW)
    again = selectors.next_step(world.learner, world.course)
    assert again is not None and again.item == world.items[0]


def test_next_step_is_none_when_all_done(world: CourseWorld):
    for item in world.items:
        services.mark_complete(user=world.learner, item=item, now=NOW)
    assert selectors.next_step(world.learner, world.course) is None


def test_review_marks_stay_after_completion(world: CourseWorld):
    item = world.items[0]
    services.record_view(user=world.learner, item=item, now=NOW)
    services.set_review_mark(user=world.learner, item=item, marked=True)
    assert item.pk in selectors.course_progress(world.learner, world.course).review_item_ids
    with pytest.raises(NotAllowed):
        services.set_review_mark(user=world.outsider, item=item, marked=True)


@given(st.lists(st.tuples(st.floats(0, 500), st.floats(0, 500)), max_size=20))
def test_merged_ranges_are_sorted_disjoint_and_cover_the_same_ground(pairs):
    merged = ranges.merge(pairs)
    assert all(a < b for a, b in merged)
    assert all(merged[i][1] + 0.5 < merged[i + 1][0] for i in range(len(merged) - 1))
    for a, b in pairs:
        if b > a:
            assert any(s <= a and b <= e for s, e in merged)
    assert 0 <= ranges.covered_percent(merged, 500) <= 100
