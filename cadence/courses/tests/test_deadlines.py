"""Deadlines in the learner's own time zone, checked over many zones and across summer-time changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadence.courses.domain.deadlines import (
    DeadlineSpec,
    Extension,
    ExtensionKind,
    base_deadline,
    end_of_day,
    learner_deadline,
)
from cadence.courses.models import DeadlineExtension, Group, Item
from cadence.courses.selectors import deadlines_for
from conftest import CourseWorld

# Zones with summer time in both hemispheres, half-hour and 45-minute offsets, and the date line.
ZONES = sorted(
    {"UTC", "Europe/London", "Europe/Lisbon", "America/New_York", "America/Sao_Paulo", "Australia/Sydney",
     "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "Pacific/Kiritimati",
     "Pacific/Pago_Pago", "America/St_Johns", "Africa/Casablanca", "Asia/Tehran", "America/Santiago"}
    & available_timezones()
)  # fmt: skip
zones = st.sampled_from(ZONES)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31))
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC))  # noqa: DTZ001 - hypothesis takes naive bounds


@settings(max_examples=400)
@given(days, zones)
def test_end_of_day_is_the_last_second_of_that_day_in_that_zone(day: date, zone: str):
    due = end_of_day(day, zone)
    local = due.astimezone(ZoneInfo(zone))
    assert local.date() == day
    assert local.time() >= time(23, 0)  # 23:59:59, or later wall time had the zone skipped it
    # One second later is the next day in the learner's zone: work at 23:59:59 is on time, at 00:00 late.
    assert (due + timedelta(seconds=1)).astimezone(ZoneInfo(zone)).date() == day + timedelta(days=1)


@given(days, zones, zones)
def test_the_same_calendar_day_is_a_different_instant_in_each_zone(day: date, zone_a: str, zone_b: str):
    spec = DeadlineSpec(due_date=day)
    a = base_deadline(spec, zone=zone_a, joined_at=None)
    b = base_deadline(spec, zone=zone_b, joined_at=None)
    assert a is not None and b is not None
    assert a.astimezone(ZoneInfo(zone_a)).date() == b.astimezone(ZoneInfo(zone_b)).date() == day


@settings(max_examples=300)
@given(instants, st.integers(0, 400), zones)
def test_days_after_joining_count_calendar_days_in_the_learners_zone(joined: datetime, n: int, zone: str):
    due = base_deadline(DeadlineSpec(due_after_days=n), zone=zone, joined_at=joined)
    assert due is not None
    joined_day = joined.astimezone(ZoneInfo(zone)).date()
    assert due.astimezone(ZoneInfo(zone)).date() == joined_day + timedelta(days=n)


@given(instants, zones)
def test_a_fixed_instant_is_the_same_for_everyone(instant: datetime, zone: str):
    assert base_deadline(DeadlineSpec(due_at=instant), zone=zone, joined_at=None) == instant


def _moment(instant: datetime) -> Extension:
    return Extension(ExtensionKind.MOMENT, due_at=instant)


@given(instants, st.lists(instants, max_size=3), st.one_of(st.none(), instants))
def test_a_learners_own_extension_wins_then_the_latest_group_extension(
    base: datetime, groups: list[datetime], own: datetime | None
):
    due = learner_deadline(
        DeadlineSpec(due_at=base),
        zone="UTC",
        joined_at=None,
        own_extension=_moment(own) if own is not None else None,
        group_extensions=[_moment(g) for g in groups],
    )
    assert due == (own if own is not None else max(groups) if groups else base)


def test_summer_time_changes_do_not_move_the_end_of_day():
    # London changes clocks on 2026-03-29 and 2026-10-25; the end of those days is still 23:59:59 local.
    for day, offset in ((date(2026, 3, 29), 1), (date(2026, 10, 25), 0)):
        due = end_of_day(day, "Europe/London")
        assert due.utcoffset() == timedelta(hours=offset)
        assert due.astimezone(UTC).time() == time(23 - offset, 59, 59)


@pytest.mark.django_db
def test_deadlines_for_a_learner_combine_zone_joining_and_extensions(world: CourseWorld, django_assert_max_num_queries):
    world.learner.time_zone = "Asia/Tokyo"
    world.learner.save()
    day_item, relative, fixed = world.items[:3]
    Item.objects.filter(pk=day_item.pk).update(due_date=date(2026, 12, 1))
    Item.objects.filter(pk=relative.pk).update(due_after_days=14)
    Item.objects.filter(pk=fixed.pk).update(due_at=datetime(2026, 12, 5, 12, tzinfo=UTC))
    group = Group.objects.create(course=world.course, name="Extra time")
    world.learner_membership.groups.add(group)
    DeadlineExtension.objects.create(item=fixed, group=group, due_at=datetime(2026, 12, 8, tzinfo=UTC))
    items = list(Item.objects.filter(pk__in=[day_item.pk, relative.pk, fixed.pk]))
    with django_assert_max_num_queries(3):
        due = deadlines_for(world.learner, items)
    assert due[day_item.pk] == datetime(2026, 12, 1, 14, 59, 59, tzinfo=UTC)  # 23:59:59 in Tokyo
    joined = world.learner_membership.joined_at.astimezone(ZoneInfo("Asia/Tokyo")).date()
    assert due[relative.pk].astimezone(ZoneInfo("Asia/Tokyo")).date() == joined + timedelta(days=14)
    assert due[fixed.pk] == datetime(2026, 12, 8, tzinfo=UTC)
    DeadlineExtension.objects.create(item=fixed, user=world.learner, due_at=datetime(2026, 12, 6, tzinfo=UTC))
    assert deadlines_for(world.learner, items)[fixed.pk] == datetime(2026, 12, 6, tzinfo=UTC)


@pytest.mark.django_db
def test_one_kind_of_deadline_at_a_time(world: CourseWorld):
    from django.core.exceptions import ValidationError

    item = world.items[0]
    item.due_date = date(2026, 12, 1)
    item.due_after_days = 3
    with pytest.raises(ValidationError, match="one kind of deadline"):
        item.full_clean()


@pytest.mark.django_db
def test_teachers_grant_and_revoke_extensions_for_a_learner_or_a_group(client, world: CourseWorld):
    from django.urls import reverse

    from cadence.core.models import AuditEntry

    item = world.items[0]
    Item.objects.filter(pk=item.pk).update(due_date=date(2026, 12, 1))
    url = reverse("courses:item-extensions", args=[world.course.slug, item.pk])
    client.force_login(world.teacher)
    response = client.post(
        url,
        {
            "learner": world.learner_membership.pk,
            "kind": "moment",
            "due_at": "2026-12-10T12:00",
            "time_zone": "Europe/London",
            "reason": "Illness",
        },
    )
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert extension.user == world.learner and extension.reason == "Illness"
    assert AuditEntry.objects.filter(verb="deadline.extended").exists()
    both = client.post(url, {"learner": world.learner_membership.pk, "group": "", "kind": "moment", "due_at": ""})
    assert both.status_code == 400
    neither = client.post(url, {"kind": "days", "days": "2"})
    assert neither.status_code == 400 and "either one learner or one group" in neither.content.decode()
    client.post(reverse("courses:extension-revoke", args=[world.course.slug, item.pk, extension.pk]))
    assert not DeadlineExtension.objects.exists()
    client.force_login(world.learner)
    assert client.get(url).status_code == 403
