"""Keeping course health's heavy figures: for each course, one snapshot per scope of learners a teacher or TA
sees (all of them, or a group-limited TA's groups). The hourly task refreshes every live course; a teacher may
refresh their own scope at once. Nothing here schedules a task (`insights.tasks` runs it)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cadence import policy
from cadence.accounts.models import User
from cadence.courses.models import Course, Item, Membership, Role
from cadence.insights.models import HealthSnapshot
from cadence.insights.selectors import health


def refresh_for(*, actor: User, course: Course, now: datetime) -> HealthSnapshot:
    """Recompute the figures the actor sees, now (the page's "Refresh now")."""
    policy.require(actor, "view_insights", course)
    return _store(course, health.scope_key(actor, course), health.visible_learners(actor, course), now=now)


def refresh_course(course: Course, *, now: datetime) -> int:
    """Every scope of the course the policy names: all learners, and each set of groups a group-limited TA is
    limited to."""
    done = set()
    for groups in policy.insight_scopes(course):
        key = health.scope_of_groups(groups)
        _store(course, key, policy.insight_learners(course, groups), now=now)
        done.add(key)
    HealthSnapshot.objects.filter(course=course).exclude(scope__in=done).delete()  # a TA's groups changed
    return len(done)


def refresh_all(*, now: datetime | None = None) -> int:
    """The hourly refresh: every course that is not deleted and has learners."""
    now = now or timezone.now()
    live = Course.objects.filter(removed_at__isnull=True).filter(Q(memberships__role=Role.LEARNER)).distinct()
    return sum(refresh_course(course, now=now) for course in live.iterator())


def _store(course: Course, scope: str, learners: QuerySet[Membership], *, now: datetime) -> HealthSnapshot:
    items = list(Item.objects.filter(course=course).select_related("module").order_by("module__position", "position"))
    figures = health.compute_figures(course, learners, items, today=timezone.localdate(now), now=now)
    with transaction.atomic():
        snapshot, _created = HealthSnapshot.objects.update_or_create(
            course=course, scope=scope, defaults={"computed_at": now, "figures": figures.as_json()}
        )
    return snapshot
