"""Accommodations over JSON: listed for the course's staff (a TA limited to groups: theirs), given, changed and
removed by teachers through the audited services; a value out of range is refused with the page's own sentence
and nothing changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cadence.accounts.models import TokenAccess
from cadence.accounts.services import create_api_token
from cadence.accounts.tests.factories import UserFactory
from cadence.core.models import AuditEntry
from cadence.core.testing.queries import count_queries
from cadence.courses import services
from cadence.courses.models import Accommodation, Course, Group, Membership, Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, MembershipFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
API = "/api/v1"
ROLES = ["anonymous", "outsider", "learner", "observer", "ta", "teacher", "admin"]
EXTRA_TIME = services.AccommodationInput(time_multiplier=Decimal("1.5"), extra_attempts=1, extension_days=2)


def list_url(course: Course) -> str:
    return f"{API}/courses/{course.pk}/accommodations"


def row_url(row: Accommodation | int) -> str:
    return f"{API}/accommodations/{row.pk if isinstance(row, Accommodation) else row}"


def _as(client: Client, world: CourseWorld, role: str) -> Client:
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def _give(world: CourseWorld, data: services.AccommodationInput = EXTRA_TIME, **target: Any) -> Accommodation:
    target = target or {"learner": world.learner_membership}
    return services.set_accommodation(actor=world.teacher, course=world.course, data=data, **target)


def _post(client: Client, course: Course, **body: Any) -> Any:
    return client.post(list_url(course), body, content_type="application/json")


def _patch(client: Client, row: Accommodation, **body: Any) -> Any:
    return client.patch(row_url(row), body, content_type="application/json")


def _values(row: Accommodation) -> tuple[Decimal, int, int, str]:
    row.refresh_from_db()
    return row.time_multiplier, row.extra_attempts, row.extension_days, row.note


# --- Giving one ----------------------------------------------------------------------------------------------
def test_a_teacher_gives_a_learner_an_accommodation_audited_as_on_the_page(client: Client, world: CourseWorld) -> None:
    response = _post(
        _as(client, world, "teacher"), world.course, membership_id=world.learner_membership.pk,
        time_multiplier=1.25, extra_attempts=1, extension_days=3, note="Reading support",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    row = Accommodation.objects.get()
    assert body["id"] == row.pk and body["membership_id"] == world.learner_membership.pk
    assert body["learner"] == {"id": world.learner.pk, "display_name": world.learner.display_name}
    assert (body["group_id"], body["group_name"]) == (None, "")
    assert (body["time_multiplier"], body["extra_attempts"], body["extension_days"]) == (1.25, 1, 3)
    assert body["summary"] == "× 1.25 time on timed quizzes · +1 quiz attempt · +3 days on every deadline"
    assert body["granted_by"]["id"] == world.teacher.pk and body["note"] == "Reading support"
    assert _values(row) == (Decimal("1.25"), 1, 3, "Reading support")
    entry = AuditEntry.objects.get(verb="accommodation.set")
    assert entry.actor_id == world.teacher.pk and entry.data["after"]["time_multiplier"] == "1.25"


def test_a_group_gets_one_and_a_second_for_the_same_learner_replaces_the_first(
    client: Client, world: CourseWorld
) -> None:
    group = GroupFactory(course=world.course, name="Evening")
    _as(client, world, "teacher")
    response = _post(client, world.course, group_id=group.pk, extension_days=2)
    assert response.status_code == 201
    assert (response.json()["group_id"], response.json()["group_name"], response.json()["learner"]) == (
        group.pk, "Evening", None,
    )  # fmt: skip
    first = _post(client, world.course, membership_id=world.learner_membership.pk, extra_attempts=1).json()
    second = _post(client, world.course, membership_id=world.learner_membership.pk, extra_attempts=3).json()
    assert first["id"] == second["id"] and second["extra_attempts"] == 3
    assert Accommodation.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_multiplier", 9, "The time multiplier must be from 1.00 to 4.00."),
        ("time_multiplier", 0.5, "The time multiplier must be from 1.00 to 4.00."),
        ("extra_attempts", 20, "Extra attempts must be from 0 to 10."),
        ("extra_attempts", -1, "Extra attempts must be from 0 to 10."),
        ("extension_days", 61, "The standing extension must be from 0 to 60 days."),
        ("extension_days", 2**70, "The standing extension must be from 0 to 60 days."),
    ],
)
def test_a_value_out_of_range_is_refused_with_the_forms_sentence_and_nothing_changes(
    client: Client, world: CourseWorld, field: str, value: Any, message: str
) -> None:
    response = _post(
        _as(client, world, "teacher"), world.course, membership_id=world.learner_membership.pk, **{field: value}
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == f"{field}: {message}"
    assert response.json()["errors"][0]["loc"] == ["body", "payload", field]
    assert not Accommodation.objects.exists() and not AuditEntry.objects.filter(verb__startswith="accommodation.")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This accommodation changes nothing: give more time, extra attempts or extra days."),
        ({"time_multiplier": 1.255}, "Give the time multiplier with at most two decimals, such as 1.25."),
        ({"time_multiplier": "1.5"}, "Give a number, not text or true/false"),
        ({"extra_attempts": True}, "Give a number, not text or true/false"),
    ],
)
def test_a_value_the_domain_refuses_is_a_422_and_nothing_changes(
    client: Client, world: CourseWorld, body: dict[str, Any], message: str
) -> None:
    response = _post(_as(client, world, "teacher"), world.course, membership_id=world.learner_membership.pk, **body)
    assert response.status_code == 422 and message in response.json()["detail"], response.content
    assert not Accommodation.objects.exists()


def test_only_one_learner_or_one_group_of_this_course(client: Client, world: CourseWorld) -> None:
    elsewhere = MembershipFactory.create(course=CourseFactory())
    ta_row = Membership.objects.get(course=world.course, user=world.ta)
    group = GroupFactory(course=world.course)
    _as(client, world, "teacher")
    for body, message in (
        ({}, "Choose either one learner or one group."),
        (
            {"membership_id": world.learner_membership.pk, "group_id": group.pk},
            "Choose either one learner or one group.",
        ),
        ({"membership_id": elsewhere.pk}, "membership_id: choose a learner of this course."),
        ({"membership_id": ta_row.pk}, "Only learners of this course get accommodations."),
        ({"group_id": GroupFactory().pk}, "group_id: choose a group of this course."),
    ):
        response = _post(client, world.course, extension_days=1, **body)
        assert response.status_code == 422 and response.json()["detail"] == message, body
    assert not Accommodation.objects.exists()


# --- Changing and removing ------------------------------------------------------------------------------------
def test_a_patch_changes_only_the_fields_given_audited_with_before_and_after(
    client: Client, world: CourseWorld
) -> None:
    row = _give(world)
    response = _patch(_as(client, world, "teacher"), row, extension_days=5, note="Until March")
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["extension_days"]) == (row.pk, 5)
    assert _values(row) == (Decimal("1.50"), 1, 5, "Until March")
    entry = AuditEntry.objects.filter(verb="accommodation.set").latest("pk")
    assert entry.data["before"]["extension_days"] == 2 and entry.data["after"]["extension_days"] == 5


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"time_multiplier": 5}, 422, "time_multiplier: The time multiplier must be from 1.00 to 4.00."),
        ({"extra_attempts": None}, 422, "Give a number"),
        ({"time_multiplier": 1, "extra_attempts": 0, "extension_days": 0}, 422, "changes nothing"),
    ],
)
def test_a_patch_out_of_range_changes_nothing(
    client: Client, world: CourseWorld, body: dict[str, Any], status: int, message: str
) -> None:
    row = _give(world)
    _as(client, world, "teacher")
    audited = AuditEntry.objects.count()
    response = _patch(client, row, **body)
    assert response.status_code == status and message in response.json()["detail"]
    assert _values(row) == (Decimal("1.50"), 1, 2, "")
    assert AuditEntry.objects.count() == audited


def test_a_teacher_removes_one_audited(client: Client, world: CourseWorld) -> None:
    row = _give(world)
    response = _as(client, world, "teacher").delete(row_url(row))
    assert response.status_code == 204
    assert not Accommodation.objects.exists()
    assert AuditEntry.objects.get(verb="accommodation.removed").data["learner"] == world.learner.pk
    assert client.delete(row_url(row)).status_code == 404


# --- Who may do what ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_staff_see_them_teachers_manage_them_and_nobody_else_learns_of_them(
    client: Client, world: CourseWorld, role: str
) -> None:
    row = _give(world, services.AccommodationInput(extension_days=2, note="Private plan"))
    _as(client, world, role)
    listed = client.get(list_url(world.course))
    one = client.get(row_url(row))
    given = _post(client, world.course, membership_id=world.learner_membership.pk, extension_days=7)
    changed = _patch(client, row, extension_days=9)
    expected = {
        "anonymous": (401, 401, 401, 401),
        "outsider": (403, 404, 403, 404),
        "learner": (403, 404, 403, 404),
        "observer": (403, 404, 403, 404),
        "ta": (200, 200, 403, 403),
        "teacher": (200, 200, 201, 200),
        "admin": (200, 200, 201, 200),
    }[role]
    assert (listed.status_code, one.status_code, given.status_code, changed.status_code) == expected
    if role not in ("ta", "teacher", "admin"):
        assert "Private plan" not in listed.content.decode() + one.content.decode()
    removed = client.delete(row_url(row))
    assert removed.status_code == {"ta": 403, "teacher": 204, "admin": 204, "anonymous": 401}.get(role, 404)
    assert Accommodation.objects.filter(pk=row.pk).exists() is (role not in ("teacher", "admin"))
    if role not in ("teacher", "admin"):
        assert _values(row) == (Decimal("1.00"), 0, 2, "Private plan")


def test_a_ta_limited_to_groups_lists_only_those_groups_and_their_learners(client: Client, world: CourseWorld) -> None:
    red, blue = GroupFactory(course=world.course, name="Red"), GroupFactory(course=world.course, name="Blue")
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
    limited = UserFactory()
    MembershipFactory(course=world.course, user=limited, role=Role.TA).groups.add(red)
    client.force_login(limited)
    listed = {item["id"] for item in client.get(list_url(world.course)).json()["items"]}
    assert listed == {rows["red learner"].pk, rows["red group"].pk}
    assert client.get(row_url(rows["blue group"])).status_code == 404
    assert client.get(row_url(rows["red group"])).status_code == 200
    _as(client, world, "teacher")
    assert client.get(list_url(world.course)).json()["count"] == 4


def test_another_courses_teacher_reaches_nothing_here(client: Client, world: CourseWorld) -> None:
    row = _give(world)
    stranger = UserFactory()
    MembershipFactory(course=CourseFactory(), user=stranger, role=Role.TEACHER)
    client.force_login(stranger)
    assert client.get(list_url(world.course)).status_code == 403
    assert _patch(client, row, extension_days=9).status_code == 404
    assert client.delete(row_url(row)).status_code == 404
    assert Accommodation.objects.filter(pk=row.pk).exists()


def test_a_read_only_token_lists_them_but_changes_nothing(world: CourseWorld) -> None:
    row = _give(world)
    secret = create_api_token(user=world.teacher, name="school system", access=TokenAccess.READ).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(list_url(world.course)).json()["count"] == 1
    assert client.get(row_url(row)).status_code == 200
    assert _patch(client, row, extension_days=9).status_code == 403
    assert client.delete(row_url(row)).status_code == 403
    assert _post(client, world.course, membership_id=world.learner_membership.pk, extension_days=9).status_code == 403
    assert _values(row) == (Decimal("1.50"), 1, 2, "")


def _groups(course: Course, n: int) -> list[Group]:
    return [GroupFactory(course=course, name=f"G{i}") for i in range(n)]


def test_the_list_costs_the_same_queries_for_2_and_40_accommodations(client: Client, world: CourseWorld) -> None:
    counts = []
    for n in (2, 40):
        course = CourseFactory()
        teacher = UserFactory()
        MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
        for group in _groups(course, n // 2):
            services.set_accommodation(actor=teacher, course=course, data=EXTRA_TIME, group=group)
        for _ in range(n // 2):
            learner: Membership = MembershipFactory.create(course=course)
            services.set_accommodation(actor=teacher, course=course, data=EXTRA_TIME, learner=learner)
        client.force_login(teacher)
        counts.append(count_queries(client, list_url(course) + "?limit=200"))
        assert client.get(list_url(course)).json()["count"] == n
    assert counts[0] == counts[1]
