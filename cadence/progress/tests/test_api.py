from __future__ import annotations

import pytest

from cadence.courses.tests.factories import ItemFactory
from cadence.progress.models import Event, ItemProgress
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
URL = "/api/v1/progress/events"


def _post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_beacon_is_idempotent_over_http(client, world: CourseWorld):
    client.force_login(world.learner)
    body = {
        "events": [
            {
                "id": "abc-12345",
                "verb": "progressed",
                "item": world.items[0].pk,
                "position": 30.5,
                "duration": 120,
                "watched": [0, 30.5],
            }
        ]
    }
    assert _post(client, body).json() == {"stored": 1, "duplicates": 0}
    assert _post(client, body).json() == {"stored": 0, "duplicates": 1}
    assert ItemProgress.objects.get(user=world.learner).position_seconds == 30.5


def test_beacon_rejects_another_courses_item_and_stores_nothing(client, world: CourseWorld):
    client.force_login(world.learner)
    foreign = ItemFactory()
    body = {
        "events": [
            {"id": "ok-123456", "verb": "heartbeat", "item": world.items[0].pk},
            {"id": "bad-123456", "verb": "heartbeat", "item": foreign.pk},
        ]
    }
    response = _post(client, body)
    assert response.status_code == 403 and "detail" in response.json()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "event",
    [
        {"id": "short", "verb": "heartbeat"},
        {"id": "abcdefgh", "verb": "completed"},
        {"id": "abcdefgh", "verb": "progressed", "position": -3},
        {"id": "abcdefgh", "verb": "progressed", "watched": [50, 10]},
        {"id": "bad key with spaces", "verb": "heartbeat"},
    ],
)
def test_malformed_events_are_422_and_nothing_is_stored(client, world: CourseWorld, event):
    client.force_login(world.learner)
    response = _post(client, {"events": [{"item": world.items[0].pk, **event}]})
    assert response.status_code == 422
    assert not Event.objects.exists()


def test_empty_or_oversized_batches_are_refused(client, world: CourseWorld):
    client.force_login(world.learner)
    assert _post(client, {"events": []}).status_code == 422
    many = [{"id": f"key-{n:05d}", "verb": "heartbeat", "item": world.items[0].pk} for n in range(101)]
    assert _post(client, {"events": many}).status_code == 422


def test_anonymous_beacon_is_401(client, world: CourseWorld):
    assert (
        _post(client, {"events": [{"id": "abcdefgh", "verb": "heartbeat", "item": world.items[0].pk}]}).status_code
        == 401
    )
