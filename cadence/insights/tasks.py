"""Background work for insights: course health's heavy figures, refreshed every hour."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cadence.insights import health_snapshots


@db_periodic_task(crontab(minute="35"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def refresh_course_health_hourly() -> int:
    return health_snapshots.refresh_all()
