"""Extensions of three kinds, resolved in each learner's own zone (London, Auckland, Kiritimati, the US),
also across changes to and from summer time; and when a per-zone deadline passes across a class."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cadence.core.models import AuditEntry
from cadence.courses import selectors, services
from cadence.courses.domain.deadlines import (
    DeadlineSpec,
    Extension,
    ExtensionKind,
    add_days,
    at_wall_time,
    end_of_day,
    end_of_day_spread,
    learner_deadline,
)
from cadence.courses.models import DeadlineExtension, Group, Item, Membership
from cadence.courses.tests.factories import MembershipFactory
from conftest import CourseWorld

ZONES = ["Europe/London", "Pacific/Auckland", "Pacific/Kiritimati", "America/New_York", "America/Los_Angeles",
         "America/Phoenix", "Pacific/Pago_Pago", "Australia/Lord_Howe", "UTC"]  # fmt: skip
zones = st.sampled_from(ZONES)
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))  # noqa: DTZ001 - hypothesis takes naive bounds
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


# --- The rules, over many zones and dates ----------------------------------------------------------------
@settings(max_examples=100)
@given(instants, st.integers(1, 365), zones)
def test_adding_days_keeps_the_wall_clock_time_in_the_learners_zone(base: datetime, n: int, zone: str):
    tz = ZoneInfo(zone)
    due = add_days(base, n, zone)
    before, after = base.astimezone(tz), due.astimezone(tz)
    assert after.date() == before.date() + timedelta(days=n)
    # The same time of day, unless that day skips it (then the zone's own later time): never earlier.
    assert after.time() >= before.time() or at_wall_time(before.replace(tzinfo=None), zone) != before
    assert due > base


@settings(max_examples=100)
@given(instants, st.sampled_from(list(ExtensionKind)), instants, days, st.integers(1, 365), zones, st.integers(0, 60))
def test_a_learner_never_gets_less_than_the_extension_asked_for(
    base: datetime, kind: ExtensionKind, moment: datetime, day: date, n: int, zone: str, standing: int
):
    extension = Extension(
        kind,
        due_at=moment if kind == ExtensionKind.MOMENT else None,
        due_date=day if kind == ExtensionKind.END_OF_DAY else None,
        days=n if kind == ExtensionKind.DAYS else None,
    )
    asked = {
        ExtensionKind.MOMENT: moment,
        ExtensionKind.END_OF_DAY: end_of_day(day, zone),
        ExtensionKind.DAYS: add_days(base, n, zone),
    }[kind]
    spec = DeadlineSpec(due_at=base)
    without = learner_deadline(spec, zone=zone, joined_at=None, own_extension=extension)
    due = learner_deadline(spec, zone=zone, joined_at=None, own_extension=extension, standing_days=standing)
    assert without == asked
    assert due is not None and due >= asked
    if standing:
        assert due.astimezone(ZoneInfo(zone)).date() == asked.astimezone(ZoneInfo(zone)).date() + timedelta(
            days=standing
        )


@settings(max_examples=80)
@given(st.lists(instants, min_size=1, max_size=3), zones, st.integers(0, 30))
def test_group_extensions_give_the_latest_and_a_standing_extension_never_shortens(
    groups: list[datetime], zone: str, standing: int
):
    base = min(groups) - timedelta(days=1)
    due = learner_deadline(
        DeadlineSpec(due_at=base),
        zone=zone,
        joined_at=None,
        group_extensions=[Extension(ExtensionKind.MOMENT, due_at=g) for g in groups],
        standing_days=standing,
    )
    assert due is not None and due >= max(groups)


@given(days, st.lists(zones, min_size=1, max_size=6))
def test_the_spread_names_the_first_and_last_zone_the_day_ends_in(day: date, chosen: list[str]):
    spread = end_of_day_spread(day, chosen)
    assert spread is not None
    ends = {z: end_of_day(day, z) for z in chosen}
    assert spread.earliest == min(ends.values()) and spread.latest == max(ends.values())
    assert all(ends[z] == spread.earliest for z in spread.earliest_zones)
    assert all(ends[z] == spread.latest for z in spread.latest_zones)


# --- Named cases a teacher would check -------------------------------------------------------------------
def test_a_moment_typed_in_london_is_the_next_morning_in_auckland():
    """The moment is the same instant everywhere: the form now says in which zone it was typed."""
    asked = at_wall_time(datetime(2026, 12, 15, 12, 0), "Europe/London")  # noqa: DTZ001 - a wall time
    due = Extension(ExtensionKind.MOMENT, due_at=asked).resolve(zone="Pacific/Auckland", base=None)
    assert due is not None
    assert due.astimezone(ZoneInfo("Pacific/Auckland")) == datetime(
        2026, 12, 16, 1, 0, tzinfo=ZoneInfo("Pacific/Auckland")
    )


def test_end_of_a_day_is_that_day_in_each_learners_own_zone():
    extension = Extension(ExtensionKind.END_OF_DAY, due_date=date(2026, 12, 15))
    for zone in ("Pacific/Auckland", "Europe/London", "Pacific/Kiritimati", "America/Los_Angeles"):
        due = extension.resolve(zone=zone, base=None)
        assert due is not None
        local = due.astimezone(ZoneInfo(zone))
        assert (local.date(), local.time()) == (date(2026, 12, 15), time(23, 59, 59))


@pytest.mark.parametrize(
    ("zone", "base_local", "n", "expected_local"),
    [
        # London springs forward on 29 March 2026 and falls back on 25 October.
        ("Europe/London", (2026, 3, 27, 17, 0), 3, (2026, 3, 30, 17, 0)),
        ("Europe/London", (2026, 10, 23, 17, 0), 3, (2026, 10, 26, 17, 0)),
        # Auckland falls back on 5 April 2026 and springs forward on 27 September.
        ("Pacific/Auckland", (2026, 4, 3, 9, 0), 4, (2026, 4, 7, 9, 0)),
        ("Pacific/Auckland", (2026, 9, 25, 23, 59, 59), 7, (2026, 10, 2, 23, 59, 59)),
        # Kiritimati (UTC+14) has no summer time; New York changes on 8 March and 1 November 2026.
        ("Pacific/Kiritimati", (2026, 12, 30, 8, 0), 2, (2027, 1, 1, 8, 0)),
        ("America/New_York", (2026, 3, 6, 23, 59, 59), 5, (2026, 3, 11, 23, 59, 59)),
        ("America/New_York", (2026, 10, 30, 12, 0), 2, (2026, 11, 1, 12, 0)),
        # A wall time the zone skips (02:30 on 8 March in New York) moves forward with the zone.
        ("America/New_York", (2026, 3, 7, 2, 30), 1, (2026, 3, 8, 3, 30)),
    ],
)
def test_days_added_across_summer_time_keep_the_learners_time_of_day(zone, base_local, n, expected_local):
    tz = ZoneInfo(zone)
    base = datetime(*base_local, tzinfo=tz)
    due = Extension(ExtensionKind.DAYS, days=n).resolve(zone=zone, base=base)
    assert due is not None
    assert due.astimezone(tz) == datetime(*expected_local, tzinfo=tz)
    assert due.astimezone(tz).utcoffset() == datetime(*expected_local, tzinfo=tz).utcoffset()


def test_a_time_shown_twice_when_clocks_go_back_is_read_as_the_later_one():
    due = at_wall_time(datetime(2026, 11, 1, 1, 30), "America/New_York")  # noqa: DTZ001 - a wall time
    assert due.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, not 01:30 EDT


# --- Through the database and the page -------------------------------------------------------------------
@pytest.mark.django_db
def test_each_kind_resolves_for_the_learner_through_the_one_function(world: CourseWorld, django_assert_max_num_queries):
    world.learner.time_zone = "Pacific/Auckland"
    world.learner.save(update_fields=["time_zone"])
    item = world.items[0]
    Item.objects.filter(pk=item.pk).update(due_date=date(2026, 9, 25))
    item.refresh_from_db()
    tz = ZoneInfo("Pacific/Auckland")
    grant = {"actor": world.teacher, "item": item, "learner": world.learner}
    services.grant_extension(**grant, extension=services.ExtensionInput(kind="days", days=7))
    assert selectors.deadline_for(world.learner, item) == datetime(2026, 10, 2, 23, 59, 59, tzinfo=tz)
    services.grant_extension(**grant, extension=services.ExtensionInput(kind="end_of_day", due_date=date(2026, 12, 15)))
    assert selectors.deadline_for(world.learner, item) == datetime(2026, 12, 15, 23, 59, 59, tzinfo=tz)
    moment = at_wall_time(datetime(2026, 12, 15, 12, 0), "Europe/London")  # noqa: DTZ001 - a wall time
    services.grant_extension(
        **grant, extension=services.ExtensionInput(kind="moment", due_at=moment, time_zone="Europe/London")
    )
    with django_assert_max_num_queries(3):
        due = selectors.deadline_for(world.learner, item)
    assert due == moment
    assert DeadlineExtension.objects.count() == 1  # each grant replaced the one before
    kinds = [e.data["kind"] for e in AuditEntry.objects.filter(verb="deadline.extended").order_by("pk")]
    assert kinds == ["days", "end_of_day", "moment"]


@pytest.mark.django_db
def test_a_group_extension_of_days_counts_from_each_members_own_deadline(world: CourseWorld):
    item = world.items[0]
    Item.objects.filter(pk=item.pk).update(due_date=date(2026, 3, 27))
    item.refresh_from_db()
    group = Group.objects.create(course=world.course, name="Trip")
    world.learner.time_zone = "Europe/London"
    world.learner.save(update_fields=["time_zone"])
    other: Membership = MembershipFactory.create(course=world.course, user__time_zone="Pacific/Kiritimati")
    for m in (world.learner_membership, other):
        m.groups.add(group)
    services.grant_extension(
        actor=world.teacher, item=item, group=group, extension=services.ExtensionInput(kind="days", days=3)
    )
    due = selectors.item_deadline_by_learner([world.learner, other.user], item)
    london = due[world.learner.pk].astimezone(ZoneInfo("Europe/London"))
    kiritimati = due[other.user_id].astimezone(ZoneInfo("Pacific/Kiritimati"))
    assert london.timetuple()[:6] == kiritimati.timetuple()[:6] == (2026, 3, 30, 23, 59, 59)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "days", "days": ""}, "This is needed for the kind of deadline chosen."),
        ({"kind": "days", "days": "400"}, "less than or equal to 365"),
        ({"kind": "end_of_day", "due_date": ""}, "This is needed for the kind of deadline chosen."),
        ({"kind": "moment", "due_at": "2026-12-15T12:00", "time_zone": ""}, "Say which time zone"),
        ({"kind": "moment", "due_at": "2026-12-15T12:00", "time_zone": "Mars/Olympus"}, "not a known time zone"),
        ({"kind": "sometime"}, "Select a valid choice"),
    ],
)
def test_an_incomplete_extension_is_refused_with_a_clear_message_and_nothing_changes(
    client, world: CourseWorld, data, message
):
    item = world.items[0]
    Item.objects.filter(pk=item.pk).update(due_date=date(2026, 12, 1))
    client.force_login(world.teacher)
    url = reverse("courses:item-extensions", args=[world.course.slug, item.pk])
    response = client.post(url, {"learner": world.learner_membership.pk, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DeadlineExtension.objects.exists()


@pytest.mark.django_db
def test_the_extension_form_reads_the_moment_in_the_zone_it_names(client, world: CourseWorld):
    world.teacher.time_zone = "Europe/London"
    world.teacher.save(update_fields=["time_zone"])
    world.learner.time_zone = "Pacific/Auckland"
    world.learner.save(update_fields=["time_zone"])
    item = world.items[0]
    Item.objects.filter(pk=item.pk).update(due_date=date(2026, 12, 1))
    client.force_login(world.teacher)
    url = reverse("courses:item-extensions", args=[world.course.slug, item.pk])
    page = client.get(url).content.decode()
    assert 'value="Europe/London" selected' in page  # the teacher's zone, named and changeable
    data = {"learner": world.learner_membership.pk, "kind": "moment", "due_at": "2026-12-15T12:00"}
    assert client.post(url, data | {"time_zone": "Pacific/Auckland"}).status_code == 302
    extension = DeadlineExtension.objects.get()
    assert extension.due_at == datetime(2026, 12, 15, 12, 0, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert extension.time_zone == "Pacific/Auckland"
    page = client.get(url).content.decode()
    assert "typed in Pacific/Auckland" in page and "(Pacific/Auckland)" in page


@pytest.mark.django_db
def test_staff_see_when_a_per_zone_deadline_passes_first_and_last(
    client, world: CourseWorld, django_assert_max_num_queries
):
    item = world.items[0]
    Item.objects.filter(pk=item.pk).update(due_date=date(2026, 12, 15))
    world.learner.time_zone = "Pacific/Kiritimati"
    world.learner.save(update_fields=["time_zone"])
    MembershipFactory(course=world.course, user__time_zone="Pacific/Pago_Pago")
    MembershipFactory(course=world.course, user__time_zone="Europe/London")
    world.teacher.time_zone = "Europe/London"
    world.teacher.save(update_fields=["time_zone"])
    item.refresh_from_db()
    with django_assert_max_num_queries(1):
        spread = selectors.deadline_spread(item)
    assert spread is not None
    assert spread.earliest_zones == ("Pacific/Kiritimati",) and spread.latest_zones == ("Pacific/Pago_Pago",)
    assert spread.earliest == datetime(2026, 12, 15, 9, 59, 59, tzinfo=UTC)
    assert spread.latest == datetime(2026, 12, 16, 10, 59, 59, tzinfo=UTC)
    url = reverse("courses:item-detail", args=[world.course.slug, item.pk])
    client.force_login(world.ta)
    page = client.get(url).content.decode()
    assert "passes first at" in page and "Pacific/Kiritimati" in page and "Pacific/Pago_Pago" in page
    client.force_login(world.learner)
    assert "passes first at" not in client.get(url).content.decode()  # learners see only their own deadline
