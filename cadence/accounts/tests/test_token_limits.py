"""API tokens expire, may be read-only and may be limited to one course; the policy enforces the limits on
every router, and the token list shows them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence import policy
from cadence.accounts import services
from cadence.accounts.models import ApiToken
from cadence.core.errors import InvalidInput
from cadence.core.models import AuditEntry
from cadence.courses.models import Course, Module, Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _call(client: Client, method: str, url: str, secret: str, body: dict[str, Any] | None = None) -> Any:
    kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {secret}"}}
    if body is not None:
        kwargs |= {"data": body, "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1{url}", **kwargs)


@pytest.fixture
def other_course(world: CourseWorld) -> Course:
    course = CourseFactory(title="Another Course", slug="another-course")
    MembershipFactory(course=course, user=world.teacher, role=Role.TEACHER)
    policy.forget_roles(world.teacher)
    return course


def test_expired_token_is_refused_with_401(client: Client, world: CourseWorld) -> None:
    issued = services.create_api_token(
        user=world.learner, name="old", expires_in_days=7, now=timezone.now() - timedelta(days=7, seconds=1)
    )
    response = _call(client, "get", "/me", issued.secret)
    assert response.status_code == 401
    fresh = services.create_api_token(user=world.learner, name="fresh", expires_in_days=7)
    assert _call(client, "get", "/me", fresh.secret).status_code == 200


def test_read_only_token_reads_but_every_write_is_403(client: Client, world: CourseWorld) -> None:
    issued = services.create_api_token(user=world.teacher, name="report", access="read")
    course = world.course.pk
    assert _call(client, "get", f"/courses/{course}/modules", issued.secret).status_code == 200
    assert _call(client, "get", "/me", issued.secret).status_code == 200
    writes = [
        ("post", f"/courses/{course}/modules", {"title": "Week 9"}),
        ("patch", f"/courses/{course}", {"title": "Renamed"}),
        ("patch", "/me", {"display_name": "Changed"}),
        ("delete", f"/modules/{world.modules[0].pk}", None),
        ("post", "/notifications/read", {}),
    ]
    for method, url, body in writes:
        response = _call(client, method, url, issued.secret, body)
        assert response.status_code == 403, (method, url, response.content)
    assert Module.objects.filter(course=world.course).count() == 2
    world.teacher.refresh_from_db()
    assert world.teacher.display_name != "Changed"


def test_the_same_writes_pass_with_a_read_write_token(client: Client, world: CourseWorld) -> None:
    issued = services.create_api_token(user=world.teacher, name="sync", access="write")
    response = _call(client, "post", f"/courses/{world.course.pk}/modules", issued.secret, {"title": "Week 9"})
    assert response.status_code == 201


def test_course_limited_token_cannot_reach_other_courses(
    client: Client, world: CourseWorld, other_course: Course
) -> None:
    issued = services.create_api_token(user=world.teacher, name="one course", access="write", course=world.course)
    mine, other = world.course.pk, other_course.pk
    assert _call(client, "get", f"/courses/{mine}/modules", issued.secret).status_code == 200
    assert _call(client, "get", f"/courses/{other}/modules", issued.secret).status_code == 404
    assert _call(client, "get", f"/courses/{other}", issued.secret).status_code == 404
    listed = _call(client, "get", "/courses?mine=true", issued.secret).json()
    assert [c["id"] for c in listed["items"]] == [mine]
    assert _call(client, "post", f"/courses/{mine}/modules", issued.secret, {"title": "A"}).status_code == 201
    assert _call(client, "post", f"/courses/{other}/modules", issued.secret, {"title": "B"}).status_code == 404
    assert not Module.objects.filter(course=other_course).exists()
    # Lists that span every course, and changes to the account, are closed to it.
    for method, url, body in [
        ("get", "/notifications", None),
        ("get", "/messages/conversations", None),
        ("patch", "/me", {"display_name": "x"}),
        ("post", "/courses", {"title": "New", "slug": "new"}),
    ]:
        assert _call(client, method, url, issued.secret, body).status_code in (403, 404), url
    assert _call(client, "get", "/me", issued.secret).status_code == 200


def test_course_limit_applies_to_site_administrators_too(client: Client, world: CourseWorld) -> None:
    issued = services.create_api_token(user=world.admin, name="admin", access="read", course=None)
    assert _call(client, "get", f"/courses/{world.course.pk}", issued.secret).status_code == 200
    other = CourseFactory(slug="elsewhere")
    MembershipFactory(course=other, user=world.admin, role=Role.TEACHER)
    limited = services.create_api_token(user=world.admin, name="one", access="read", course=other)
    assert _call(client, "get", f"/courses/{world.course.pk}", limited.secret).status_code == 404


@pytest.mark.parametrize(
    ("access", "limited", "action", "same_course", "allowed"),
    [
        ("read", False, "view", True, True),
        ("read", False, "edit", True, False),
        ("read", False, "grade", True, False),
        ("write", False, "edit", True, True),
        ("write", True, "edit", True, True),
        ("write", True, "edit", False, False),
        ("read", True, "view", False, False),
        ("write", True, "create_course", True, False),
    ],
)
def test_token_limits_as_a_table(
    world: CourseWorld, other_course: Course, access: str, limited: bool, action: str, same_course: bool, allowed: bool
) -> None:
    token = services.create_api_token(
        user=world.teacher, name="t", access=access, course=world.course if limited else None
    ).token
    policy.limit_to_token(world.teacher, token)
    target = None if action == "create_course" else (world.course if same_course else other_course)
    assert policy.token_allows(world.teacher, action, target) is allowed
    if target is not None and action in ("view", "edit"):
        assert policy.can(world.teacher, action, target) is allowed
        assert policy.scope(world.teacher, action, Course.objects.filter(pk=target.pk)).exists() is allowed


def test_token_choices_are_validated_and_nothing_is_made_on_bad_input(world: CourseWorld) -> None:
    for bad in (
        {"expires_in_days": 3650},
        {"expires_in_days": 0},
        {"access": "admin"},
        {"course": CourseFactory(slug="not-mine")},
    ):
        with pytest.raises(InvalidInput):
            services.create_api_token(user=world.learner, name="x", **bad)
    assert not ApiToken.objects.exists()


def test_token_creation_and_revocation_are_audited(client: Client, world: CourseWorld) -> None:
    client.force_login(world.teacher)
    client.post(
        reverse("accounts:token-list"),
        {"name": "export", "expires_in_days": 30, "access": "read", "course": world.course.pk},
        REMOTE_ADDR="203.0.113.7",
    )
    token = ApiToken.objects.get()
    assert (token.access, token.course_id) == ("read", world.course.pk)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    client.post(reverse("accounts:token-revoke", args=[token.pk]), REMOTE_ADDR="203.0.113.7")
    rows = list(AuditEntry.objects.filter(verb__startswith="token.").order_by("id"))
    assert [r.verb for r in rows] == ["token.created", "token.revoked"]
    assert all(r.actor_id == world.teacher.pk and r.data["address"] == "203.0.113.7" for r in rows)
    assert rows[0].data["token"] == token.pk and rows[0].data["course"] == world.course.pk
    assert token.digest not in repr([r.data for r in rows])


def test_token_list_shows_expiry_access_course_and_last_use_in_constant_queries(
    client: Client, world: CourseWorld, other_course: Course
) -> None:
    client.force_login(world.teacher)
    page = client.get(reverse("accounts:token-list")).content.decode()
    assert re.search(r'<option value="90" selected>', page)  # 90 days unless chosen otherwise
    assert re.search(r'<input type="radio" name="access" value="read"[^>]*checked', page)  # read-only first
    assert "Another Course" in page and "Data Literacy" in page  # courses the token may be limited to

    services.create_api_token(user=world.teacher, name="all", access="write")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:token-list")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(5):
        services.create_api_token(user=world.teacher, name=f"t{n}", access="read", course=other_course)
    expired = services.create_api_token(
        user=world.teacher, name="expired one", expires_in_days=7, now=timezone.now() - timedelta(days=30)
    )
    ApiToken.objects.filter(pk=expired.token.pk).update(last_used_at=timezone.now() - timedelta(days=25))
    assert queries() == few
    page = client.get(reverse("accounts:token-list")).content.decode()
    row = page[page.index(f'id="token-{expired.token.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Expired" in row and "Read and write" in row and "all my courses" in row and "never" not in row
    assert "only Another Course" in page and "Read only" in page


def test_token_form_refuses_a_course_the_user_is_not_in(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    elsewhere = CourseFactory(slug="elsewhere")
    response = client.post(
        reverse("accounts:token-list"),
        {"name": "x", "expires_in_days": 90, "access": "read", "course": elsewhere.pk},
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
