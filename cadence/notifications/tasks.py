"""Email delivery in the background: claim due notifications into deliveries, then send each delivery once.

`dispatch_due_emails` runs every minute (and right after a notification is due at once). It groups each
person's due notifications into one delivery: alone when they asked for "immediately", a digest otherwise.
`send_delivery` is retried on failure; a delivery that is already sent is never sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cadence.accounts.models import User
from cadence.notifications import emails, reminders
from cadence.notifications.models import Delivery, DeliverySettings, Notification, Timing

log = logging.getLogger(__name__)
BATCH = 500
LEASE = dt.timedelta(seconds=50)  # shorter than the retry delay, longer than the SMTP timeout


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def dispatch_due_emails_periodically() -> int:
    return claim_due(now=timezone.now())


@db_periodic_task(crontab(minute="5"))  # type: ignore[untyped-decorator]
def remind_deadlines_hourly() -> int:
    return reminders.remind_deadlines(now=timezone.now())


@db_task(retries=3, retry_delay=30)  # type: ignore[untyped-decorator]
def dispatch_due_emails(recipient_ids: Sequence[int] | None = None) -> int:
    return claim_due(now=timezone.now(), recipient_ids=recipient_ids)


def claim_due(*, now: dt.datetime, recipient_ids: Sequence[int] | None = None) -> int:
    """Create the deliveries for everything due by `now`; queue them after commit. Returns how many."""
    with transaction.atomic():
        due = Notification.objects.filter(email_due_at__lte=now, delivery__isnull=True).order_by("pk")
        if recipient_ids is not None:
            due = due.filter(recipient_id__in=list(recipient_ids))
        # Two workers sweeping at once each take rows the other has not locked.
        rows = list(due.select_for_update(skip_locked=True).values_list("pk", "recipient_id", "timing")[:BATCH])
        groups: dict[tuple[int, str], list[int]] = defaultdict(list)
        for pk, recipient_id, timing in rows:
            if timing == Timing.IMMEDIATELY:
                groups[(recipient_id, f"n{pk}")].append(pk)
            else:
                groups[(recipient_id, timing)].append(pk)
        created: list[int] = []
        for (recipient_id, label), pks in groups.items():
            timing = Timing.IMMEDIATELY if label.startswith("n") else label
            delivery, new = Delivery.objects.get_or_create(
                key=f"{timing}:{recipient_id}:{pks[0]}",
                defaults={"recipient_id": recipient_id, "timing": timing, "created_at": now},
            )
            Notification.objects.filter(pk__in=pks, delivery__isnull=True).update(delivery=delivery)
            if new:
                created.append(delivery.pk)
        for delivery_id in created:
            transaction.on_commit(lambda delivery_id=delivery_id: send_delivery(delivery_id))  # type: ignore[misc]
    return len(created)


@db_task(retries=5, retry_delay=60)  # type: ignore[untyped-decorator]
def send_delivery(delivery_id: int) -> str:
    return send_once(delivery_id, now=timezone.now())


def send_once(delivery_id: int, *, now: dt.datetime) -> str:
    """Send a pending delivery and mark it sent. Already sent or skipped: do nothing (the retry case)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return "done"
        if delivery.lease_until is not None and delivery.lease_until > now:
            return "busy"  # another worker is sending it right now
        delivery.attempts += 1
        delivery.lease_until = now + LEASE
        delivery.save(update_fields=["attempts", "lease_until"])
    user = User.objects.get(pk=delivery.recipient_id)
    settings_row = DeliverySettings.objects.filter(user=user).first()
    notifications = list(delivery.notifications.order_by("created_at", "pk"))
    if not notifications or not user.is_active or (settings_row is not None and not settings_row.email_enabled):
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
        return "skipped"
    try:
        emails.build(delivery, user, notifications).send(fail_silently=False)
    except Exception:
        Delivery.objects.filter(pk=delivery.pk).update(lease_until=None)
        raise  # huey retries the task
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENT, sent_at=now
        )
    if not updated:
        log.warning(
            "delivery %s was sent twice (the Message-ID is the same, so mail systems drop the copy)", delivery.key
        )
    return "sent"
