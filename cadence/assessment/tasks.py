"""Closing timed attempts on the server's clock: one task at each attempt's end, and a sweep every minute
in case a worker was down when one was due."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cadence.assessment.services import attempt_results


@db_task(retries=3, retry_delay=10)  # type: ignore[untyped-decorator]  # huey ships no type hints
def close_attempt(attempt_id: int) -> bool:
    return attempt_results.close_if_expired(attempt_id, now=timezone.now())


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def close_expired_attempts() -> int:
    return attempt_results.close_expired_attempts(now=timezone.now())
