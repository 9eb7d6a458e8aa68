"""Requests to follow a learner: who asked, when, and who confirmed or declined it.

The grant itself is the observer membership's `observed` link (`courses.Membership.observed`), which the
policy reads; it exists exactly when a request has been confirmed (by the learner or a teacher of the
course), as an accepted `Invitation` is followed by a `Membership`. A pending or declined request grants
nothing. Links made before confirmation existed were recorded as confirmed requests by a data migration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    DECLINED = "declined", _("declined")


class FollowRequest(models.Model):
    """An observer (a parent or mentor) asking to follow one learner of the same course."""

    observer = models.ForeignKey("courses.Membership", on_delete=models.CASCADE, related_name="follow_requests")
    learner = models.ForeignKey("courses.Membership", on_delete=models.CASCADE, related_name="follower_requests")
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["observer", "learner"],
                condition=Q(status="pending"),
                name="follow_request_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="follow_request_decided_when_not_pending",
            ),
        ]
        indexes = [models.Index(fields=["learner", "status"], name="follow_request_learner_idx")]

    def __str__(self) -> str:
        return f"follow request {self.observer_id} → {self.learner_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING


class SummarySent(models.Model):
    """One family summary email sent to one observer for one digest time: the row makes sending idempotent
    (a rerun of the periodic task, or two workers at once, send it once)."""

    observer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    slot = models.DateTimeField()  # the digest time (weekly or daily) the summary is for
    sent_at = models.DateTimeField()
    learner_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["observer", "slot"], name="family_summary_once_per_slot")]

    def __str__(self) -> str:
        return f"family summary for {self.observer_id} at {self.slot:%Y-%m-%d %H:%M}"
