"""Private conversations: questions to a course's teachers, and direct messages between its members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadence.courses.models import Course


class CourseMessaging(models.Model):
    """A course's messaging settings; a course without a row uses the defaults."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="messaging")
    learners_may_message_learners = models.BooleanField(
        _("learners may message each other"),
        default=False,
        help_text=_("Learners may always message the course's teachers and teaching assistants."),
    )

    def __str__(self) -> str:
        return f"messaging settings of {self.course_id}"


class Kind(models.TextChoices):
    QUESTION = "question", _("Question to the teachers")
    DIRECT = "direct", _("Direct message")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Conversation(models.Model):
    """A thread of messages in the context of one course.

    A question is seen by its asker and the course's staff; a direct conversation by its participants only.
    `last_message_at` is kept by the services so the inbox's unread markers never scan messages.
    """

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Questions only: open until a member of staff answers; reopened by the asker's follow-up.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    first_answered_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField()
    last_excerpt = models.CharField(max_length=200, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    # "smaller-larger" user ids for a two-person direct conversation, so a pair keeps one thread per course.
    pair_key = models.CharField(max_length=41, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "pair_key"], condition=~Q(pair_key=""), name="messaging_one_thread_per_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["course", "kind", "status", "created_at"], name="messaging_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or f"conversation {self.pk}"

    @property
    def is_question(self) -> bool:
        return self.kind == Kind.QUESTION


class Participant(models.Model):
    """Someone taking part in a conversation, with when they last read it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField()
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="messaging_participant_once")]
        indexes = [models.Index(fields=["user", "conversation"], name="messaging_participant_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"

    @property
    def is_unread(self) -> bool:
        return self.last_read_at is None or self.last_read_at < self.conversation.last_message_at


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=10000)
    created_at = models.DateTimeField()
    is_check_in = models.BooleanField(default=False)
    by_staff = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "idempotency_key"], name="messaging_message_idempotent"),
        ]
        indexes = [models.Index(fields=["conversation", "created_at"], name="messaging_message_conv_idx")]

    def __str__(self) -> str:
        return f"message {self.pk} by {self.sender_id}"
