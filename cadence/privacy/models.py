"""Data rights: copies of a person's data (exports) and requests to delete an account.

An export is a zip built in the background and kept in private storage (never publicly addressable)
until it expires. A deletion request waits for a site administrator; confirming it scrubs the account
in place (the `User` row stays, so that learner work the school keeps is never cascaded away).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def export_path(instance: DataExport, filename: str) -> str:
    import uuid

    # A random name: nothing about the person, and nothing guessable.
    return f"private/exports/{uuid.uuid4().hex}.zip"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Could not be prepared")
    EXPIRED = "expired", _("Expired")


class DataExport(models.Model):
    """One copy of one person's data, asked for by them or by their linked observer (under 16)."""

    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    requested_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=export_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One copy in preparation per person at a time, however many times the button is pressed.
            models.UniqueConstraint(
                fields=["subject"], condition=Q(status="pending"), name="privacy_one_pending_export"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="privacy_export_expiry_idx")]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.subject_id}"


class DeletionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a site administrator")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Account deleted")


class DeletionRequest(models.Model):
    """A person asked for their account to be deleted; a site administrator confirms or declines."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=DeletionStatus.choices, default=DeletionStatus.PENDING)
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note to the person"), max_length=2000, blank=True)
    # Filled when completed: what was erased, by kind (a count each), for the audit trail.
    summary = models.JSONField(default=dict, blank=True)
    # When the work kept for the school (submissions, attempts, grades) was purged after the retention period.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="privacy_one_pending_deletion"
            ),
        ]

    def __str__(self) -> str:
        return f"deletion request {self.pk} of {self.user_id}"


class ForumPostsOnDeletion(models.TextChoices):
    KEEP = "keep", _("Keep them, shown as by “Former member”")
    REMOVE = "remove", _("Remove their text and attachments")


class PrivacySettings(models.Model):
    """Site-wide choices for data rights, edited by site administrators. One row (pk=1)."""

    forum_posts_on_deletion = models.CharField(
        _("forum posts of deleted accounts"),
        max_length=8,
        choices=ForumPostsOnDeletion.choices,
        default=ForumPostsOnDeletion.KEEP,
    )

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return str(_("Privacy settings"))

    @classmethod
    def current(cls) -> PrivacySettings:
        row = cls.objects.filter(pk=1).first()
        return row if row is not None else cls(pk=1)
