from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission

from cadence.accounts import services as account_services
from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Course, Invitation, Item, Membership, Module
from cadence.courses.tests.factories import CourseFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {account_services.create_api_token(user=user, name='t').secret}"}


def _json(client, method: str, url: str, user, body=None):
    call = getattr(client, method)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    return call(url, body, **kwargs, **_auth(user)) if body is not None else call(url, **_auth(user))


def test_course_list_shows_catalogue_and_own_courses(client, world: CourseWorld):
    CourseFactory(title="Hidden draft", visibility="draft")
    data = _json(client, "get", "/api/v1/courses", world.outsider).json()
    titles = [c["title"] for c in data["items"]]
    assert "Data Literacy" in titles and "Hidden draft" not in titles
    mine = _json(client, "get", "/api/v1/courses?mine=true", world.outsider).json()
    assert mine["count"] == 0


def test_course_detail_and_404_for_drafts_of_others(client, world: CourseWorld):
    draft = CourseFactory(visibility="draft")
    assert _json(client, "get", f"/api/v1/courses/{world.course.pk}", world.learner).status_code == 200
    response = _json(client, "get", f"/api/v1/courses/{draft.pk}", world.learner)
    assert response.status_code == 404 and "detail" in response.json()


def test_create_course_needs_permission(client):
    user = UserFactory()
    body = {"title": "Algebra", "slug": "algebra"}
    assert _json(client, "post", "/api/v1/courses", user, body).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_course"))
    response = _json(client, "post", "/api/v1/courses", user, body)
    assert response.status_code == 201
    assert Membership.objects.get(course__slug="algebra").role == "teacher"


def test_duplicate_slug_is_409(client, world: CourseWorld):
    world.admin.save()
    response = _json(client, "post", "/api/v1/courses", world.admin, {"title": "Again", "slug": "data-literacy"})
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


def test_bad_input_is_422_with_clear_message(client, world: CourseWorld):
    response = _json(client, "post", "/api/v1/courses", world.admin, {"title": "", "slug": "bad slug!"})
    assert response.status_code == 422
    assert response.json()["detail"]
    response = _json(client, "patch", f"/api/v1/courses/{world.course.pk}", world.teacher, {"time_zone": "Mars/Base"})
    assert response.status_code == 422
    assert "time zone" in response.json()["detail"]
    response = _json(client, "patch", f"/api/v1/courses/{world.course.pk}", world.teacher, {"title": "x" * 201})
    assert response.status_code == 422
    world.course.refresh_from_db()
    assert world.course.title == "Data Literacy"


def test_learner_cannot_patch_course(client, world: CourseWorld):
    response = _json(client, "patch", f"/api/v1/courses/{world.course.pk}", world.learner, {"title": "Mine now"})
    assert response.status_code == 403


def test_modules_and_items_crud(client, world: CourseWorld):
    created = _json(client, "post", f"/api/v1/courses/{world.course.pk}/modules", world.teacher, {"title": "Week 9"})
    assert created.status_code == 201
    module_id = created.json()["id"]
    item = _json(
        client, "post", f"/api/v1/modules/{module_id}/items", world.teacher, {"kind": "video", "title": "Lecture"}
    )
    assert item.status_code == 201
    item_id = item.json()["id"]
    assert (
        _json(client, "patch", f"/api/v1/items/{item_id}", world.teacher, {"title": "Lecture 1"}).json()["title"]
        == "Lecture 1"
    )
    moved = _json(client, "patch", f"/api/v1/items/{item_id}", world.teacher, {"module_id": world.modules[0].pk})
    assert moved.json()["module_id"] == world.modules[0].pk
    assert _json(client, "delete", f"/api/v1/items/{item_id}", world.teacher).status_code == 204
    assert not Item.objects.filter(pk=item_id).exists()
    assert _json(client, "delete", f"/api/v1/modules/{module_id}", world.teacher).status_code == 204


def test_unknown_item_kind_is_422(client, world: CourseWorld):
    response = _json(
        client,
        "post",
        f"/api/v1/modules/{world.modules[0].pk}/items",
        world.teacher,
        {"kind": "hologram", "title": "x"},
    )
    assert response.status_code == 422


def test_reorder_items_via_api(client, world: CourseWorld):
    module = world.modules[0]
    ids = list(module.items.order_by("position").values_list("pk", flat=True))
    response = _json(client, "put", f"/api/v1/modules/{module.pk}/items/order", world.teacher, {"ids": ids[::-1]})
    assert [i["id"] for i in response.json()] == ids[::-1]
    bad = _json(client, "put", f"/api/v1/modules/{module.pk}/items/order", world.teacher, {"ids": ids[:1]})
    assert bad.status_code == 422


