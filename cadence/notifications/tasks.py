"""Background work for notifications: emails due now, the minute-by-minute sweep, and each delivery sent once.

One-line wrappers: the work is `notifications.delivery`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cadence.notifications import delivery


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def dispatch_due_emails_periodically() -> int:
    return _send_each(delivery.claim_due(now=timezone.now()))


@db_task(retries=3, retry_delay=30)  # type: ignore[untyped-decorator]
def dispatch_due_emails(recipient_ids: Sequence[int] | None = None) -> int:
    return _send_each(delivery.claim_due(now=timezone.now(), recipient_ids=recipient_ids))


@db_task(retries=5, retry_delay=60)  # type: ignore[untyped-decorator]
def send_delivery(delivery_id: int) -> str:
    return delivery.send_once(delivery_id, now=timezone.now())


def _send_each(delivery_ids: Sequence[int]) -> int:
    """Queue each new delivery as its own task, so one failing address is retried alone."""
    for delivery_id in delivery_ids:
        send_delivery(delivery_id)
    return len(delivery_ids)
