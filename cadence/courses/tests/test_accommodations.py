"""Accommodations: who may see and give them, ranges refused clearly, and the effect applied on the server
(quiz timer and attempts, every deadline) while the learner sees only the effect and classmates nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cadence import policy
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.services import quizzes
from cadence.assessment.tests import factories as assessment_factories
from cadence.core.errors import InvalidInput, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses import selectors, services
from cadence.courses.domain import accommodations
from cadence.courses.models import Accommodation, Course, Item, Membership, Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, MembershipFactory
from cadence.insights import services as insights_services
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
EXTRA_TIME = services.AccommodationInput(time_multiplier=Decimal("1.5"), extra_attempts=1, extension_days=2)


def _give(world: CourseWorld, data: services.AccommodationInput = EXTRA_TIME, **target: Any) -> Accommodation:
    target = target or {"learner": world.learner_membership}
    return services.set_accommodation(actor=world.teacher, course=world.course, data=data, **target)


# --- The rules -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "may_view", "may_manage"),
    [
        ("anonymous", False, False),
        ("outsider", False, False),
        ("learner", False, False),
        ("observer", False, False),
        ("ta", True, False),
        ("teacher", True, True),
        ("admin", True, True),
    ],
)
def test_staff_see_accommodations_and_teachers_manage_them(world: CourseWorld, role, may_view, may_manage):
    user = world.user(role) or AnonymousUser()
    row = _give(world)
    assert policy.can(user, "view_accommodations", world.course) is may_view
    assert policy.can(user, "view_accommodations", world.learner_membership) is may_view
    assert policy.can(user, "view", row) is may_view
    assert policy.can(user, "manage_accommodations", world.course) is may_manage
    assert policy.can(user, "edit", row) is may_manage
    listed = policy.scope(user, "view", Accommodation.objects.all())
    assert listed.filter(pk=row.pk).exists() is may_view


def test_a_ta_limited_to_groups_sees_only_those_groups_accommodations(world: CourseWorld):
    red, blue = GroupFactory(course=world.course, name="Red"), GroupFactory(course=world.course, name="Blue")
    limited = UserFactory()
    MembershipFactory(course=world.course, user=limited, role=Role.TA).groups.add(red)
    in_red: Membership = MembershipFactory.create(course=world.course)
    in_red.groups.add(red)
    in_blue: Membership = MembershipFactory.create(course=world.course)
    in_blue.groups.add(blue)
    rows = {
        "red learner": _give(world, learner=in_red),
        "blue learner": _give(world, learner=in_blue),
        "red group": _give(world, group=red),
        "blue group": _give(world, group=blue),
    }
    listed = set(policy.scope(limited, "view", Accommodation.objects.all()))
    for name, row in rows.items():
        assert policy.can(limited, "view", row) == ("red" in name) == (row in listed), name
    shown = selectors.accommodations_by_learner(limited, world.course)
    assert set(shown) == {in_red.user_id}
    assert set(selectors.accommodations_by_learner(world.teacher, world.course)) == {in_red.user_id, in_blue.user_id}


# --- Giving one: ranges, audit, refreshed figures ----------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (services.AccommodationInput(time_multiplier=Decimal("0.5")), "from 1.00 to 4.00"),
        (services.AccommodationInput(time_multiplier=Decimal("4.5")), "from 1.00 to 4.00"),
        (services.AccommodationInput(time_multiplier=Decimal("1.255")), "at most two decimals"),
        (services.AccommodationInput(extra_attempts=11), "Extra attempts must be from 0 to 10"),
        (services.AccommodationInput(extension_days=61), "from 0 to 60 days"),
        (services.AccommodationInput(extra_attempts=-1), "Extra attempts must be from 0 to 10"),
        (services.AccommodationInput(), "changes nothing"),
    ],
)
def test_out_of_range_values_are_refused_with_a_clear_message_and_nothing_changes(world: CourseWorld, data, message):
    with pytest.raises(InvalidInput, match=message):
        _give(world, data)
    assert not Accommodation.objects.exists() and not AuditEntry.objects.filter(verb="accommodation.set").exists()


def test_only_this_courses_learners_and_groups_and_only_teachers(world: CourseWorld):
    elsewhere: Membership = MembershipFactory.create(course=CourseFactory())
    ta_row = Membership.objects.get(course=world.course, user=world.ta)
    with pytest.raises(InvalidInput, match="Only learners of this course"):
        _give(world, learner=elsewhere)
    with pytest.raises(InvalidInput, match="Only learners of this course"):
        _give(world, learner=ta_row)
    with pytest.raises(InvalidInput, match="another course"):
        _give(world, group=GroupFactory())
    with pytest.raises(NotAllowed):
        services.set_accommodation(
            actor=world.ta, course=world.course, data=EXTRA_TIME, learner=world.learner_membership
        )
    assert not Accommodation.objects.exists()


def test_giving_changing_and_removing_are_audited_and_refresh_the_learners_figures(
    world: CourseWorld, monkeypatch, django_capture_on_commit_callbacks
):
    refreshed: list[tuple[int, tuple[int, ...] | None]] = []
    monkeypatch.setattr(
        insights_services, "refresh_learners", lambda *, course, user_ids, now: refreshed.append((course.pk, user_ids))
    )
    group = GroupFactory(course=world.course)
    world.learner_membership.groups.add(group)
    with django_capture_on_commit_callbacks(execute=True):
        row = _give(world)
    with django_capture_on_commit_callbacks(execute=True):
        _give(world, services.AccommodationInput(extension_days=5))
    with django_capture_on_commit_callbacks(execute=True):
        _give(world, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_accommodation(actor=world.teacher, accommodation=Accommodation.objects.get(pk=row.pk))
    assert refreshed == [(world.course.pk, (world.learner.pk,))] * 4
    entries = list(AuditEntry.objects.filter(verb__startswith="accommodation.").order_by("pk"))
    assert [e.verb for e in entries] == ["accommodation.set"] * 3 + ["accommodation.removed"]
    assert entries[1].data["before"] == {"time_multiplier": "1.50", "extra_attempts": 1, "extension_days": 2}
    assert entries[1].data["after"] == {"time_multiplier": "1.00", "extra_attempts": 0, "extension_days": 5}
    assert entries[0].actor_id == world.teacher.pk and entries[0].course_id == world.course.pk


# --- The effect, applied on the server ---------------------------------------------------------------------
def test_a_learners_own_accommodation_replaces_their_groups_and_groups_give_the_most_generous(world: CourseWorld):
    a, b = GroupFactory(course=world.course), GroupFactory(course=world.course)
    world.learner_membership.groups.add(a, b)
    _give(world, services.AccommodationInput(time_multiplier=Decimal("1.25"), extension_days=3), group=a)
    _give(world, services.AccommodationInput(extra_attempts=2, extension_days=1), group=b)
    assert selectors.accommodation_for(world.learner, world.course.pk) == accommodations.Effective(
        Decimal("1.25"), 2, 3
    )
    _give(world, services.AccommodationInput(extra_attempts=1))
    assert selectors.accommodation_for(world.learner, world.course.pk) == accommodations.Effective(Decimal(1), 1, 0)
    assert selectors.accommodation_for(world.ta, world.course.pk) == accommodations.NONE


def test_a_standing_extension_moves_every_deadline_in_the_learners_zone(
    world: CourseWorld, django_assert_max_num_queries
):
    world.learner.time_zone = "Europe/London"
    world.learner.save(update_fields=["time_zone"])
    day_item, fixed = world.items[:2]
    Item.objects.filter(pk=day_item.pk).update(due_date=date(2026, 3, 27))
    Item.objects.filter(pk=fixed.pk).update(due_at=datetime(2026, 3, 27, 17, tzinfo=UTC))
    classmate: Membership = MembershipFactory.create(course=world.course, user__time_zone="Europe/London")
    _give(world, services.AccommodationInput(extension_days=3))
    items = list(Item.objects.filter(pk__in=[day_item.pk, fixed.pk]))
    with django_assert_max_num_queries(3):
        due = selectors.deadlines_for_learners([world.learner, classmate.user], items)
    london = ZoneInfo("Europe/London")
    # Across the change to summer time (29 March): the same wall-clock time three days later.
    assert due[world.learner.pk][day_item.pk] == datetime(2026, 3, 30, 23, 59, 59, tzinfo=london)
    assert due[world.learner.pk][fixed.pk] == datetime(2026, 3, 30, 17, tzinfo=london)
    assert due[classmate.user_id][fixed.pk] == datetime(2026, 3, 27, 17, tzinfo=UTC)
    # On top of an extension the teacher gives (what the extensions page shows as "their deadline now").
    fixed.refresh_from_db()
    services.grant_extension(
        actor=world.teacher, item=fixed, learner=world.learner, extension=services.ExtensionInput(kind="days", days=1)
    )
    assert selectors.deadline_for(world.learner, fixed) == datetime(2026, 3, 31, 17, tzinfo=london)


def test_the_quiz_timer_and_attempts_follow_the_accommodation_and_the_learner_sees_only_the_effect(
    client, world: CourseWorld
):
    question = assessment_factories.question(world.teacher, world.course)
    item, quiz = assessment_factories.quiz_item(
        world.teacher, world.modules[0], question, time_limit_minutes=25, attempts_allowed=1
    )
    classmate: Membership = MembershipFactory.create(course=world.course)
    _give(world)
    now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    mine = quizzes.start_attempt(user=world.learner, quiz=quiz, now=now)
    theirs = quizzes.start_attempt(user=classmate.user, quiz=quiz, now=now)
    assert mine.ends_at == now + timedelta(minutes=38)  # 25 × 1.5 = 37.5, rounded up
    assert theirs.ends_at == now + timedelta(minutes=25)
    for attempt, user in ((mine, world.learner), (theirs, classmate.user)):
        quizzes.submit_attempt(user=user, attempt_id=attempt.pk, now=now + timedelta(minutes=5))
    second = quizzes.start_attempt(user=world.learner, quiz=quiz, now=now + timedelta(hours=1))
    assert second.number == 2
    with pytest.raises(NotAllowed, match="every attempt"):
        quizzes.start_attempt(user=classmate.user, quiz=quiz, now=now + timedelta(hours=1))
    url = reverse("courses:item-detail", args=[world.course.slug, item.pk])
    client.force_login(world.learner)
    page = client.get(url).content.decode()
    assert "Time limit: 38 minutes" in page and "2 attempts allowed" in page
    assert "ccommodation" not in page  # the effect only
    client.force_login(classmate.user)
    page = client.get(url).content.decode()
    assert "Time limit: 25 minutes" in page and "1 attempt allowed" in page and "ccommodation" not in page


# --- Pages -------------------------------------------------------------------------------------------------
def _url(course: Course) -> str:
    return reverse("courses:accommodations", args=[course.slug])


def test_teachers_give_one_from_the_page_and_it_shows_beside_the_learner(client, world: CourseWorld):
    client.force_login(world.teacher)
    data = {"learner": world.learner_membership.pk, "time_multiplier": "1.5", "extra_attempts": "1",
            "extension_days": "2", "note": "Dyslexia plan"}  # fmt: skip
    assert client.post(_url(world.course), data).status_code == 302
    page = client.get(_url(world.course)).content.decode()
    assert "Dyslexia plan" in page and "× 1.5" in page
    people = client.get(reverse("courses:people", args=[world.course.slug])).content.decode()
    assert "× 1.5 time on timed quizzes · +1 quiz attempt · +2 days on every deadline" in people
    client.force_login(world.ta)
    assert "Dyslexia plan" in client.get(_url(world.course)).content.decode()
    assert client.post(_url(world.course), data).status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_multiplier", "9", "The time multiplier must be from 1.00 to 4.00."),
        ("extra_attempts", "20", "Extra attempts must be from 0 to 10."),
        ("extension_days", "-1", "The standing extension must be from 0 to 60 days."),
        ("time_multiplier", "1", "This accommodation changes nothing"),
    ],
)
def test_the_page_refuses_out_of_range_values_clearly(client, world: CourseWorld, field, value, message):
    client.force_login(world.teacher)
    data = {"learner": world.learner_membership.pk, "time_multiplier": "1", "extra_attempts": "0",
            "extension_days": "0"} | {field: value}  # fmt: skip
    response = client.post(_url(world.course), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Accommodation.objects.exists()


def test_learners_observers_and_another_course_never_see_them(client, world: CourseWorld):
    row = _give(world, services.AccommodationInput(extension_days=2, note="Private plan"))
    for person in (world.learner, world.observer, world.outsider):
        client.force_login(person)
        assert client.get(_url(world.course)).status_code == 403
    other = CourseFactory()
    MembershipFactory(course=other, user=world.teacher, role=Role.TEACHER)
    client.force_login(world.teacher)
    assert "Private plan" not in client.get(_url(other)).content.decode()
    remove_elsewhere = reverse("courses:accommodation-remove", args=[other.slug, row.pk])
    assert client.post(remove_elsewhere).status_code == 404
    client.force_login(world.ta)
    remove = reverse("courses:accommodation-remove", args=[world.course.slug, row.pk])
    assert client.post(remove).status_code == 403
    assert Accommodation.objects.filter(pk=row.pk).exists()


def test_the_page_and_the_people_page_stay_within_their_query_budgets(
    client, world: CourseWorld, django_assert_max_num_queries
):
    client.force_login(world.teacher)
    counts = []
    for extra in (2, 20):
        for _ in range(extra):
            membership: Membership = MembershipFactory.create(course=world.course)
            _give(world, learner=membership)
        with django_assert_max_num_queries(12) as page:
            assert client.get(_url(world.course)).status_code == 200
        counts.append(len(page.captured_queries))
    assert counts[0] == counts[1]
