"""Email delivery through a real SMTP server on 127.0.0.1: once per delivery, digests, retries, unsubscribe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from cadence.core.testing.smtp import SmtpServer
from cadence.notifications import delivery as sending
from cadence.notifications import services
from cadence.notifications.models import Delivery, DeliverySettings, Kind, Notification, Timing
from conftest import CourseWorld

NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # in the past: due at once


def tell(world: CourseWorld, key: str, kind: str = Kind.REPLY, now: dt.datetime = NOON, title: str = "A reply") -> None:
    services.notify(
        recipients=[world.learner], kind=kind, title=title, url="/courses/data-literacy/",
        key=key, actor=world.teacher, course=world.course, body="Looks right to me.", now=now,
    )  # fmt: skip


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_immediate_notification_is_emailed_once(
    world: CourseWorld, smtp_server: SmtpServer, run_on_commit: Callable[..., Any]
) -> None:
    with run_on_commit():
        tell(world, "reply:1")
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.recipients == [world.learner.email]
    assert received.subject == "A reply"
    assert "Looks right to me." in received.text
    assert "http://127.0.0.1:8000/courses/data-literacy/" in received.text
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.key.startswith("immediately:")
    # A retried task, or a second sweep, sends nothing more.
    assert sending.send_once(delivery.pk, now=timezone.now()) == "done"
    assert sending.claim_due(now=timezone.now()) == []
    assert len(smtp_server.messages) == 1


def test_headers_allow_one_click_unsubscribe_and_stable_message_id(
    world: CourseWorld, smtp_server: SmtpServer, run_on_commit: Callable[..., Any], client: Client
) -> None:
    with run_on_commit():
        tell(world, "reply:1")
    message = smtp_server.messages[0].message
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("http://127.0.0.1:8000/notifications/unsubscribe/")
    assert str(message["Message-ID"]).endswith("@localhost>")
    # RFC 8058: the mail system POSTs to the link, with no session and no CSRF token.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(link.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert services.preferences_of(world.learner)[Kind.REPLY] == Timing.OFF
    with run_on_commit():
        tell(world, "reply:2")
    assert len(smtp_server.messages) == 1  # no more reply emails; the centre still has it
    assert Notification.objects.filter(recipient=world.learner).count() == 2


def test_a_failed_send_is_retried_and_delivered_once(
    world: CourseWorld, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    smtp_server.refuse_next(1)
    with django_capture_on_commit_callbacks(execute=False):
        tell(world, "reply:1")
    assert len(sending.claim_due(now=timezone.now())) == 1
    delivery = Delivery.objects.get()
    with pytest.raises(Exception, match="Try again later"):
        sending.send_once(delivery.pk, now=timezone.now())
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.lease_until is None
    assert sending.send_once(delivery.pk, now=timezone.now()) == "sent"
    assert sending.send_once(delivery.pk, now=timezone.now()) == "done"
    assert len(smtp_server.messages) == 1
    assert Delivery.objects.get().attempts == 2


def test_a_delivery_held_by_another_worker_is_left_alone(world: CourseWorld, smtp_server: SmtpServer) -> None:
    tell(world, "reply:1")
    sending.claim_due(now=timezone.now())
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() + dt.timedelta(seconds=30))
    assert sending.send_once(delivery.pk, now=timezone.now()) == "busy"
    assert smtp_server.messages == []


def test_daily_digest_gathers_everything_with_local_times(
    world: CourseWorld, smtp_server: SmtpServer, run_on_commit: Callable[..., Any]
) -> None:
    world.learner.time_zone = "America/New_York"
    world.learner.save()
    morning = dt.datetime(2026, 11, 24, 14, 5, tzinfo=dt.UTC)  # 09:05 in New York
    tell(world, "a", kind=Kind.FORUM_ACTIVITY, now=morning, title="New thread: Median or mean?")
    tell(world, "b", kind=Kind.FORUM_ACTIVITY, now=morning + dt.timedelta(hours=2), title="New thread: Outliers")
    due = set(Notification.objects.filter(recipient=world.learner).values_list("email_due_at", flat=True))
    assert due == {dt.datetime(2026, 11, 24, 22, 0, tzinfo=dt.UTC)}  # 17:00 in New York
    assert sending.claim_due(now=dt.datetime(2026, 11, 24, 21, 59, tzinfo=dt.UTC)) == []
    (claimed,) = sending.claim_due(now=dt.datetime(2026, 11, 24, 22, 0, tzinfo=dt.UTC))
    assert sending.send_once(claimed, now=dt.datetime(2026, 11, 24, 22, 0, tzinfo=dt.UTC)) == "sent"
    assert len(smtp_server.messages) == 1
    digest = smtp_server.messages[0]
    assert digest.subject == "Your daily digest: 2 updates"
    assert "Median or mean?" in digest.text and "Outliers" in digest.text
    nine_oh_five = formats.date_format(dt.datetime(2026, 11, 24, 9, 5), "DATETIME_FORMAT")  # noqa: DTZ001  # wall time
    assert f"{nine_oh_five} (America/New_York)" in digest.text
    assert "/notifications/unsubscribe/" in digest.text


def test_email_off_for_everything_skips_a_pending_delivery(world: CourseWorld, smtp_server: SmtpServer) -> None:
    tell(world, "reply:1")
    sending.claim_due(now=timezone.now())
    DeliverySettings.objects.create(user=world.learner, email_enabled=False)
    assert sending.send_once(Delivery.objects.get().pk, now=timezone.now()) == "skipped"
    assert smtp_server.messages == []


def test_unsubscribe_page_confirms_before_acting(world: CourseWorld, client: Client) -> None:
    from cadence.notifications.unsubscribe import ALL, token_for

    url = reverse("notifications:unsubscribe", args=[token_for(world.learner.pk, ALL)])
    page = client.get(url)
    assert b"Stop receiving all email from Cadence by email?" in page.content
    assert not DeliverySettings.objects.filter(user=world.learner).exists()
    assert client.post(url).status_code == 200
    assert DeliverySettings.objects.get(user=world.learner).email_enabled is False


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJrIjoiYWxsIn0:forged:signature"])
def test_a_bad_unsubscribe_link_is_a_clear_404(client: Client, db: None, token: str) -> None:
    response = client.post(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 404
    assert b"This unsubscribe link is not valid" in response.content
