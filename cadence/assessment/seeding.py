"""A large gradebook for benchmarks: every benchmark learner in one course, N graded assignments each.

Built on top of `cadence seed_large` (it needs its learners and courses). Rows are bulk-inserted, so
10,000 learners × 100 assignments (a million submissions and a million grades) take a few minutes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from cadence.accounts.models import User
from cadence.assessment.models import Assignment, Grade, GradeCategory, GradedItem, Submission
from cadence.core.testing.seed import DOMAIN
from cadence.courses.models import Course, Item, Membership, Module, Role

BATCH = 5_000


@dataclass(frozen=True)
class GradebookSeed:
    course_slug: str
    learners: int
    items: int
    grades: int


def _chunks(rows: Iterator[tuple[int, int]], size: int) -> Iterator[list[tuple[int, int]]]:
    chunk: list[tuple[int, int]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def seed_gradebook(*, course_slug: str = "bench-000", items: int = 100, progress: bool = True) -> GradebookSeed:
    course = Course.objects.get(slug=course_slug)
    if Module.objects.filter(course=course, title="Graded work").exists():
        raise RuntimeError("The benchmark gradebook is already in this database.")
    rng = random.Random(20261124)  # noqa: S311 - reproducible test data
    now = timezone.now()
    learner_ids = list(
        User.objects.filter(email__startswith="learner", email__endswith=f"@{DOMAIN}")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    enrolled = set(Membership.objects.filter(course=course).values_list("user_id", flat=True))
    with transaction.atomic():
        Membership.objects.bulk_create(
            [Membership(user_id=u, course=course, role=Role.LEARNER) for u in learner_ids if u not in enrolled],
            batch_size=BATCH,
        )
        module = Module.objects.create(course=course, title="Graded work", position=99)
        quizzes_cat = GradeCategory.objects.create(
            course=course, name="Weekly tasks", weight=Decimal(60), drop_lowest=2
        )
        GradeCategory.objects.create(course=course, name="Projects", weight=Decimal(40))
        created = Item.objects.bulk_create(
            [
                Item(course=course, module=module, kind="assignment", title=f"Task {n + 1}", position=n)
                for n in range(items)
            ]
        )
        item_ids = list(Item.objects.filter(module=module).order_by("position").values_list("pk", flat=True))
        Assignment.objects.bulk_create([Assignment(item_id=i) for i in item_ids])
        GradedItem.objects.bulk_create([GradedItem(item_id=i, category=quizzes_cat) for i in item_ids])
    total = len(learner_ids) * len(created)
    bar = tqdm(total=total, desc="submissions and grades", unit="row", disable=not progress)
    pairs = ((i, u) for i in item_ids for u in learner_ids)
    for chunk in _chunks(pairs, BATCH):
        with transaction.atomic():
            subs = Submission.objects.bulk_create(
                [
                    Submission(
                        assignment_id=i, user_id=u, number=1, text="Benchmark work.", idempotency_key=f"bench-{i}-{u}",
                        submitted_at=now - timedelta(days=rng.randint(1, 60)),
                    )
                    for i, u in chunk
                ]
            )  # fmt: skip
            Grade.objects.bulk_create(
                [
                    Grade(
                        submission=s, raw_points=Decimal(p := rng.randint(40, 100)), points=Decimal(p),
                        graded_at=now, released_at=now,
                    )
                    for s in subs
                ]
            )  # fmt: skip
        bar.update(len(chunk))
    bar.close()
    return GradebookSeed(course_slug, len(learner_ids), len(item_ids), total)
