"""Learner activity: an append-only event log shaped like xAPI statements, and the aggregates kept from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cadence.courses.models import Course, Item


class Verb(models.TextChoices):
    VIEWED = "viewed", _("viewed")
    STARTED = "started", _("started")
    PROGRESSED = "progressed", _("progressed")
    PAUSED = "paused", _("paused")
    COMPLETED = "completed", _("completed")
    SUBMITTED = "submitted", _("submitted")
    SEARCHED = "searched", _("searched")
    DOWNLOADED = "downloaded", _("downloaded")
    HEARTBEAT = "heartbeat", _("was active on")
    MARKED_DONE = "marked_done", _("marked done")


class Event(models.Model):
    """One statement: actor · verb · object, with result and context. Never updated or deleted by Cadence."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=24, choices=Verb.choices)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=32, default="item")
    object_id = models.CharField(max_length=64, blank=True)
    result = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(help_text="When it happened (the client's clock, bounded by the server's).")
    stored_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "idempotency_key"], name="event_idempotent_per_actor"),
        ]
        indexes = [
            models.Index(fields=["course", "actor", "timestamp"], name="event_course_actor_time_idx"),
            models.Index(fields=["item", "actor", "verb"], name="event_item_actor_verb_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.object_type}:{self.object_id}"


class Completion(models.Model):
    """An item completed by a learner: recorded once, with its time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()
    source = models.CharField(max_length=24, default="rule")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="completion_once_per_item")]
        indexes = [
            models.Index(fields=["user", "course"], name="completion_user_course_idx"),
            # Covers "who completed these items by then" (the readiness page) without reading the table.
            models.Index(fields=["item", "user", "completed_at"], name="completion_item_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} completed {self.item_id}"


class ItemProgress(models.Model):
    """Everything about one learner and one item that pages need, kept up to date by the services."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Video: where the learner is, how long the video is, and which stretches they have watched.
    position_seconds = models.FloatField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    watched_ranges = models.JSONField(default=list, blank=True)
    watched_percent = models.PositiveSmallIntegerField(default=0)
    # Time on task: seconds of active time, from heartbeats with an idle cut-off.
    active_seconds = models.PositiveIntegerField(default=0)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    marked_for_review = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="item_progress_once")]
        indexes = [
            models.Index(fields=["user", "course", "last_viewed_at"], name="progress_recent_idx"),
            # Covers "who had opened these items by then" (the readiness page) without reading the table.
            models.Index(fields=["item", "user", "first_viewed_at"], name="progress_item_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.item_id}"


class DailyActivity(models.Model):
    """Active seconds per learner, course and local day (in the learner's zone), for weekly totals."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    active_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course", "day"], name="daily_activity_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.active_seconds}s"


class ZoneBasis(models.TextChoices):
    COURSE = "course", _("in the course's time zone")
    LEARNER = "learner", _("in each learner's own time zone")


class ReleaseRule(models.Model):
    """When an item or a whole module opens to a learner. Every condition that is set must hold."""

    item = models.OneToOneField(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="release_rule")
    module = models.OneToOneField(
        "courses.Module", null=True, blank=True, on_delete=models.CASCADE, related_name="release_rule"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="release_rules")
    after_item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("after completing item"),
    )
    after_module = models.ForeignKey(
        "courses.Module",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("after completing module"),
    )
    open_date = models.DateField(_("opens on"), null=True, blank=True)
    open_time = models.TimeField(_("at"), null=True, blank=True)
    zone_basis = models.CharField(_("time zone"), max_length=8, choices=ZoneBasis.choices, default=ZoneBasis.LEARNER)
    groups = models.ManyToManyField(
        "courses.Group", blank=True, related_name="+", verbose_name=_("only for these groups")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(item__isnull=False) & models.Q(module__isnull=True))
                | (models.Q(item__isnull=True) & models.Q(module__isnull=False)),
                name="release_rule_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"release rule for {'item ' + str(self.item_id) if self.item_id else 'module ' + str(self.module_id)}"


class ReleaseOverride(models.Model):
    """A teacher opened an item or module early for one learner."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("courses.Module", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="override_once_per_item"),
            models.UniqueConstraint(fields=["user", "module"], name="override_once_per_module"),
        ]
        indexes = [models.Index(fields=["user", "course"], name="override_user_course_idx")]

    def __str__(self) -> str:
        return f"override for {self.user_id}"


class Note(models.Model):
    """A learner's private note on an item: optionally a quote highlighted in the text, or a moment in a video."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"), max_length=10000)
    quote = models.TextField(_("highlighted text"), max_length=2000, blank=True)
    at_seconds = models.PositiveIntegerField(_("moment in the video (seconds)"), null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["item_id", "at_seconds", "created_at", "id"]
        indexes = [models.Index(fields=["user", "course", "item"], name="note_user_course_item_idx")]

    def __str__(self) -> str:
        return f"note {self.pk} by {self.user_id}"
