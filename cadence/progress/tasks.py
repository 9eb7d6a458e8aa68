"""Background work for progress: deadline reminders, at five past every hour."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cadence.progress import reminders


@db_periodic_task(crontab(minute="5"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def remind_deadlines_hourly() -> int:
    return reminders.remind_deadlines(now=timezone.now())
