"""LearnerStats rows for view tests, and a learner's work on a module, written directly (the refresh is tested
on its own)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cadence.accounts.models import User
from cadence.assessment.models import Attempt, AttemptState, Quiz
from cadence.courses.models import Item, Membership
from cadence.insights.models import LearnerStats
from cadence.progress.models import Completion, ItemProgress


def stats_for(membership: Membership, **fields: Any) -> LearnerStats:
    values: dict[str, Any] = {
        "course_id": membership.course_id,
        "user_id": membership.user_id,
        "display_name": membership.user.display_name,
        "refreshed_at": timezone.now(),
        **fields,
    }
    row, _created = LearnerStats.objects.update_or_create(membership=membership, defaults=values)
    return row


# --- A learner's work on a module, for the readiness page (rows written directly, at known moments) ----
def completed(user: User, item: Item, at: datetime) -> Completion:
    return Completion.objects.create(user=user, item=item, course_id=item.course_id, completed_at=at)


def opened(user: User, item: Item, at: datetime) -> ItemProgress:
    return ItemProgress.objects.create(user=user, item=item, course_id=item.course_id, first_viewed_at=at)


def quiz(item: Item) -> Quiz:
    found, _created = Quiz.objects.get_or_create(item=item)
    return found


def submitted_attempt(
    user: User, item: Item, at: datetime, *, score: str | None, max_score: str = "10", number: int = 1
) -> Attempt:
    return Attempt.objects.create(
        quiz=quiz(item),
        user=user,
        number=number,
        state=AttemptState.SUBMITTED,
        started_at=at,
        submitted_at=at,
        score=None if score is None else Decimal(score),
        max_score=Decimal(max_score),
        needs_grading=score is None,
    )
