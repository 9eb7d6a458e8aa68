"""Learner pages held to budgets: the queries and the Python function calls of one request, for a small course
and a large one. Unlike time, both counts are the same on a busy machine and a quiet one, so a change that
makes a page heavier fails here rather than in production.

Each page is requested for a learner in a course of 10 items and one of 500 (a third of them done, 40 other
learners with progress of their own, deadlines on some items). The query count must be equal for both; the
call count must stay under the page's budget below and, for pages whose work does not depend on the course's
size, within 2 % of the small course's (a few calls vary between runs: dictionary and cache states). The
budgets are today's counts with about 10 % headroom; when a page gets lighter, lower its budget with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.core.testing.calls import count_calls
from cadence.core.testing.queries import count_queries
from cadence.courses.models import Course, Item, Membership, Role
from cadence.courses.tests.factories import CourseFactory, ModuleFactory
from cadence.progress.models import Completion, ItemProgress

pytestmark = pytest.mark.django_db
MODULES = 5


@dataclass(frozen=True)
class Budget:
    calls: int
    # Still grows with the course's items: the outline pages render every row, the dashboard works out
    # deadlines and progress over every item. Building these from course-level parts cached per version
    # removes the growth; the page then loses this flag.
    grows_with_items: bool = False


# Function calls per request (the larger of SQLite and PostgreSQL, plus headroom).
BUDGETS: dict[str, Budget] = {
    "dashboard": Budget(calls=72_000, grows_with_items=True),  # deadlines and progress over every item
    "course home": Budget(calls=80_000, grows_with_items=True),  # progress and deadlines over every item
    "module page": Budget(calls=103_000, grows_with_items=True),
    "item page": Budget(calls=44_000),
}


def _due(now: datetime, n: int) -> datetime | None:
    """Three items due in the next days (what the dashboard lists, the same for both sizes); one in seven
    due in a month or more, so a larger course has more deadlines to work out."""
    if n in (1, 2, 3):
        return now + timedelta(days=n)
    return now + timedelta(days=30 + n) if n % 7 == 0 else None


def _course(size: int, learner: User, classmates: list[User]) -> tuple[Course, Item]:
    now = timezone.now()
    course = CourseFactory()
    modules = [ModuleFactory(course=course, position=n) for n in range(MODULES)]
    Item.objects.bulk_create(
        [
            Item(
                course=course, module=modules[n % MODULES], kind="lesson", title=f"Lesson {n}", position=n,
                due_at=_due(now, n),
            )
            for n in range(size)
        ]
    )  # fmt: skip
    items = list(Item.objects.filter(course=course).order_by("position"))
    Membership.objects.bulk_create(
        [Membership(user=u, course=course, role=Role.LEARNER) for u in [learner, *classmates]]
    )
    done = items[: size // 3]
    Completion.objects.bulk_create(
        [Completion(user=u, item=i, course=course, completed_at=now) for u in [learner, *classmates] for i in done]
    )
    ItemProgress.objects.bulk_create(
        [ItemProgress(user=u, item=items[size // 3 + 1], course=course, first_viewed_at=now, last_viewed_at=now)
         for u in [learner, *classmates]]
    )  # fmt: skip
    return course, items[size // 3 + 1]  # the next lesson after what is done (no deadline of its own)


def _urls(course: Course, item: Item) -> dict[str, str]:
    return {
        "dashboard": reverse("home"),
        "course home": reverse("courses:course-detail", args=[course.slug]),
        # the module of the items due soon: its page works out deadlines in both sizes
        "module page": reverse("courses:module-detail", args=[course.slug, _due_soon_module(course)]),
        "item page": reverse("courses:item-detail", args=[course.slug, item.pk]),
    }


def _due_soon_module(course: Course) -> int:
    return Item.objects.get(course=course, position=1).module_id


def _measure(client: Client, size: int) -> dict[str, tuple[int, int]]:
    learner = UserFactory()
    course, item = _course(size, learner, [UserFactory() for _ in range(40)])
    client.force_login(learner)
    return {page: (count_queries(client, url), count_calls(client, url)) for page, url in _urls(course, item).items()}


@pytest.mark.heavy
def test_learner_pages_stay_within_their_query_and_call_budgets(client: Client) -> None:
    small, large = _measure(client, 10), _measure(Client(), 500)
    report = {page: (small[page], large[page]) for page in BUDGETS}
    for page, budget in BUDGETS.items():
        (small_queries, small_calls), (large_queries, large_calls) = small[page], large[page]
        assert small_queries == large_queries, report
        assert large_calls <= budget.calls, report
        if not budget.grows_with_items:
            assert large_calls <= small_calls * 1.02, report
