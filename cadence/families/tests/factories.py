"""Test helpers for families: graded assignments (released or not), completions, follow links."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.models import Assignment, Grade, Submission
from cadence.courses.models import Course, Item, Membership, Module, Role
from cadence.courses.tests.factories import ItemFactory, MembershipFactory


def graded_assignment(
    module: Module, learner: User, *, title: str, points: str, feedback: str, released_at: datetime | None,
    now: datetime,
) -> Item:  # fmt: skip
    item = ItemFactory(module=module, title=title, kind="assignment", position=50)
    assignment = Assignment.objects.create(item=item, max_points=Decimal(10))
    submission = Submission.objects.create(
        assignment=assignment, user=learner, number=1, text="My work", submitted_at=now, idempotency_key=title[:60]
    )
    Grade.objects.create(
        submission=submission, raw_points=Decimal(points), points=Decimal(points), comment=feedback, graded_at=now,
        released_at=released_at,
    )  # fmt: skip
    return item


def child_of(observer: User, course: Course, **user_fields: object) -> User:
    """A new learner in the course whom this observer follows (a confirmed link)."""
    child: User = UserFactory.create(**user_fields)
    learner = MembershipFactory(course=course, user=child, role=Role.LEARNER)
    Membership.objects.get(course=course, user=observer).observed.add(learner)
    return child
