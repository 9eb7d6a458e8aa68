"""The notification centre, the header count, preferences and the API: each person sees only their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence.notifications import services
from cadence.notifications.models import DeliverySettings, Kind, Notification, Timing
from conftest import CourseWorld


def tell(world: CourseWorld, n: int = 1, url: str = "/courses/data-literacy/", title: str = "A reply") -> None:
    for i in range(n):
        services.notify(
            recipients=[world.learner], kind=Kind.REPLY, title=title, url=url, key=f"k{i}",
            actor=world.teacher, course=world.course,
        )  # fmt: skip


def test_header_shows_the_unread_count(client: Client, world: CourseWorld) -> None:
    tell(world, 3)
    client.force_login(world.learner)
    page = client.get(reverse("home")).content.decode()
    assert '<span class="count-badge">3<span class="visually-hidden"> unread</span></span>' in page
    client.force_login(world.ta)
    assert "count-badge" not in client.get(reverse("home")).content.decode()


def test_list_open_and_mark_read(client: Client, world: CourseWorld) -> None:
    tell(world, 2)
    client.force_login(world.learner)
    page = client.get(reverse("notifications:list")).content.decode()
    assert page.count("notification-unread") == 2
    first = Notification.objects.filter(recipient=world.learner).first()
    assert first is not None
    response = client.get(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/courses/data-literacy/"
    first.refresh_from_db()
    assert first.read_at is not None
    unread = client.get(reverse("notifications:list") + "?show=unread").content.decode()
    assert unread.count("notification-unread") == 1
    client.post(reverse("notifications:mark-read"), {"all": "1"})
    assert not Notification.objects.filter(recipient=world.learner, read_at__isnull=True).exists()
    client.post(reverse("notifications:mark-unread", args=[first.pk]))
    assert Notification.objects.get(pk=first.pk).read_at is None


def test_an_offsite_link_is_never_followed(client: Client, world: CourseWorld) -> None:
    tell(world, url="https://evil.example/phish")
    client.force_login(world.learner)
    row = Notification.objects.get(recipient=world.learner)
    response = client.get(reverse("notifications:open", args=[row.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_titles_are_escaped(client: Client, world: CourseWorld) -> None:
    tell(world, title='<script>window.__xss=1</script><img src=x onerror="alert(1)">')
    client.force_login(world.learner)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "<script>window.__xss" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_someone_elses_notification_is_404(client: Client, world: CourseWorld) -> None:
    tell(world)
    row = Notification.objects.get(recipient=world.learner)
    client.force_login(world.ta)
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:mark-unread", args=[row.pk])).status_code == 404
    client.post(reverse("notifications:mark-read"), {"id": str(row.pk)})
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_list_queries_do_not_grow_with_notifications(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    tell(world, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:list"))
    Notification.objects.bulk_create(
        Notification(
            recipient=world.learner, kind=Kind.MENTION, key=f"bulk{i}", title=f"Mention {i}", url="/",
            course=world.course, actor=world.teacher, created_at=timezone.now(), timing=Timing.IMMEDIATELY,
        )
        for i in range(300)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("notifications:list"))
    assert len(many) == len(few)
    assert "Page 1 of 11" in response.content.decode()


def test_preferences_form_saves_and_reports_errors(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Replies to my posts" in page and world.learner.time_zone in page
    data = {f"kind_{kind}": Timing.DAILY for kind in Kind.values} | {
        "email_enabled": "on", "quiet_start": "22:00", "quiet_end": "06:30", "digest_time": "18:00", "weekly_day": "6",
    }  # fmt: skip
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    saved = DeliverySettings.objects.get(user=world.learner)
    assert (saved.quiet_start, saved.quiet_end, saved.weekly_day) == (dt.time(22), dt.time(6, 30), 6)
    assert services.preferences_of(world.learner)[Kind.MENTION] == Timing.DAILY
    bad = data | {"quiet_end": "", "kind_reply": "hourly"}
    response = client.post(reverse("notifications:preferences"), bad)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Give both the start and the end of quiet hours" in body
    assert "Select a valid choice" in body
    assert services.preferences_of(world.learner)[Kind.REPLY] == Timing.DAILY  # unchanged


def test_api_lists_only_my_notifications_and_marks_them_read(client: Client, world: CourseWorld) -> None:
    tell(world, 2)
    client.force_login(world.learner)
    listed = client.get("/api/v1/notifications?unread=true").json()
    assert listed["count"] == 2 and listed["items"][0]["title"] == "A reply"
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    ids = [listed["items"][0]["id"]]
    assert client.post("/api/v1/notifications/read", {"ids": ids}, content_type="application/json").json() == {
        "marked": 1
    }
    client.force_login(world.ta)
    assert client.get("/api/v1/notifications").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"timings": {"reply": "weekly"}, "weekly_day": 2}, 200),
        ({"timings": {"reply": "hourly"}}, 422),
        ({"timings": {"gossip": "daily"}}, 422),
        ({"timings": {}, "quiet_start": "21:00"}, 422),
        ({"timings": {}, "weekly_day": 9}, 422),
    ],
)
def test_api_preferences(client: Client, world: CourseWorld, body: dict[str, object], status: int) -> None:
    client.force_login(world.learner)
    response = client.put("/api/v1/notifications/preferences", body, content_type="application/json")
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["timings"]["reply"] == "weekly" and response.json()["weekly_day"] == 2
    else:
        assert not DeliverySettings.objects.filter(user=world.learner).exists()
