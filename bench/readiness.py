"""Readiness benchmark: the readiness page of a course of 10,000 learners, timed.

Reuses (or builds, through `bench/learners_table.py`) the course `bench-learners`: 10,000 learners in 10 groups,
5 modules of 8 required items, each learner with a few completions and opened items. Requests the readiness
page N times each through Django's test client (no server: the page's own cost) for the first module with
the default date, a past date (cutoffs in each zone), one status, a late page and one group; prints p50/p95
and the queries per request.

    CADENCE_HOME=/tmp/bench python bench/readiness.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cadence_bench python bench/readiness.py --repeat 20
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_timing import time_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    import learners_table  # the shared data set (bench/learners_table.py)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from cadence.courses.models import Course, Membership, Role

    course = Course.objects.filter(slug=learners_table.SLUG).first()
    if course is None:
        learners_table.build(args.learners)
        course = Course.objects.get(slug=learners_table.SLUG)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    learners = Membership.objects.filter(course=course, role=Role.LEARNER).count()
    print(f"database: {connection.vendor}; course {course.slug}: {learners} learners")
    teacher = Membership.objects.filter(course=course, role=Role.TEACHER).select_related("user").first()
    if teacher is None:
        sys.exit("The benchmark course has no teacher.")
    client = Client()
    client.force_login(teacher.user)
    module = course.modules.order_by("position").first()
    group = course.groups.first()
    assert module is not None and group is not None
    past = (timezone.localdate() - timedelta(days=10)).isoformat()
    base = f"/courses/{course.slug}/readiness/"
    chosen = f"?module={module.pk}&date={(timezone.localdate() + timedelta(days=7)).isoformat()}"
    cases = [
        ("default", ""),
        ("past date", f"?module={module.pk}&date={past}"),
        ("not started only", chosen + "&status=not_started"),
        ("page 150", chosen + "&page=150"),
        ("one group", chosen + f"&group={group.pk}"),
    ]
    p95s = time_pages(client, [(label, base + query, {}) for label, query in cases], args.repeat)
    worst = max(p95s.values())
    print(f"worst p95: {worst:.1f} ms")


if __name__ == "__main__":
    main()
