"""Sending notification emails: gathering what is due into deliveries, and sending each one exactly once.

These run in the background (`notifications.tasks` wraps them); nothing here schedules a task.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction

from cadence.accounts.models import User
from cadence.notifications import emails
from cadence.notifications.models import Delivery, DeliverySettings, Notification, Timing

log = logging.getLogger(__name__)
BATCH = 500
LEASE = dt.timedelta(seconds=50)  # shorter than the retry delay, longer than the SMTP timeout


def claim_due(*, now: dt.datetime, recipient_ids: Sequence[int] | None = None) -> list[int]:
    """Create the deliveries for everything due by `now` and return their ids, committed: the caller (a task)
    queues each to be sent."""
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
    return created


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
