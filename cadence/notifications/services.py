"""Writes: notify people, read and mark notifications, change preferences, unsubscribe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from cadence.accounts.models import User
from cadence.core.errors import InvalidInput
from cadence.courses.models import Course
from cadence.notifications import schedule, tasks
from cadence.notifications import unsubscribe as unsubscribe_links
from cadence.notifications.models import (
    DEFAULT_TIMING,
    DeliverySettings,
    Kind,
    Notification,
    Preference,
    Timing,
)

TITLE_MAX = 300
BODY_MAX = 600


def window_for(user: User, delivery: DeliverySettings | None) -> schedule.Window:
    delivery = delivery or DeliverySettings()
    return schedule.Window(
        zone=ZoneInfo(user.time_zone or "UTC"),
        quiet_start=delivery.quiet_start,
        quiet_end=delivery.quiet_end,
        digest_time=delivery.digest_time,
        weekly_day=delivery.weekly_day,
    )


def _user_ids(recipients: Iterable[User | int]) -> set[int]:
    return {r if isinstance(r, int) else r.pk for r in recipients}


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User | int],
    kind: str,
    title: str,
    url: str,
    key: str,
    actor: User | None = None,
    course: Course | None = None,
    body: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Tell each recipient (never the actor) about something, once per (recipient, key).

    Every notification appears in the recipient's centre; their timing for the kind decides whether and
    when it is also emailed. Call it inside the writer's transaction: the notification exists exactly
    when the change does. Returns how many people were newly notified.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = now or timezone.now()
    key = key[:120]
    ids = _user_ids(recipients) - ({actor.pk} if actor is not None else set())
    if not ids:
        return 0
    users = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True).only("pk", "time_zone")}
    timings = dict(Preference.objects.filter(user_id__in=users, kind=kind).values_list("user_id", "timing"))
    deliveries = {d.user_id: d for d in DeliverySettings.objects.filter(user_id__in=users)}
    already = set(Notification.objects.filter(recipient_id__in=users, key=key).values_list("recipient_id", flat=True))
    rows: list[Notification] = []
    for user_id, user in users.items():
        timing = timings.get(user_id, DEFAULT_TIMING[kind])
        if user_id in already:
            continue
        delivery = deliveries.get(user_id)
        emails = delivery is None or delivery.email_enabled
        rows.append(
            Notification(
                recipient_id=user_id,
                kind=kind,
                key=key,
                title=title[:TITLE_MAX],
                body=body[:BODY_MAX],
                url=url,
                course=course,
                actor=actor,
                created_at=now,
                timing=timing,
                email_due_at=schedule.email_due_at(timing, now, window_for(user, delivery)) if emails else None,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    due_now = [row.recipient_id for row in rows if row.email_due_at is not None and row.email_due_at <= now]
    if due_now:
        transaction.on_commit(lambda: tasks.dispatch_due_emails(recipient_ids=due_now))
    return len(rows)


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> int:
    """Mark some (or, with None, all) of the user's unread notifications read."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=now or timezone.now())


def mark_unread(*, user: User, notification_id: int) -> int:
    return Notification.objects.filter(recipient=user, pk=notification_id).update(read_at=None)


@transaction.atomic
def set_preferences(
    *,
    user: User,
    timings: Mapping[str, str],
    email_enabled: bool,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    digest_time: dt.time,
    weekly_day: int,
) -> DeliverySettings:
    """Save a person's choices. Unknown kinds or timings change nothing and raise InvalidInput."""
    for kind, timing in timings.items():
        if kind not in Kind.values or timing not in Timing.values:
            raise InvalidInput(f"“{timing}” is not a choice for “{kind}”.")
    if (quiet_start is None) != (quiet_end is None):
        raise InvalidInput("Give both the start and the end of quiet hours, or neither.")
    if not 0 <= weekly_day <= 6:
        raise InvalidInput("Choose a day of the week for the weekly digest.")
    delivery, _ = DeliverySettings.objects.select_for_update().get_or_create(user=user)
    delivery.email_enabled = email_enabled
    delivery.quiet_start, delivery.quiet_end = quiet_start, quiet_end
    delivery.digest_time, delivery.weekly_day = digest_time, weekly_day
    delivery.save()
    for kind, timing in timings.items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"timing": timing})
    _reschedule_pending(user=user, delivery=delivery, now=timezone.now())
    return delivery


def _reschedule_pending(*, user: User, delivery: DeliverySettings, now: dt.datetime) -> None:
    """Emails not yet sent follow the new choices: a kind turned off is not emailed any more."""
    timings = preferences_of(user)
    window = window_for(user, delivery)
    pending = Notification.objects.filter(recipient=user, delivery__isnull=True, email_due_at__isnull=False)
    for row in pending.only("pk", "kind", "created_at"):
        timing = timings[row.kind]
        due = schedule.email_due_at(timing, now, window) if delivery.email_enabled else None
        Notification.objects.filter(pk=row.pk).update(timing=timing, email_due_at=due)


def preferences_of(user: User) -> dict[str, str]:
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "timing"))
    return {kind: chosen.get(kind, DEFAULT_TIMING[kind]) for kind in Kind.values}


@transaction.atomic
def unsubscribe(*, user: User, kind: str | None) -> None:
    """Stop email of one kind (its timing becomes off), or with None all email. The centre still lists them."""
    if kind is None:
        delivery, _ = DeliverySettings.objects.select_for_update().get_or_create(user=user)
        delivery.email_enabled = False
        delivery.save(update_fields=["email_enabled"])
        Notification.objects.filter(recipient=user, delivery__isnull=True).update(email_due_at=None)
        return
    if kind not in Kind.values:
        raise InvalidInput("That unsubscribe link names no kind of notification.")
    Preference.objects.update_or_create(user=user, kind=kind, defaults={"timing": Timing.OFF})
    Notification.objects.filter(recipient=user, kind=kind, delivery__isnull=True).update(email_due_at=None)


def unsubscribe_url(user_id: int, kind: str) -> str:
    """The signed one-click link that stops email of one kind, for emails other apps build (summaries)."""
    return unsubscribe_links.url_for(user_id, kind)
