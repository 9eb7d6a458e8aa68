"""Reads for the data-rights pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment.models import AssignmentDraft, Attempt, Submission
from cadence.community.models import Post
from cadence.courses.models import Role
from cadence.messaging.models import Message
from cadence.privacy.ages import PARENTAL_CONSENT_AGE, is_under
from cadence.privacy.models import DataExport, DeletionRequest, DeletionStatus
from cadence.progress.models import Note

RECENT_EXPORTS = 10


def is_child(user: User, today: date) -> bool:
    """Whether the person is known to be under the age of parental consent (16); an unknown birth date is not."""
    return is_under(user.birth_date, PARENTAL_CONSENT_AGE, today)


def exports_for(user: User) -> list[DataExport]:
    """The copies this person asked for (of themselves or of a child), newest first."""
    rows = policy.scope(user, "download", DataExport.objects.all()).select_related("subject")
    return list(rows[:RECENT_EXPORTS])


def pending_export_subject_ids(exports: list[DataExport]) -> set[int]:
    return {e.subject_id for e in exports if e.status == "pending"}


def learners_i_may_export_for(user: User) -> list[User]:
    """The learners this person observes for whom the policy lets them ask for a copy (under 16)."""
    candidates = (
        User.objects.filter(
            memberships__role=Role.LEARNER,
            memberships__observers__user=user,
            memberships__observers__role=Role.OBSERVER,
            is_active=True,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("display_name", "pk")
    )
    return [learner for learner in candidates if policy.can(user, "export_data", learner)]


def latest_deletion_request(user: User) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(user=user).select_related("decided_by").first()


def deletion_queue(admin: User) -> QuerySet[DeletionRequest]:
    rows = DeletionRequest.objects.filter(status=DeletionStatus.PENDING).select_related("user")
    return policy.scope(admin, "decide", rows).order_by("requested_at", "id")


def recent_decisions(admin: User, *, limit: int = 20) -> list[DeletionRequest]:
    rows = DeletionRequest.objects.exclude(status=DeletionStatus.PENDING).select_related("user", "decided_by")
    return list(policy.scope(admin, "decide", rows).order_by("-decided_at", "-id")[:limit])


@dataclass(frozen=True)
class Impact:
    """What confirming a deletion would erase and what would be kept, for the administrator deciding."""

    notes: int
    drafts: int
    posts: int
    messages: int
    submissions: int
    attempts: int


def deletion_impact(user: User) -> Impact:
    return Impact(
        notes=Note.objects.filter(user=user).count(),
        drafts=AssignmentDraft.objects.filter(user=user).count(),
        posts=Post.objects.filter(author=user).count(),
        messages=Message.objects.filter(sender=user).count(),
        submissions=Submission.objects.filter(user=user).count(),
        attempts=Attempt.objects.filter(user=user).count(),
    )
