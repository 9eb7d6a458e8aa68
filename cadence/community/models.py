"""Forums: course-wide or attached to a discussion item, holding threads of posts.

Counters on `Thread` (post_count, last_post_at, last_post_id) are kept by the services so the forum
index and unread tracking never scan posts: a `ThreadRead` row per (user, thread) stores how many posts
the user had seen and the last post id they read.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadence.courses.models import Course, Group, Item


class ForumKind(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    QA = "qa", _("Questions and answers")
    ANNOUNCEMENTS = "announcements", _("Announcements")


class Forum(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="forums")
    # Set for the forum of a discussion item; course-wide forums have none.
    item = models.OneToOneField(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="forum")
    kind = models.CharField(_("type"), max_length=16, choices=ForumKind.choices, default=ForumKind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    post_first = models.BooleanField(
        _("learners post before seeing replies"),
        default=False,
        help_text=_("Q&A only: a learner sees the others' replies once they have replied themselves."),
    )
    group_separated = models.BooleanField(
        _("separate groups"), default=False, help_text=_("Learners see and post only in their own group's threads.")
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_qa(self) -> bool:
        return self.kind == ForumKind.QA

    @property
    def is_announcements(self) -> bool:
        return self.kind == ForumKind.ANNOUNCEMENTS


class Thread(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="threads")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    is_answered = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    # Denormalised, kept by the services: every post including the opening one.
    post_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField()
    last_post_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-is_pinned", "-last_post_at", "-id"]
        indexes = [models.Index(fields=["forum", "is_pinned", "last_post_at"], name="thread_forum_order_idx")]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: Post, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"community/course-{instance.course_id}/{uuid.uuid4().hex}{suffix}"


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="posts")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Replies nest one level: a reply to a reply attaches to its top-level reply.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    is_opening = models.BooleanField(default=False)
    # The thread's title on the opening post (for search); empty on replies.
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("message"), max_length=20000)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    upvote_count = models.PositiveIntegerField(default=0)
    is_endorsed = models.BooleanField(default=False)
    file = models.FileField(upload_to=attachment_path, max_length=255, blank=True)
    filename = models.CharField(max_length=150, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    # Sent by the form or API client: a retried write finds its post instead of making a second one.
    client_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["thread", "id"], name="post_thread_idx"),
            models.Index(fields=["author", "thread"], name="post_author_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["thread"], condition=Q(is_opening=True), name="post_one_opening"),
            models.UniqueConstraint(
                fields=["author", "client_key"], condition=~Q(client_key=""), name="post_client_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} in {self.thread_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostRevision(models.Model):
    """The text of a post before one of its edits."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    written_at = models.DateTimeField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"revision of post {self.post_id}"


class PostVote(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="vote_one_per_user")]

    def __str__(self) -> str:
        return f"vote on post {self.post_id}"


class ThreadRead(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    read_count = models.PositiveIntegerField(default=0)
    last_read_post_id = models.BigIntegerField(default=0)
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="thread_read_unique")]

    def __str__(self) -> str:
        return f"read marker on thread {self.thread_id}"


class Subscription(models.Model):
    """Following a forum or a thread (exactly one of them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    forum = models.ForeignKey(Forum, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(forum__isnull=False, thread__isnull=True) | Q(forum__isnull=True, thread__isnull=False),
                name="subscription_forum_or_thread",
            ),
            models.UniqueConstraint(
                fields=["user", "forum"], condition=Q(forum__isnull=False), name="subscription_one_per_forum"
            ),
            models.UniqueConstraint(
                fields=["user", "thread"], condition=Q(thread__isnull=False), name="subscription_one_per_thread"
            ),
        ]

    def __str__(self) -> str:
        return f"subscription of user {self.user_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class Report(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=1000)
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=Q(status="open"), name="report_one_open_per_reporter"
            ),
        ]
        indexes = [models.Index(fields=["course", "status"], name="report_course_status_idx")]

    def __str__(self) -> str:
        return f"report on post {self.post_id}"
