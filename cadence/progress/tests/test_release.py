from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse

from cadence.core.errors import InvalidInput, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses.models import Membership
from cadence.courses.tests.factories import GroupFactory, ItemFactory
from cadence.progress import release, selectors, services
from cadence.progress.models import Event, ReleaseRule
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _locks(world: CourseWorld, now: datetime = NOW) -> release.Availability:
    return release.learner_availability(world.learner, world.course, now=now)


def test_item_opens_after_its_prerequisite_is_complete(world: CourseWorld):
    first, second = world.items[0], world.items[1]
    services.set_release_rule(actor=world.teacher, target=second, spec=services.ReleaseSpec(after_item=first))
    lock = _locks(world).lock_for(second)
    assert lock is not None and first.title in lock.reason and lock.opens_at is None
    services.mark_complete(user=world.learner, item=first, now=NOW)
    assert _locks(world).lock_for(second) is None


def test_module_after_module_locks_every_item_in_it(world: CourseWorld):
    services.set_release_rule(
        actor=world.teacher, target=world.modules[1], spec=services.ReleaseSpec(after_module=world.modules[0])
    )
    later = [i for i in world.items if i.module_id == world.modules[1].pk]
    assert all(_locks(world).lock_for(i) for i in later)
    for item in world.items[:3]:
        services.mark_complete(user=world.learner, item=item, now=NOW)
    assert not any(_locks(world).lock_for(i) for i in later)


def test_date_in_the_learners_own_zone(world: CourseWorld):
    world.learner.time_zone = "Asia/Tokyo"
    world.learner.save()
    item = world.items[2]
    spec = services.ReleaseSpec(open_date=date(2026, 3, 11), open_time=time(9, 0), zone_basis="learner")
    services.set_release_rule(actor=world.teacher, target=item, spec=spec)
    opens = datetime(2026, 3, 11, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    lock = _locks(world, opens - timedelta(minutes=1)).lock_for(item)
    assert lock is not None and lock.opens_at == opens
    assert _locks(world, opens).lock_for(item) is None


def test_date_in_the_course_zone_is_the_same_instant_for_everyone(world: CourseWorld):
    world.course.time_zone = "America/New_York"
    world.course.save()
    spec = services.ReleaseSpec(open_date=date(2026, 3, 10), zone_basis="course")
    services.set_release_rule(actor=world.teacher, target=world.items[2], spec=spec)
    opens = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # midnight in New York (EDT from 8 March)
    lock = _locks(world, opens - timedelta(seconds=1)).lock_for(world.items[2])
    assert lock is not None and lock.opens_at == opens
    assert _locks(world, opens).lock_for(world.items[2]) is None


def test_group_only_items_stay_locked_for_other_groups(world: CourseWorld):
    evening, weekend = (
        GroupFactory(course=world.course, name="Evening"),
        GroupFactory(course=world.course, name="Weekend"),
    )
    world.learner_membership.groups.add(weekend)
    services.set_release_rule(actor=world.teacher, target=world.items[1], spec=services.ReleaseSpec(groups=[evening]))
    assert _locks(world).lock_for(world.items[1]) is not None
    world.learner_membership.groups.add(evening)
    assert _locks(world).lock_for(world.items[1]) is None


def test_teacher_override_opens_for_one_learner_and_is_audited(world: CourseWorld):
    services.set_release_rule(
        actor=world.teacher, target=world.items[1], spec=services.ReleaseSpec(after_item=world.items[0])
    )
    override = services.grant_release_override(
        actor=world.teacher, target=world.items[1], learner=world.learner, now=NOW
    )
    assert _locks(world).lock_for(world.items[1]) is None
    assert AuditEntry.objects.filter(verb="release.override_granted").exists()
    services.revoke_release_override(actor=world.teacher, override=override)
    assert _locks(world).lock_for(world.items[1]) is not None
    with pytest.raises(InvalidInput):
        services.grant_release_override(actor=world.teacher, target=world.items[1], learner=world.ta, now=NOW)


def test_bad_rules_are_refused_and_change_nothing(world: CourseWorld):
    item = world.items[1]
    foreign = ItemFactory()
    for spec in (
        services.ReleaseSpec(after_item=item),
        services.ReleaseSpec(after_item=foreign),
        services.ReleaseSpec(after_module=world.modules[0]),  # its own module
        services.ReleaseSpec(open_time=time(9, 0)),
        services.ReleaseSpec(groups=[GroupFactory()]),
    ):
        with pytest.raises(InvalidInput):
            services.set_release_rule(actor=world.teacher, target=item, spec=spec)
    assert not ReleaseRule.objects.exists()
    with pytest.raises(NotAllowed):
        services.set_release_rule(actor=world.ta, target=item, spec=services.ReleaseSpec(after_item=world.items[0]))


def test_empty_spec_removes_the_rule(world: CourseWorld):
    services.set_release_rule(
        actor=world.teacher, target=world.items[1], spec=services.ReleaseSpec(after_item=world.items[0])
    )
    services.set_release_rule(actor=world.teacher, target=world.items[1], spec=services.ReleaseSpec())
    assert not ReleaseRule.objects.exists()


def test_locked_item_page_says_why_and_records_nothing(client, world: CourseWorld):
    services.set_release_rule(
        actor=world.teacher, target=world.items[1], spec=services.ReleaseSpec(after_item=world.items[0])
    )
    client.force_login(world.learner)
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, world.items[1].pk])).content.decode()
    assert "Not open yet" in page and world.items[0].title in page
    assert not Event.objects.filter(item=world.items[1]).exists()
    outline = client.get(reverse("courses:course-detail", args=[world.course.slug])).content.decode()
    assert f'id="item-{world.items[1].pk}-lock"' in outline
    client.force_login(world.teacher)
    assert (
        "Not open yet"
        not in client.get(reverse("courses:item-detail", args=[world.course.slug, world.items[1].pk])).content.decode()
    )


