"""The hourly refresh of every active course's learner figures (the services keep them current between)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cadence.insights import services


@db_periodic_task(crontab(minute="17"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def refresh_learner_stats() -> int:
    return services.refresh_active_courses(now=timezone.now())
