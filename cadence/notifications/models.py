"""Notifications: what a person is told, how and when they want to be told, and each email sent.

A `Notification` is one thing addressed to one person, shown in the in-app centre. Its `email_due_at`
says when it goes out by email (null: never); a due notification is claimed by exactly one `Delivery`,
whose unique `key` makes sending idempotent when a task is retried.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cadence.courses.models import Course


class Kind(models.TextChoices):
    REPLY = "reply", _("Replies to my posts")
    MENTION = "mention", _("Mentions of me")
    ENDORSED = "endorsed", _("My answer endorsed or my question answered")
    ANNOUNCEMENT = "announcement", _("Announcements")
    FORUM_ACTIVITY = "forum_activity", _("New posts in forums and threads I follow")
    MESSAGE = "message", _("Messages and questions to teachers")
    GRADE_RELEASED = "grade_released", _("Grades released")
    FEEDBACK_POSTED = "feedback_posted", _("Feedback on my work")
    DEADLINE = "deadline", _("Deadlines approaching")
    CHECK_IN = "check_in", _("Check-ins from a teacher")
    REPORT = "report", _("Reported posts (staff)")
    DATA_EXPORT = "data_export", _("Copies of my data ready to download")
    ACCOUNT_DELETION = "account_deletion", _("Account deletion requests and decisions")
    FOLLOWERS = "followers", _("Who follows my work, and requests to")
    FAMILY_SUMMARY = "family_summary", _("Summary of the learners I follow")
    AT_RISK = "at_risk", _("Learners newly at high risk (staff)")


class Timing(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


# What is addressed to you comes at once; activity somewhere you merely follow waits for a digest.
DEFAULT_TIMING: dict[str, str] = {
    Kind.REPLY: Timing.IMMEDIATELY,
    Kind.MENTION: Timing.IMMEDIATELY,
    Kind.ENDORSED: Timing.IMMEDIATELY,
    Kind.ANNOUNCEMENT: Timing.IMMEDIATELY,
    Kind.FORUM_ACTIVITY: Timing.DAILY,
    Kind.MESSAGE: Timing.IMMEDIATELY,
    Kind.GRADE_RELEASED: Timing.IMMEDIATELY,
    Kind.FEEDBACK_POSTED: Timing.IMMEDIATELY,
    Kind.DEADLINE: Timing.DAILY,
    Kind.CHECK_IN: Timing.IMMEDIATELY,
    Kind.REPORT: Timing.DAILY,
    Kind.DATA_EXPORT: Timing.IMMEDIATELY,
    Kind.ACCOUNT_DELETION: Timing.IMMEDIATELY,
    Kind.FOLLOWERS: Timing.IMMEDIATELY,
    # The family summary is built once a week (or day) at the digest time; see cadence.families.summary.
    Kind.FAMILY_SUMMARY: Timing.WEEKLY,
    # One per learner whose risk rises to high; a day's rises arrive together.
    Kind.AT_RISK: Timing.DAILY,
}


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DeliverySettings(models.Model):
    """When email may reach a person, in their own time zone. Absent row: the defaults below."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_enabled = models.BooleanField(_("send me email"), default=True)
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True, default=dt.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True, default=dt.time(7, 0))
    digest_time = models.TimeField(_("digest time"), default=dt.time(17, 0))
    weekly_day = models.PositiveSmallIntegerField(
        _("weekly digest day"), choices=Weekday.choices, default=Weekday.FRIDAY
    )

    def __str__(self) -> str:
        return f"delivery settings of user {self.user_id}"


class Preference(models.Model):
    """A person's choice for one kind; kinds without a row use DEFAULT_TIMING."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    timing = models.CharField(max_length=12, choices=Timing.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.timing}"


class Delivery(models.Model):
    """One email: a single notification or a digest of several. Sent at most once (unique key)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("skipped")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120, unique=True)
    timing = models.CharField(max_length=12, choices=Timing.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker sending it holds the delivery until then; a second worker meanwhile leaves it alone.
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # The writer's idempotency key: one notification per (recipient, key) however often it is retried.
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)  # plain text, never HTML
    url = models.CharField(max_length=500)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    timing = models.CharField(max_length=12, choices=Timing.choices)
    email_due_at = models.DateTimeField(null=True, blank=True)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["email_due_at"],
                condition=models.Q(email_due_at__isnull=False, delivery__isnull=True),
                name="notification_email_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title
