"""LearnerStats rows for view tests, written directly (the refresh is tested on its own)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cadence.courses.models import Membership
from cadence.insights.models import LearnerStats


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
