"""Background work for data rights: build copies of data, expire them, purge after the retention period."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cadence.privacy import background


@db_task(retries=2, retry_delay=60)  # type: ignore[untyped-decorator]  # huey ships no type hints
def build_data_export(export_id: int) -> bool:
    return background.build_export(export_id=export_id, now=timezone.now()) is not None


@db_periodic_task(crontab(minute="20"))  # type: ignore[untyped-decorator]
def expire_data_exports_hourly() -> int:
    return background.expire_exports(now=timezone.now())


@db_periodic_task(crontab(minute="40", hour="3"))  # type: ignore[untyped-decorator]
def purge_expired_retention_daily() -> int:
    return background.purge_expired_retention(now=timezone.now())
