"""The family summary email, every quarter hour: each observer gets theirs at their own digest time."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cadence.families import services


@db_periodic_task(crontab(minute="*/15"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def send_family_summaries_periodically() -> int:
    return services.send_family_summaries(now=timezone.now())
