"""A large, realistic data set for benchmarks: courses, learners, items, completions and events.

Rows are written with bulk inserts in batches, so a million events take a minute or two, not hours.
Everything it creates uses the `bench.cadence.test` email domain, and the run is repeatable (seeded RNG).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone
from tqdm import tqdm

from cadence.accounts.models import User
from cadence.content.models import SearchEntry, SearchSource
from cadence.core.testing.seed import DOMAIN
from cadence.courses.models import Course, Item, Membership, Module, Role
from cadence.progress.models import Completion, DailyActivity, Event, ItemProgress

PASSWORD = "cadence-bench"  # noqa: S105 - published benchmark password
ZONES = ("Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Africa/Lagos", "Asia/Kolkata")
KINDS = ("lesson", "video", "lesson", "checklist", "quiz", "lesson", "file", "discussion", "assignment", "link")
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class SeedSize:
    courses: int = 20
    learners: int = 10_000
    items_per_course: int = 500
    modules_per_course: int = 10
    courses_per_learner: int = 2
    events: int = 1_000_000
    batch: int = 5_000


@dataclass(frozen=True)
class SeedResult:
    courses: int
    learners: int
    items: int
    memberships: int
    completions: int
    events: int


def _batched(rows: Iterator[M], size: int) -> Iterator[list[M]]:
    batch: list[M] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(model: type[M], rows: Iterator[M], *, total: int, label: str, batch: int, progress: bool) -> int:
    written = 0
    with tqdm(total=total, desc=label, unit="rows", disable=not progress, leave=True) as bar:
        for chunk in _batched(rows, batch):
            with transaction.atomic():
                model._default_manager.bulk_create(chunk, batch_size=batch)
            written += len(chunk)
            bar.update(len(chunk))
    return written


def seed_large(size: SeedSize, *, progress: bool = True, now: datetime | None = None) -> SeedResult:
    """Build the data set. Refuses to run twice on the same database (the bench domain is checked)."""
    if User.objects.filter(email__endswith=f"@{DOMAIN}").exists():
        raise RuntimeError("The benchmark data set is already in this database.")
    now = now or timezone.now()
    rng = random.Random(20261123)  # noqa: S311 - reproducible test data, not security
    password = make_password(PASSWORD)
    opts: dict[str, Any] = {"batch": size.batch, "progress": progress}

    teachers = [
        User(
            email=f"teacher{n:03d}@{DOMAIN}",
            display_name=f"Teacher {n}",
            password=password,
            time_zone=ZONES[n % len(ZONES)],
        )
        for n in range(size.courses)
    ]
    User.objects.bulk_create(teachers, batch_size=size.batch)
    _insert(
        User,
        (
            User(
                email=f"learner{n:05d}@{DOMAIN}",
                display_name=f"Learner {n}",
                password=password,
                time_zone=ZONES[n % len(ZONES)],
            )
            for n in range(size.learners)
        ),
        total=size.learners,
        label="learners",
        **opts,
    )
    courses = Course.objects.bulk_create(
        [
            Course(
                title=f"Benchmark course {n}", slug=f"bench-{n:03d}", summary="Benchmark data.", visibility="published"
            )
            for n in range(size.courses)
        ]
    )
    modules = Module.objects.bulk_create(
        [Module(course=c, title=f"Module {m + 1}", position=m) for c in courses for m in range(size.modules_per_course)]
    )
    per_module = max(1, size.items_per_course // size.modules_per_course)
    _insert(
        Item,
        (
            Item(
                course_id=module.course_id,
                module=module,
                kind=KINDS[n % len(KINDS)],
                title=f"{module.title}, item {n + 1}",
                description="Benchmark item.",
                position=n,
                # One item in 25 has a deadline, from ten days ago to twenty days ahead.
                due_at=now + timedelta(days=n % 30 - 10) if n % 25 == 0 else None,
            )
            for module in modules
            for n in range(per_module)
        ),
        total=len(modules) * per_module,
        label="items",
        **opts,
    )
    teacher_ids = list(
        User.objects.filter(email__startswith="teacher", email__endswith=f"@{DOMAIN}")
        .order_by("email")
        .values_list("pk", flat=True)
    )
    learner_ids = list(
        User.objects.filter(email__startswith="learner", email__endswith=f"@{DOMAIN}")
        .order_by("email")
        .values_list("pk", flat=True)
    )
    course_ids = [c.pk for c in courses]
    Membership.objects.bulk_create(
        [Membership(user_id=t, course_id=c, role=Role.TEACHER) for t, c in zip(teacher_ids, course_ids, strict=True)]
    )
    enrolments = [
        (learner, course_ids[(i + k * 7) % len(course_ids)])
        for i, learner in enumerate(learner_ids)
        for k in range(size.courses_per_learner)
    ]
    memberships = _insert(
        Membership,
        (Membership(user_id=u, course_id=c, role=Role.LEARNER) for u, c in enrolments),
        total=len(enrolments),
        label="memberships",
        **opts,
    )
    _insert(
        SearchEntry,
        (
            SearchEntry(course_id=c, source=SearchSource.ITEM, item_id=i, title=title, body=body)
            for i, c, title, body in Item.objects.filter(course_id__in=course_ids)
            .values_list("pk", "course_id", "title", "description")
            .iterator()
        ),
        total=len(modules) * per_module,
        label="search index",
        **opts,
    )
    items_by_course: dict[int, list[int]] = {}
    for course_id, item_id in (
        Item.objects.filter(course_id__in=course_ids)
        .order_by("course_id", "module__position", "position")
        .values_list("course_id", "pk")
    ):
        items_by_course.setdefault(course_id, []).append(item_id)

    # Each learner has worked through a prefix of each course: the completions and a resume point.
    progress_of = {(u, c): rng.randint(0, min(60, len(items_by_course[c]) - 1)) for u, c in enrolments}
    completions = _insert(
        Completion,
        (
            Completion(
                user_id=u,
                course_id=c,
                item_id=items_by_course[c][k],
                completed_at=now - timedelta(days=30) + timedelta(hours=k),
            )
            for (u, c), done in progress_of.items()
            for k in range(done)
        ),
        total=sum(progress_of.values()),
        label="completions",
        **opts,
    )
    _insert(
        ItemProgress,
        (
            ItemProgress(
                user_id=u,
                course_id=c,
                item_id=items_by_course[c][done],
                first_viewed_at=now - timedelta(days=2),
                last_viewed_at=now - timedelta(hours=rng.randint(1, 200)),
                position_seconds=rng.randint(0, 600),
                active_seconds=rng.randint(0, 3600),
            )
            for (u, c), done in progress_of.items()
        ),
        total=len(progress_of),
        label="resume points",
        **opts,
    )
    _insert(
        DailyActivity,
        (
            DailyActivity(
                user_id=u, course_id=c, day=(now - timedelta(days=d)).date(), active_seconds=rng.randint(60, 3600)
            )
            for (u, c) in enrolments
            for d in range(3)
        ),
        total=len(enrolments) * 3,
        label="daily activity",
        **opts,
    )
    pairs: Sequence[tuple[int, int]] = enrolments
    verbs: Sequence[str] = ("viewed", "progressed", "heartbeat", "heartbeat", "completed", "paused")
    events = _insert(
        Event,
        (_event(n, pairs, items_by_course, verbs, rng.random, now) for n in range(size.events)),
        total=size.events,
        label="events",
        **opts,
    )
    return SeedResult(
        courses=len(courses),
        learners=len(learner_ids),
        items=sum(len(v) for v in items_by_course.values()),
        memberships=memberships,
        completions=completions,
        events=events,
    )


def _event(
    n: int,
    pairs: Sequence[tuple[int, int]],
    items_by_course: dict[int, list[int]],
    verbs: Sequence[str],
    rand: Callable[[], float],
    now: datetime,
) -> Event:
    user_id, course_id = pairs[n % len(pairs)]
    items = items_by_course[course_id]
    item_id = items[int(rand() * min(len(items), 80))]
    return Event(
        actor_id=user_id,
        verb=verbs[n % len(verbs)],
        course_id=course_id,
        item_id=item_id,
        object_type="item",
        object_id=str(item_id),
        result={},
        context={},
        timestamp=now - timedelta(seconds=int(rand() * 60 * 86400)),
        idempotency_key=f"seed-{n}",
    )