def test_hidden_items_are_not_listed_for_learners(client, world: CourseWorld):
    module = world.modules[0]
    Item.objects.filter(pk=world.items[0].pk).update(is_published=False)
    learner_ids = [i["id"] for i in _json(client, "get", f"/api/v1/modules/{module.pk}/items", world.learner).json()]
    assert world.items[0].pk not in learner_ids
    assert _json(client, "get", f"/api/v1/items/{world.items[0].pk}", world.learner).status_code == 404


def test_memberships_staff_see_all_learner_sees_self(client, world: CourseWorld):
    url = f"/api/v1/courses/{world.course.pk}/memberships"
    assert _json(client, "get", url, world.ta).json()["count"] == 4
    own = _json(client, "get", url, world.learner).json()
    assert [m["user"]["id"] for m in own["items"]] == [world.learner.pk]


def test_observer_sees_only_the_linked_learner(client, world: CourseWorld):
    other = Membership.objects.create(user=UserFactory(), course=world.course, role="learner")
    assert _json(client, "get", f"/api/v1/memberships/{world.learner_membership.pk}", world.observer).status_code == 200
    assert _json(client, "get", f"/api/v1/memberships/{other.pk}", world.observer).status_code == 404


def test_add_membership_invites_with_202_whether_or_not_the_account_exists(client, world: CourseWorld):
    known = UserFactory(email="known@example.org")
    url = f"/api/v1/courses/{world.course.pk}/memberships"
    answers = [_json(client, "post", url, world.teacher, {"email": e}) for e in (known.email, "unknown@example.org")]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json().keys() == answers[1].json().keys()
    assert not Membership.objects.filter(course=world.course, user=known).exists()
    member = world.learner.email
    assert _json(client, "post", url, world.teacher, {"email": member}).status_code == 409
    assert _json(client, "post", url, world.teacher, {"email": "new@example.org", "role": "ta"}).status_code == 202
    assert Invitation.objects.filter(email="new@example.org", role="ta").exists()
    assert _json(client, "post", url, world.teacher, {"email": "not-an-email"}).status_code == 422
    assert _json(client, "post", url, world.learner, {"email": "x@example.org"}).status_code == 403


def test_change_role_and_last_teacher_conflict(client, world: CourseWorld):
    teacher_membership = Membership.objects.get(user=world.teacher, course=world.course)
    response = _json(
        client, "patch", f"/api/v1/memberships/{teacher_membership.pk}", world.teacher, {"role": "learner"}
    )
    assert response.status_code == 409
    response = _json(
        client, "patch", f"/api/v1/memberships/{world.learner_membership.pk}", world.teacher, {"role": "wizard"}
    )
    assert response.status_code == 422
    assert (
        _json(client, "delete", f"/api/v1/memberships/{world.learner_membership.pk}", world.learner).status_code == 403
    )


def test_join_via_api(client, world: CourseWorld):
    code_course = CourseFactory(enrolment="code", enrolment_code="ZXCV2345")
    assert (
        _json(client, "post", f"/api/v1/courses/{code_course.pk}/join", world.outsider, {"code": "bad"}).status_code
        == 422
    )
    assert (
        _json(
            client, "post", f"/api/v1/courses/{code_course.pk}/join", world.outsider, {"code": "ZXCV2345"}
        ).status_code
        == 201
    )
    assert _json(client, "post", f"/api/v1/courses/{world.course.pk}/join", world.learner, {}).status_code == 409


def test_session_auth_requires_csrf_for_writes(world: CourseWorld):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.teacher)
    response = client.post(
        f"/api/v1/courses/{world.course.pk}/modules", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code in {401, 403}
    assert not Module.objects.filter(title="x").exists()


def test_course_list_query_count_is_flat(client, django_assert_max_num_queries):
    user = UserFactory()
    headers = _auth(user)
    for _ in range(30):
        CourseFactory()
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/courses?limit=100", **headers).status_code == 200
    assert Course.objects.count() == 30


def test_a_due_date_needs_its_offset(client, world: CourseWorld):
    url = f"/api/v1/items/{world.items[0].pk}"
    response = _json(client, "patch", url, world.teacher, {"due_at": "2026-12-01T23:59:00"})
    assert response.status_code == 422
    response = _json(client, "patch", url, world.teacher, {"due_at": "2026-12-01T23:59:00+09:00"})
    assert response.status_code == 200
    assert datetime.fromisoformat(response.json()["due_at"]) == datetime(2026, 12, 1, 14, 59, tzinfo=UTC)
    assert _json(client, "patch", url, world.teacher, {"due_at": None}).json()["due_at"] is None
