"""Learners table benchmark: a course of 10,000 learners, their figures refreshed, the table timed.

Builds (or reuses) the course `bench-learners`: one teacher, 10,000 learners in 10 groups, 5 modules of
8 required items (deadlines on every fourth), each learner with a few completions, item progress and
daily activity spread over three weeks. Then:

1. times the set-based refresh of all 10,000 rows (`insights.services.refresh_learners`), once;
2. requests the table N times each through Django's test client (no server: the page's own cost),
   for the default view, sorted by name, filtered (high risk, inactive ≥ 7 days), a late page, and
   "choose all matching"; prints p50/p95 and the queries per request;
3. times the full CSV export.

    CADENCE_HOME=/tmp/bench python bench/learners_table.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cadence_bench python bench/learners_table.py --repeat 30
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta

from page_timing import time_pages  # bench/ is on the path when a script here runs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

SLUG = "bench-learners"


def build(learners: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from cadence.accounts.models import User
    from cadence.courses.models import Course, Group, Item, Membership, Module, Role
    from cadence.progress.models import Completion, DailyActivity, ItemProgress

    rng = random.Random(12)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        course = Course.objects.create(title="Benchmark: learners table", slug=SLUG, visibility="published")
        teacher = User.objects.create(email="bench-learners-teacher@example.org", display_name="Bench Teacher")
        Membership.objects.create(course=course, user=teacher, role=Role.TEACHER)
        groups = Group.objects.bulk_create([Group(course=course, name=f"Group {g}") for g in range(10)])
        modules = Module.objects.bulk_create([Module(course=course, title=f"Week {m}", position=m) for m in range(5)])
        items = Item.objects.bulk_create(
            [
                Item(
                    course=course,
                    module=module,
                    kind="lesson",
                    title=f"Week {m} lesson {i}",
                    position=i,
                    is_required=True,
                    due_at=now - timedelta(days=21) + timedelta(days=m * 7 + i) if i % 4 == 3 else None,
                )
                for m, module in enumerate(modules)
                for i in range(8)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(email=f"bench-learner-{n}@example.org", display_name=f"Learner {n:05d}", password="!")  # noqa: S106 - unusable
                for n in range(learners)
            ],
            batch_size=2000,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(course=course, user=u, role=Role.LEARNER) for u in users], batch_size=2000
        )
        Membership.objects.filter(course=course, role=Role.LEARNER).update(joined_at=now - timedelta(days=28))
        through = Membership.groups.through
        through.objects.bulk_create(
            [through(membership_id=m.pk, group_id=groups[n % 10].pk) for n, m in enumerate(memberships)],
            batch_size=5000,
        )
        completions: list[Completion] = []
        progress: list[ItemProgress] = []
        daily: list[DailyActivity] = []
        for user in users:
            done = rng.randint(0, len(items))
            completions.extend(
                Completion(user=user, item=item, course=course, completed_at=now - timedelta(days=rng.randint(0, 20)))
                for item in items[:done]
            )
            progress.extend(
                ItemProgress(
                    user=user, item=item, course=course, last_viewed_at=now - timedelta(days=rng.randint(0, 20))
                )
                for item in items[: done + 1]
            )
            daily.extend(
                DailyActivity(
                    user=user,
                    course=course,
                    day=(now - timedelta(days=day)).date(),
                    active_seconds=rng.randint(60, 3600),
                )
                for day in rng.sample(range(21), 4)
            )
        Completion.objects.bulk_create(completions, batch_size=5000)
        ItemProgress.objects.bulk_create(progress, batch_size=5000)
        DailyActivity.objects.bulk_create(daily, batch_size=5000)
    print(
        f"built {learners} learners, {len(completions)} completions, {len(progress)} progress rows, "
        f"{len(daily)} daily rows in {time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-refresh", action="store_true", help="reuse the rows of an earlier run")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cadence.courses.models import Course, Membership, Role
    from cadence.insights import services
    from cadence.insights.models import LearnerStats

    course = Course.objects.filter(slug=SLUG).first()
    if course is None:
        build(args.learners)
        course = Course.objects.get(slug=SLUG)
    if connection.vendor == "postgresql":  # as autovacuum would have by now: the planner needs statistics
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    learners = Membership.objects.filter(course=course, role=Role.LEARNER).count()
    print(f"database: {connection.vendor}; course {SLUG}: {learners} learners")

    if not args.skip_refresh or not LearnerStats.objects.filter(course=course).exists():
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            written = services.refresh_learners(course=course, now=timezone.now())
            elapsed = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE insights_learnerstats")
        print(
            f"refresh of {written} rows: {elapsed:.1f} s, {len(captured)} queries ({elapsed / written * 1000:.2f} ms a row)"
        )

    teacher = Membership.objects.filter(course=course, role=Role.TEACHER).select_related("user").first()
    if teacher is None:
        sys.exit("The benchmark course has no teacher.")
    client = Client()
    client.force_login(teacher.user)
    base = f"/courses/{SLUG}/learners/"
    cases = [
        ("default (risk ↓)", ""),
        ("sorted by name", "?sort=name"),
        ("high, inactive ≥7", "?risk=high&inactive=7"),
        ("group + not started", f"?group={course.groups.first().pk}&not_started={course.modules.last().pk}"),  # type: ignore[union-attr]
        ("page 150", "?sort=-last_active&page=150"),
        ("choose all matching", "?risk=high&select=all"),
    ]
    p95s = time_pages(client, [(label, base + query, {}) for label, query in cases], args.repeat)
    worst = max(p95 for label, p95 in p95s.items() if label != "choose all matching")
    started = time.perf_counter()
    response = client.get(f"/courses/{SLUG}/learners/export/")
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = body.count(b"\n") - 1
    print(f"CSV export: {rows} rows, {len(body) // 1024} KB in {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"worst table p95: {worst:.1f} ms (target ≤ 300 ms)")


if __name__ == "__main__":
    main()
