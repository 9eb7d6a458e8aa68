"""Content of the item types (lessons with course images, videos with captions and transcript, checklists
ticked per learner), the course library of resources, and the course search index.

Files live in Django's default storage under `content/course-<id>/`; no file is ever served from a
public /media/ address, only through the permission-checked views of this app.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cadence.courses.models import Course, Item

MAX_RUNNING_SECONDS = 24 * 3600


def _stored_name(course_id: int, folder: str, filename: str) -> str:
    """A fresh, unguessable storage name; only the extension (chosen by the service) is kept."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"content/course-{course_id}/{folder}/{uuid.uuid4().hex}{suffix}"


def image_path(instance: CourseImage, filename: str) -> str:
    return _stored_name(instance.course_id, "images", filename)


def video_path(instance: Video, filename: str) -> str:
    return _stored_name(instance.item.course_id, "videos", filename)


def caption_path(instance: CaptionTrack, filename: str) -> str:
    return _stored_name(instance.video.item.course_id, "captions", filename)


def resource_path(instance: Resource, filename: str) -> str:
    return _stored_name(instance.course_id, "library", filename)


class Lesson(models.Model):
    item = models.OneToOneField(Item, on_delete=models.CASCADE, primary_key=True, related_name="lesson")
    body = models.TextField(_("text"), blank=True)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"lesson {self.item_id}"


class CourseImage(models.Model):
    """An image uploaded to a course for its lessons; shown only to people who may view the course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=image_path, max_length=255)
    filename = models.CharField(max_length=150)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    alt_text = models.CharField(_("description for people who cannot see it"), max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["course", "created_at"], name="course_image_course_idx")]

    def __str__(self) -> str:
        return self.filename


class Video(models.Model):
    """A video item's source: an uploaded file or an outside http(s) address, never both."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, primary_key=True, related_name="video")
    file = models.FileField(upload_to=video_path, max_length=255, blank=True)
    filename = models.CharField(max_length=150, blank=True)
    content_type = models.CharField(max_length=32, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    external_url = models.URLField(_("video address"), max_length=1000, blank=True)
    duration_seconds = models.PositiveIntegerField(
        _("running time (seconds)"), null=True, blank=True, validators=[MaxValueValidator(MAX_RUNNING_SECONDS)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(file="") | Q(external_url=""), name="video_one_source"),
        ]

    def __str__(self) -> str:
        return f"video {self.item_id}"

    @property
    def is_uploaded(self) -> bool:
        return bool(self.file)

    @property
    def has_source(self) -> bool:
        return bool(self.file) or bool(self.external_url)


class CaptionTrack(models.Model):
    """One WebVTT file for a video in one language; its cues are kept as the transcript."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(_("language code"), max_length=35)
    label = models.CharField(_("label"), max_length=100)
    file = models.FileField(upload_to=caption_path, max_length=255)
    size = models.PositiveIntegerField(default=0)
    cue_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["video", "language"], name="caption_one_per_language")]

    def __str__(self) -> str:
        return f"{self.label} ({self.language})"


class Cue(models.Model):
    """One caption cue: the transcript line shown beside the video, searchable."""

    track = models.ForeignKey(CaptionTrack, on_delete=models.CASCADE, related_name="cues")
    position = models.PositiveIntegerField()
    start_ms = models.PositiveIntegerField()
    end_ms = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["start_ms", "position"]
        indexes = [models.Index(fields=["track", "start_ms"], name="cue_track_start_idx")]
        constraints = [models.CheckConstraint(condition=Q(end_ms__gt=F("start_ms")), name="cue_ends_after_start")]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def start_seconds(self) -> float:
        return self.start_ms / 1000


class Checklist(models.Model):
    # PROTECT: learners' ticks hang on the steps; only the purge removes a checklist with its item.
    item = models.OneToOneField(Item, on_delete=models.PROTECT, primary_key=True, related_name="checklist")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"checklist {self.item_id}"


class ChecklistStep(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(_("step"), max_length=500)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["checklist", "position"], name="step_checklist_pos_idx")]

    def __str__(self) -> str:
        return self.text


class StepTick(models.Model):
    """A learner ticked a step. Unticking deletes the row."""

    step = models.ForeignKey(ChecklistStep, on_delete=models.CASCADE, related_name="ticks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "user"], name="tick_once_per_step")]
        indexes = [models.Index(fields=["user", "step"], name="tick_user_step_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} ticked {self.step_id}"


# --- Library -----------------------------------------------------------------------------------------
class ResourceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    SLIDES = "slides", _("Slides")
    DATASET = "dataset", _("Dataset")
    MEDIA = "media", _("Image or audio")
    LINK = "link", _("Link")
    OTHER = "other", _("Other")


class ResourceTag(models.Model):
    """A label teachers put on library resources; names are kept lower-case, unique in a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("tag"), max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="resource_tag_unique_in_course")]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """A document, slide deck, dataset or link in a course's library: an uploaded file or an address.

    A file or link item of the outline shows one resource (`item`); such a resource follows the item's
    visibility and release conditions. Other resources are shown when published.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    item = models.OneToOneField(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="resource", verbose_name=_("item")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=20000, blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=ResourceKind.choices, default=ResourceKind.DOCUMENT)
    file = models.FileField(upload_to=resource_path, max_length=255, blank=True)
    filename = models.CharField(max_length=150, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    tags = models.ManyToManyField(ResourceTag, blank=True, related_name="resources")
    is_published = models.BooleanField(_("visible to learners"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["course", "title"], name="resource_course_title_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")), name="resource_one_source"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_file(self) -> bool:
        return bool(self.file)


# --- Search --------------------------------------------------------------------------------------------
class SearchSource(models.TextChoices):
    ITEM = "item", _("Item")
    RESOURCE = "resource", _("Library")
    TRANSCRIPT = "transcript", _("Transcript")


class SearchEntry(models.Model):
    """One searchable passage of a course: an item's title and text, a resource, or a stretch of a transcript.

    Kept by the content services whenever what it copies changes. The full-text index over it is the
    database's own: an FTS5 table kept by triggers on SQLite, a GIN expression index on PostgreSQL
    (see `cadence.content.search`).
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=SearchSource.choices)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    track = models.ForeignKey(CaptionTrack, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    start_ms = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["course", "source"], name="search_course_source_idx")]
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(source="item"), name="search_one_entry_per_item"),
            models.UniqueConstraint(
                fields=["resource"], condition=Q(source="resource"), name="search_one_entry_per_resource"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.title}"