def test_next_step_skips_locked_items(world: CourseWorld):
    services.set_release_rule(
        actor=world.teacher, target=world.items[0], spec=services.ReleaseSpec(open_date=date(2030, 1, 1))
    )
    progress = selectors.course_progress(world.learner, world.course)
    step = selectors.next_step(world.learner, world.course, progress, _locks(world))
    assert step is not None and step.item == world.items[1]


def test_beacon_for_a_locked_item_is_refused(world: CourseWorld):
    services.set_release_rule(
        actor=world.teacher, target=world.items[1], spec=services.ReleaseSpec(after_item=world.items[0])
    )
    with pytest.raises(NotAllowed):
        services.ingest_beacon(
            user=world.learner,
            events=[services.BeaconEvent(key="lock-1", verb="heartbeat", item_id=world.items[1].pk)],
            now=NOW,
        )
    assert not Event.objects.exists()


def test_release_page_saves_conditions_and_overrides(client, world: CourseWorld):
    client.force_login(world.teacher)
    url = reverse("progress:item-release", args=[world.course.slug, world.items[1].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"after_item": world.items[0].pk, "zone_basis": "learner", "open_date": "2026-04-01", "open_time": "08:30"}
    )
    assert response.status_code == 302
    rule = ReleaseRule.objects.get(item=world.items[1])
    assert (rule.after_item_id, str(rule.open_date), str(rule.open_time)) == (
        world.items[0].pk,
        "2026-04-01",
        "08:30:00",
    )
    bad = client.post(url, {"open_time": "08:30", "zone_basis": "learner"})
    assert bad.status_code == 400 and "Give a date" in bad.content.decode()
    override_url = reverse("progress:item-override", args=[world.course.slug, world.items[1].pk])
    assert client.post(override_url, {"learner": world.learner.pk}).status_code == 302
    assert _locks(world).lock_for(world.items[1]) is None
    client.force_login(world.learner)
    assert client.get(url).status_code == 403
    assert Membership.objects.filter(user=world.learner).exists()
