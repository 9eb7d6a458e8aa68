"""The notifications app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py).

A notification is its recipient's alone: everyone else gets 404 for it, whatever their role.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cadence.notifications import unsubscribe
from cadence.notifications.models import Kind, Notification, Timing
from cadence.tests.matrix import GO, LOGIN, OK, Case, Ctx, Row, call, const, everyone, page, signed_in, url


def learners_notification(c: Ctx) -> Notification:
    return Notification.objects.create(
        recipient=c.world.learner, kind=Kind.REPLY, key="matrix", title="A reply", url="/",
        created_at=timezone.now(), timing=Timing.IMMEDIATELY,
    )  # fmt: skip


def unsubscribe_url(c: Ctx) -> str:
    return reverse("notifications:unsubscribe", args=[unsubscribe.token_for(c.world.learner.pk, Kind.REPLY)])


LEARNERS_OWN = Row(LOGIN, 404, GO, 404, 404, 404, 404)
PREFERENCES = {
    "email_enabled": "on", "quiet_start": "21:00", "quiet_end": "07:00", "digest_time": "17:00", "weekly_day": "4",
} | {f"kind_{kind}": Timing.DAILY for kind in Kind.values}  # fmt: skip

PAGES: dict[str, Case] = {
    "GET notifications:list": Case(page("GET", url("notifications:list")), signed_in(OK)),
    "GET notifications:open": Case(
        page("GET", lambda c: reverse("notifications:open", args=[learners_notification(c).pk])), LEARNERS_OWN
    ),
    "POST notifications:mark-unread": Case(
        page("POST", lambda c: reverse("notifications:mark-unread", args=[learners_notification(c).pk])),
        LEARNERS_OWN,
    ),
    "POST notifications:mark-read": Case(
        page("POST", url("notifications:mark-read"), lambda c: {"all": "1"}), signed_in(GO)
    ),
    "GET notifications:preferences": Case(page("GET", url("notifications:preferences")), signed_in(OK)),
    "POST notifications:preferences": Case(
        page("POST", url("notifications:preferences"), lambda c: PREFERENCES), signed_in(GO)
    ),
    # The link in an email works without signing in, for whoever holds it.
    "GET notifications:unsubscribe": Case(page("GET", unsubscribe_url), everyone(OK)),
    "POST notifications:unsubscribe": Case(page("POST", unsubscribe_url), everyone(OK)),
}

ENDPOINTS: dict[str, Case] = {
    "GET /api/v1/notifications": Case(call("GET", const("/notifications")), signed_in(200, anonymous=401)),
    "GET /api/v1/notifications/unread-count": Case(
        call("GET", const("/notifications/unread-count")), signed_in(200, anonymous=401)
    ),
    "POST /api/v1/notifications/read": Case(
        call("POST", const("/notifications/read"), lambda c: {}), signed_in(200, anonymous=401)
    ),
    "GET /api/v1/notifications/preferences": Case(
        call("GET", const("/notifications/preferences")), signed_in(200, anonymous=401)
    ),
    "PUT /api/v1/notifications/preferences": Case(
        call("PUT", const("/notifications/preferences"), lambda c: {"timings": {"reply": "daily"}}),
        signed_in(200, anonymous=401),
    ),
}
