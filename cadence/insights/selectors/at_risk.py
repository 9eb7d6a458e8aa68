"""The teacher's home's "learners newly at risk": learners whose risk rose to high in the last week, across the
courses the person teaches, each with the rule model's reasons. Two queries (the count and the newest rows), the
rows filtered by the policy's `view` scope over `LearnerStats`, so a TA limited to groups sees their groups only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cadence import policy
from cadence.accounts.models import User
from cadence.insights.models import LearnerStats, RiskLevel

RECENT = timedelta(days=7)
SHOWN = 20


@dataclass(frozen=True)
class NewlyAtRisk:
    learners: list[LearnerStats]  # newest rise first, course loaded
    total: int  # how many rose in the last week (more than are shown when the list is cut)


def newly_at_risk(user: User, course_ids: Sequence[int], *, now: datetime) -> NewlyAtRisk:
    rows = policy.scope(
        user,
        "view",
        LearnerStats.objects.filter(
            course_id__in=list(course_ids), risk_level=RiskLevel.HIGH, risk_high_since__gte=now - RECENT
        ),
    )
    total = rows.count()
    if not total:
        return NewlyAtRisk([], 0)
    shown = list(rows.select_related("course").order_by("-risk_high_since", "display_name", "pk")[:SHOWN])
    return NewlyAtRisk(shown, total)
