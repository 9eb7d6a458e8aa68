"""Demo seed benchmark: how long `seed_demo` takes (wall and CPU time) and how many queries it makes.

Seeds inside a transaction that is rolled back, so the database (migrated, without the demo) can be reused:

    CADENCE_HOME=/tmp/demo-bench python manage.py migrate && CADENCE_HOME=/tmp/demo-bench python bench/demo_seed.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/demo_bench python bench/demo_seed.py --repeat 3

CPU time is the figure to compare on a busy machine: the seed runs in one process and SQLite in it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction

    from cadence.demo import seed_demo

    walls, cpus = [], []
    # Counted by a wrapper, not CaptureQueriesContext: Django's query log keeps only the last 9,000.
    counted = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1
        return execute(sql, params, many, context)

    for _ in range(args.repeat):
        counted[0] = 0
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            with connection.execute_wrapper(count), transaction.atomic():
                seed_demo()
                raise _Rollback
        except _Rollback:
            pass
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        queries = counted[0]  # the last run's
    print(f"{connection.vendor}: seed_demo wall median {statistics.median(walls):.1f} s, CPU median "
          f"{statistics.median(cpus):.1f} s, {queries} queries ({args.repeat} runs, load {os.getloadavg()[0]:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
