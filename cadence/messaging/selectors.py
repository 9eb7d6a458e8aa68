"""Reads for the inbox, conversations, the question queue and the recipient picker; each a fixed number of queries."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from cadence import policy
from cadence.accounts.models import User
from cadence.courses.models import STAFF_ROLES, Course, Membership, Role
from cadence.messaging.models import Conversation, CourseMessaging, Kind, Message, Participant, Status

# The median answer time looks at a course's most recent answered questions only.
MEDIAN_SAMPLE = 500


def inbox(user: User) -> QuerySet[Participant]:
    """The user's conversations, newest activity first, with the other people in each."""
    return (
        Participant.objects.filter(user_id=user.pk)
        .select_related("conversation", "conversation__course")
        .prefetch_related(
            Prefetch(
                "conversation__participants",
                queryset=Participant.objects.select_related("user").only(
                    "id", "conversation_id", "user_id", "user__id", "user__display_name"
                ),
            )
        )
        .order_by("-conversation__last_message_at", "-conversation_id")
    )


def unread_count(user: User) -> int:
    """How many of the user's conversations have news, compared by time: no message is scanned."""
    return (
        Participant.objects.filter(user_id=user.pk)
        .filter(Q(last_read_at__isnull=True) | Q(last_read_at__lt=F("conversation__last_message_at")))
        .count()
    )


def conversation_for(user: User, conversation_id: int) -> Conversation | None:
    rows = Conversation.objects.select_related("course", "started_by")
    return policy.scope(user, "view", rows).filter(pk=conversation_id).first()


def participant_of(user: User, conversation: Conversation) -> Participant | None:
    return Participant.objects.filter(conversation=conversation, user_id=user.pk).first()


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return Message.objects.filter(conversation=conversation).select_related("sender").order_by("created_at", "id")


def people_in(conversation: Conversation) -> list[User]:
    return [p.user for p in Participant.objects.filter(conversation=conversation).select_related("user").order_by("id")]


def course_roles(course: Course, user_ids: set[int]) -> dict[int, str]:
    """Role labels for the people shown on a page, in one query."""
    rows = Membership.objects.filter(course=course, user_id__in=user_ids).values_list("user_id", "role")
    labels = dict(Role.choices)
    return {user_id: str(labels.get(role, role)) for user_id, role in rows}


def question_queue(course: Course, status: str | None = None) -> QuerySet[Conversation]:
    """A course's questions: open first, then oldest first."""
    rows = Conversation.objects.filter(course=course, kind=Kind.QUESTION).select_related("started_by")
    if status in Status.values:
        rows = rows.filter(status=status)
    return rows.annotate(
        open_first=Case(When(status=Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("open_first", "created_at", "id")


@dataclass(frozen=True)
class QueueStats:
    open_count: int
    answered_count: int
    median_first_answer: timedelta | None


def queue_stats(course: Course) -> QueueStats:
    questions = Conversation.objects.filter(course=course, kind=Kind.QUESTION)
    open_count = questions.filter(status=Status.OPEN).count()
    answered = list(
        questions.filter(first_answered_at__isnull=False)
        .order_by("-first_answered_at")
        .values_list("created_at", "first_answered_at")[:MEDIAN_SAMPLE]
    )
    waits = [(answered_at - asked_at).total_seconds() for asked_at, answered_at in answered if answered_at]
    median = timedelta(seconds=statistics.median(waits)) if waits else None
    return QueueStats(open_count=open_count, answered_count=len(waits), median_first_answer=median)


def my_questions(user: User, course: Course) -> QuerySet[Conversation]:
    return Conversation.objects.filter(course=course, kind=Kind.QUESTION, started_by_id=user.pk).order_by(
        "-last_message_at", "-id"
    )


def settings_for(course: Course) -> CourseMessaging:
    """The course's settings, or the defaults (unsaved) when it has none."""
    return CourseMessaging.objects.filter(course=course).first() or CourseMessaging(course=course)


def recipients_for(user: User, course: Course) -> QuerySet[User]:
    """The people this user may message in the course (never themselves), by name: the policy's "message" scope."""
    memberships = policy.scope(user, "message", Membership.objects.filter(course=course))
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("display_name", "id")


def learner_to_check_in(user: User, course: Course, learner_id: int) -> User | None:
    """The learner of the course this user may check in on, or None: the policy's "check_in" scope."""
    memberships = policy.scope(user, "check_in", Membership.objects.filter(course=course, user_id=learner_id))
    membership = memberships.select_related("user").first()
    return membership.user if membership is not None else None


def learners_to_check_in(user: User, course: Course, learner_ids: Collection[int]) -> list[User]:
    """Of these ids, the learners of the course this user may check in on (others are left out), by name."""
    memberships = policy.scope(user, "check_in", Membership.objects.filter(course=course, user_id__in=learner_ids))
    return [m.user for m in memberships.select_related("user").order_by("user__display_name", "user_id")]


def messageable_courses(user: User) -> QuerySet[Course]:
    return policy.scope(user, "view", Course.objects.all()).order_by("title", "id")


@dataclass(frozen=True)
class WaitingQuestions:
    slug: str
    title: str
    open_count: int


def waiting_questions(user: User) -> list[WaitingQuestions]:
    """Open questions in each course where the user is a teacher or TA, in one query."""
    staff_courses = Membership.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).values("course_id")
    rows = (
        Conversation.objects.filter(kind=Kind.QUESTION, status=Status.OPEN, course_id__in=staff_courses)
        .values("course__slug", "course__title")
        .annotate(n=Count("id"))
        .order_by("course__title", "course__slug")
    )
    return [WaitingQuestions(slug=r["course__slug"], title=r["course__title"], open_count=r["n"]) for r in rows]
