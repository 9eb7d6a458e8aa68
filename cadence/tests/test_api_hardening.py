"""A hardened API: every integer a client sends is range-checked, `limit` is capped, bodies have the declared
types, and the OpenAPI document declares every status and format the API answers with.

Before this, a huge `limit` or `offset` on a list endpoint, or a huge id in a list of recipients, reached the
database and ended in a server error (500).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cadence.accounts.services import create_api_token
from cadence.api import api
from cadence.core.api_types import MAX_ID, MAX_LIMIT
from cadence.courses.models import Accommodation
from cadence.messaging.models import Conversation, Message
from cadence.notifications.models import DeliverySettings
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shared_world: CourseWorld) -> CourseWorld:
    """Built once for the module: these tests only read it or change it through the database (rolled back)."""
    return shared_world


HUGE = 2**70  # no database column holds it
JUST_OVER = MAX_ID + 1  # one more than PostgreSQL's bigint and SQLite's integer hold


def _client(user: Any) -> Client:
    token = create_api_token(user=user, name="tests").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)


def _list_urls(world: CourseWorld) -> list[str]:
    return [
        "/api/v1/courses",
        f"/api/v1/courses/{world.course.pk}/memberships",
        "/api/v1/notifications",
        "/api/v1/messages/conversations",
        f"/api/v1/messages/courses/{world.course.pk}/questions",
        f"/api/v1/courses/{world.course.pk}/learners",
        f"/api/v1/courses/{world.course.pk}/check-ins",
        f"/api/v1/courses/{world.course.pk}/accommodations",
    ]


@pytest.mark.parametrize("param", ["limit", "offset"])
@pytest.mark.parametrize("value", [HUGE, JUST_OVER, 2**63, -1])
def test_a_huge_or_negative_limit_or_offset_is_422_not_a_server_error(world: CourseWorld, param: str, value: int):
    client = _client(world.teacher)
    for url in _list_urls(world):
        response = client.get(url, {param: value})
        assert response.status_code == 422, (url, response.status_code, response.content[:200])
        body = response.json()
        assert param in body["detail"] and body["errors"][0]["loc"] == ["query", param]


def test_limit_is_capped_at_200(world: CourseWorld):
    client = _client(world.teacher)
    for url in _list_urls(world):
        assert client.get(url, {"limit": MAX_LIMIT}).status_code == 200, url
        refused = client.get(url, {"limit": MAX_LIMIT + 1})
        assert refused.status_code == 422, url
        assert "less than or equal to 200" in refused.json()["detail"]
        assert client.get(url, {"limit": 0}).status_code == 422


def test_the_largest_offset_is_an_empty_page(world: CourseWorld):
    response = _client(world.teacher).get("/api/v1/courses", {"offset": 2**31 - 1})
    assert response.status_code == 200 and response.json()["items"] == []


@pytest.mark.parametrize("bad", [HUGE, JUST_OVER, 0, -5])
def test_a_huge_recipient_id_is_422_and_sends_nothing(world: CourseWorld, bad: int):
    body = {"course_id": world.course.pk, "recipient_ids": [world.learner.pk, bad], "body": "Hello"}
    response = _client(world.teacher).post("/api/v1/messages/conversations", body, content_type="application/json")
    assert response.status_code == 422, response.content[:300]
    assert response.json()["errors"][0]["loc"][:3] == ["body", "payload", "recipient_ids"]
    assert not Conversation.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("bad", [HUGE, JUST_OVER, 0, -5])
def test_a_huge_id_in_a_check_in_or_an_accommodation_is_422_and_changes_nothing(world: CourseWorld, bad: int):
    client = _client(world.teacher)
    check_in = {"learner_ids": [world.learner.pk, bad], "body": "Hello"}
    response = client.post(f"/api/v1/courses/{world.course.pk}/check-ins", check_in, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][:3] == ["body", "payload", "learner_ids"]
    for field in ("membership_id", "group_id"):
        body = {field: bad, "extension_days": 1}
        url = f"/api/v1/courses/{world.course.pk}/accommodations"
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "payload", field]
    filtered = client.get(f"/api/v1/courses/{world.course.pk}/learners", {"group": bad})
    assert filtered.status_code == 422 and filtered.json()["errors"][0]["loc"] == ["query", "group"]
    assert not Message.objects.exists() and not Accommodation.objects.exists()


def test_a_recipient_id_in_range_that_names_nobody_is_still_a_clear_422(world: CourseWorld):
    body = {"course_id": world.course.pk, "recipient_ids": [MAX_ID], "body": "Hello"}
    response = _client(world.teacher).post("/api/v1/messages/conversations", body, content_type="application/json")
    assert response.status_code == 422 and "do not exist" in response.json()["detail"]


def _path_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path) for path, operations in schema["paths"].items() if "{" in path for method in operations
    ]


@pytest.mark.parametrize(("method", "path"), _path_operations())
@pytest.mark.parametrize("bad", [JUST_OVER, 0])
def test_every_id_in_a_path_is_range_checked(world: CourseWorld, method: str, path: str, bad: int):
    url = re.sub(r"\{[a-z_]+\}", str(bad), path)
    response = getattr(_client(world.admin), method.lower())(url, {}, content_type="application/json")
    assert response.status_code == 422, (url, response.status_code)
    assert response.json()["errors"][0]["loc"][0] == "path"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/notifications/read", {"ids": [HUGE]}),
        ("/api/v1/progress/events", {"events": [{"id": "event-0001", "verb": "heartbeat", "item": JUST_OVER}]}),
    ],
)
def test_ids_in_bodies_are_range_checked(world: CourseWorld, url: str, body: dict[str, Any]):
    response = _client(world.learner).post(url, body, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"]


def test_ids_in_order_lists_and_moves_are_range_checked(world: CourseWorld):
    client = _client(world.teacher)
    module = world.modules[0]
    order = client.put(f"/api/v1/modules/{module.pk}/items/order", {"ids": [HUGE]}, content_type="application/json")
    assert order.status_code == 422
    move = client.patch(f"/api/v1/items/{world.items[0].pk}", {"module_id": HUGE}, content_type="application/json")
    assert move.status_code == 422


@pytest.mark.parametrize("page", [HUGE, 0, 1_000_001])
def test_forum_page_numbers_are_range_checked(world: CourseWorld, page: int):
    from cadence.community.tests import factories as community

    forum = community.forum(world.course)
    thread = community.thread(world.learner, forum)
    client = _client(world.learner)
    assert client.get(f"/api/v1/forums/{forum.pk}/threads", {"page": page}).status_code == 422
    assert client.get(f"/api/v1/threads/{thread.pk}", {"page": page}).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"ids": ["1"]},  # text is not an id
        {"ids": [True]},  # nor is true
        [None, None],  # the body must be a JSON object
        "read them",
    ],
)
def test_bodies_must_have_the_declared_types(world: CourseWorld, body: Any):
    response = _client(world.learner).post("/api/v1/notifications/read", body, content_type="application/json")
    assert response.status_code in (400, 422), response.content[:200]
    assert response.json()["detail"]


def test_a_body_that_is_not_an_object_is_400_with_a_clear_message_and_changes_nothing(world: CourseWorld):
    url = f"/api/v1/courses/{world.course.pk}/modules"
    response = _client(world.teacher).post(url, '"AAA"', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body must be a JSON object."}
    assert world.course.modules.count() == 2
    broken = _client(world.teacher).post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json() == {"detail": "The request body is not valid JSON."}


def test_a_patch_may_leave_a_field_out_but_not_send_null(world: CourseWorld):
    item = world.items[0]
    client = _client(world.teacher)
    response = client.patch(f"/api/v1/items/{item.pk}", {"is_published": None}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["loc"][-1] == "is_published"
    cleared = client.patch(f"/api/v1/items/{item.pk}", {"estimated_minutes": None}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["estimated_minutes"] is None


def test_a_whole_number_written_as_a_decimal_is_accepted_as_json_schema_says(world: CourseWorld):
    item = world.items[0]
    response = _client(world.teacher).patch(
        f"/api/v1/items/{item.pk}", {"estimated_minutes": 5.0}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["estimated_minutes"] == 5
    half = _client(world.teacher).patch(
        f"/api/v1/items/{item.pk}", {"estimated_minutes": 5.5}, content_type="application/json"
    )
    assert half.status_code == 422


# The OpenAPI document


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    return [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


@pytest.mark.parametrize(("method", "path", "operation"), _operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_operation_declares_its_error_statuses_with_an_error_schema(
    method: str, path: str, operation: dict[str, Any]
):
    responses = {int(code): response for code, response in operation["responses"].items()}
    declared = set(responses)
    assert 401 in declared  # every operation needs a token or a session
    if operation.get("parameters") or "requestBody" in operation:
        assert 422 in declared
    if "requestBody" in operation:
        assert 400 in declared  # not JSON, or not an object
    if method in ("post", "put", "patch", "delete"):
        assert 403 in declared  # not allowed, or a session's failed CSRF check
    if "{" in path:
        assert 404 in declared
    for code in declared - {200, 201, 202, 204}:
        ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
        assert ref.rsplit("/", 1)[-1] in ("ErrorOut", "ValidationErrorOut")


def test_the_document_declares_ranges_of_ids_limit_and_offset():
    schema = api.get_openapi_schema()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/courses"]["get"]["parameters"]}
    assert params["limit"]["maximum"] == MAX_LIMIT and params["limit"]["minimum"] == 1
    assert params["offset"]["minimum"] == 0 and params["offset"]["maximum"] == 2**31 - 1
    course_id = schema["paths"]["/api/v1/courses/{course_id}"]["get"]["parameters"][0]["schema"]
    assert course_id["minimum"] == 1 and course_id["maximum"] == MAX_ID


def test_no_time_is_declared_with_an_offset_it_is_not_returned_with(world: CourseWorld):
    schema = api.get_openapi_schema()
    assert '"format": "time"' not in str(schema).replace("'", '"')
    fields = schema["components"]["schemas"]["PreferencesSchema"]["properties"]
    pattern = re.compile(fields["digest_time"]["pattern"])
    response = _client(world.learner).get("/api/v1/notifications/preferences")
    assert response.status_code == 200
    assert pattern.fullmatch(response.json()["digest_time"])
    assert response.json()["digest_time"] == "17:00:00"


@pytest.mark.parametrize("value", ["21:00+02:00", "21:00Z", "25:00", "9pm", 75600])
def test_a_preference_time_with_an_offset_or_not_a_time_is_422_and_saves_nothing(world: CourseWorld, value: Any):
    body = {"timings": {}, "quiet_start": value, "quiet_end": "07:00"}
    response = _client(world.learner).put("/api/v1/notifications/preferences", body, content_type="application/json")
    assert response.status_code == 422, response.content[:200]
    assert "own time zone" in response.json()["detail"]
    assert not DeliverySettings.objects.filter(user=world.learner).exists()


def test_a_preference_time_of_day_is_saved_and_returned_the_same(world: CourseWorld):
    body = {"timings": {}, "quiet_start": "21:30", "quiet_end": "07:00:00", "digest_time": "18:15"}
    response = _client(world.learner).put("/api/v1/notifications/preferences", body, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert (data["quiet_start"], data["quiet_end"], data["digest_time"]) == ("21:30:00", "07:00:00", "18:15:00")


def test_a_nul_character_in_text_is_stored_as_a_replacement_character_not_a_server_error(world: CourseWorld):
    """PostgreSQL cannot store U+0000: a title carrying one was a server error there (schemathesis found it)."""
    client = _client(world.teacher)
    url = f"/api/v1/courses/{world.course.pk}/modules"
    response = client.post(url, {"title": "Week\x001"}, content_type="application/json")
    assert response.status_code == 201, response.content[:200]
    assert response.json()["title"] == "Week\ufffd1"
    assert world.course.modules.filter(title="Week\ufffd1").exists()
    assert client.get("/api/v1/courses", {"q": "Data\x00", "mine": "true"}).status_code == 200
