"""Course health benchmark: the page on a large course, built here with bulk inserts (no seed_large needed).

The course (`health-bench`) has 10 modules of 8 items (2 of them videos), LEARNERS learners (5,000 by default)
with item progress (about 60 % of items opened, most completed, a share revisited, video positions spread over
the running time), eight weeks of daily activity, 400 Q&A questions (three in four answered) and 2,000 graded
submissions. It is built once per database and reused. Runs in one process through Django's test client, so the
figures are the page's own cost: p50 and p95 over --repeat requests, and the number of queries.

    CADENCE_HOME=/tmp/bench python manage.py migrate && CADENCE_HOME=/tmp/bench python bench/course_health.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cadence_bench python bench/course_health.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

SLUG = "health-bench"
MODULES = 10
ITEMS_PER_MODULE = 8
BATCH = 5000


def build(learners: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from cadence.accounts.models import User
    from cadence.assessment.models import Assignment, Grade, Submission
    from cadence.community.models import Forum, ForumKind, Post, Thread
    from cadence.courses.models import Course, Item, Membership, Module, Role, Visibility
    from cadence.progress.models import Completion, DailyActivity, ItemProgress

    rng = random.Random(12)
    now = timezone.now()
    with transaction.atomic():
        course = Course.objects.create(title="Health benchmark", slug=SLUG, visibility=Visibility.PUBLISHED)
        teacher = User.objects.create(email="health-teacher@bench.invalid", display_name="Bench teacher")
        Membership.objects.create(user=teacher, course=course, role=Role.TEACHER)
        items: list[Item] = []
        for m in range(MODULES):
            module = Module.objects.create(course=course, title=f"Week {m + 1}", position=m)
            for n in range(ITEMS_PER_MODULE):
                kind = "video" if n in (1, 5) else "assignment" if n == 7 else "quiz" if n == 6 else "lesson"
                items.append(
                    Item.objects.create(
                        module=module, course=course, kind=kind, title=f"W{m + 1} {kind} {n}", position=n
                    )
                )
        assignments = [Assignment.objects.create(item=i) for i in items if i.kind == "assignment"]
        users = User.objects.bulk_create(
            [
                User(email=f"health{n:06d}@bench.invalid", display_name=f"Learner {n}", password="!")  # noqa: S106 - an unusable password, not a secret
                for n in range(learners)
            ],
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            [Membership(user=u, course=course, role=Role.LEARNER) for u in users], batch_size=BATCH
        )
        progress: list[ItemProgress] = []
        completions: list[Completion] = []
        activity: list[DailyActivity] = []
        for user in users:
            reach = rng.randint(0, len(items))  # how far this learner got
            for item in items[:reach]:
                first = now - timedelta(days=rng.randint(1, 56), hours=rng.randint(0, 23))
                revisit = rng.random() < 0.15
                progress.append(
                    ItemProgress(
                        user=user, item=item, course=course, first_viewed_at=first,
                        last_viewed_at=first + timedelta(days=rng.randint(1, 9)) if revisit else first,
                        position_seconds=rng.uniform(0, 600) if item.kind == "video" else 0,
                        duration_seconds=600 if item.kind == "video" else None,
                    )
                )  # fmt: skip
                if rng.random() < 0.85:
                    completions.append(Completion(user=user, item=item, course=course, completed_at=first))
            days = {now.date() - timedelta(days=rng.randint(0, 55)) for _ in range(rng.randint(0, 20))}
            activity += [
                DailyActivity(user=user, course=course, day=day, active_seconds=rng.randint(60, 3600)) for day in days
            ]
            if len(progress) > BATCH * 4:
                ItemProgress.objects.bulk_create(progress, batch_size=BATCH)
                Completion.objects.bulk_create(completions, batch_size=BATCH)
                DailyActivity.objects.bulk_create(activity, batch_size=BATCH)
                progress, completions, activity = [], [], []
        ItemProgress.objects.bulk_create(progress, batch_size=BATCH)
        Completion.objects.bulk_create(completions, batch_size=BATCH)
        DailyActivity.objects.bulk_create(activity, batch_size=BATCH)

        forum = Forum.objects.create(course=course, kind=ForumKind.QA, title="Questions")
        for n in range(400):
            asker = users[rng.randrange(learners)]
            asked = now - timedelta(hours=rng.randint(1, 1200))
            answered = n % 4 != 0
            thread = Thread.objects.create(
                forum=forum, course=course, author=asker, title=f"Question {n}", created_at=asked,
                last_post_at=asked, post_count=2 if answered else 1, is_answered=answered,
            )  # fmt: skip
            posts = [Post(thread=thread, course=course, author=asker, is_opening=True, body="?", created_at=asked)]
            if answered:
                posts.append(
                    Post(thread=thread, course=course, author=teacher, body="!",
                         created_at=asked + timedelta(minutes=rng.randint(5, 4000)))
                )  # fmt: skip
            Post.objects.bulk_create(posts)

        submissions = Submission.objects.bulk_create(
            [
                Submission(
                    assignment=assignments[n % len(assignments)], user=users[n % learners], number=1,
                    submitted_at=now - timedelta(hours=rng.randint(48, 1000)), idempotency_key=f"bench-{n}",
                )
                for n in range(min(2000, learners * len(assignments)))
            ],
            batch_size=BATCH,
        )  # fmt: skip
        Grade.objects.bulk_create(
            [
                Grade(
                    submission=s, grader=teacher, raw_points=Decimal(7), points=Decimal(7),
                    graded_at=s.submitted_at + timedelta(hours=rng.randint(1, 96)),
                    released_at=s.submitted_at + timedelta(hours=rng.randint(1, 96)),
                )
                for s in submissions
            ],
            batch_size=BATCH,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cadence.courses.models import Course, Membership, Role
    from cadence.progress.models import ItemProgress

    if not Course.objects.filter(slug=SLUG).exists():
        started = time.monotonic()
        build(args.learners)
        print(f"built {SLUG} in {time.monotonic() - started:.0f} s")
    teacher = Membership.objects.filter(course__slug=SLUG, role=Role.TEACHER).select_related("user").get()
    learners = Membership.objects.filter(course__slug=SLUG, role=Role.LEARNER).count()
    rows = ItemProgress.objects.filter(course__slug=SLUG).count()
    print(f"database: {connection.vendor}; {SLUG}: {learners} learners, {rows} item progress rows")

    from django.utils import timezone

    from cadence.insights import health_snapshots
    from cadence.insights.models import HealthSnapshot

    client = Client()
    client.force_login(teacher.user)
    url = f"/courses/{SLUG}/health/"

    def measure(label: str, repeat: int) -> None:
        assert client.get(url).status_code == 200  # warm up
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{label}: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
            f"{len(captured.captured_queries)} queries, {len(response.content) // 1024} KB ({repeat} requests)"
        )

    HealthSnapshot.objects.filter(course__slug=SLUG).delete()
    measure("course health, no snapshot yet (figures computed on the request)", max(3, args.repeat // 4))
    started = time.perf_counter()
    health_snapshots.refresh_course(Course.objects.get(slug=SLUG), now=timezone.now())
    print(f"hourly refresh of the course's snapshot: {(time.perf_counter() - started) * 1000:.0f} ms")
    measure("course health from the snapshot", args.repeat)


if __name__ == "__main__":
    main()
