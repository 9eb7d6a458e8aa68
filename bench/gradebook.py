"""Gradebook benchmark: the staff grid and the streamed CSV export on a large gradebook.

Needs `cadence seed_large` then `cadence seed_gradebook` (10,000 learners × 100 graded assignments in
bench-000). Runs in one process through Django's test client (no server), so the figures are the
page's own cost: time per grid page, and for the CSV export its total time, rows and peak Python memory.

    CADENCE_HOME=/tmp/bench python bench/gradebook.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cadence_bench python bench/gradebook.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Iterator

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def _stream(response: object) -> Iterator[bytes]:
    from django.http import StreamingHttpResponse

    assert isinstance(response, StreamingHttpResponse)
    return iter(response.streaming_content)  # type: ignore[arg-type]  # bytes, not an async iterator, here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", default="bench-000")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cadence.courses.models import Membership, Role

    teacher = Membership.objects.filter(course__slug=args.course, role=Role.TEACHER).select_related("user").first()
    if teacher is None:
        sys.exit("No benchmark course: run `cadence seed_large` and `cadence seed_gradebook` first.")
    learners = Membership.objects.filter(course__slug=args.course, role=Role.LEARNER).count()
    client = Client()
    client.force_login(teacher.user)
    print(f"database: {connection.vendor}; course {args.course}: {learners} learners")

    for label, query in (("grid page 1", ""), ("grid page 100", "?page=100")):
        url = f"/courses/{args.course}/gradebook/{query}"
        client.get(url)
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        times.sort()
        print(
            f"{label:<14} p50 {statistics.median(times):7.1f} ms  p95 {times[int(0.95 * (len(times) - 1))]:7.1f} ms  "
            f"{len(captured)} queries"
        )

    url = f"/courses/{args.course}/gradebook/export.csv"
    started = time.perf_counter()
    size = rows = 0
    for chunk in _stream(client.get(url)):
        size += len(chunk)
        rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    # A second pass under tracemalloc (which slows it down) measures the peak Python memory of the export.
    tracemalloc.start()
    for _chunk in _stream(client.get(url)):
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"csv export     {elapsed:7.1f} s  {rows} lines  {size / 1_048_576:.1f} MB  peak Python memory {peak / 1_048_576:.1f} MB"
    )


if __name__ == "__main__":
    main()
