"""What the page benchmarks share: a throwaway SQLite home, and timing pages through Django's test client.

Imported by the scripts next to it (`python bench/forum_index.py` puts this folder on the path).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def in_temporary_home(prefix: str, measure: Callable[[], None]) -> None:
    """Run `measure` with Django set up on a fresh SQLite database in a temporary CADENCE_HOME, then delete it."""
    home = tempfile.mkdtemp(prefix=prefix)
    os.environ["CADENCE_HOME"] = home
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test.utils import override_settings

        call_command("migrate", verbosity=0)
        # Plain static files: pages render without a collected manifest.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages):
            measure()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def time_pages(client: Any, cases: Sequence[tuple[str, str, Mapping[str, str]]], repeat: int) -> dict[str, float]:
    """For each (label, url, headers): one warm-up, then `repeat` timed GETs; print p50, p95, queries, size.
    Returns each label's p95 in milliseconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    width = max((len(label) for label, _url, _headers in cases), default=0)
    p95s: dict[str, float] = {}
    for label, url, headers in cases:
        client.get(url, headers=headers)
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        times.sort()
        p95s[label] = times[int(0.95 * (len(times) - 1))]
        print(
            f"{label:<{width}} p50 {statistics.median(times):7.1f} ms  p95 {p95s[label]:7.1f} ms  "
            f"{len(captured)} queries  {len(response.content) // 1024} KB"
        )
    return p95s
