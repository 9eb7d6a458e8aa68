"""The teacher's home (issue 12): what waits for a teacher or TA across every course they teach.

A fixed number of queries however many courses and learners: each section is one grouped query over all the
courses at once (and a second for the oldest entries to act on). Each course comes from the policy's
`view_insights` scope, and each learner's work from its `view_insights` scope over memberships, so a TA
limited to groups sees their groups' work only. Forum reports are moderated course-wide, like the report page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment import selectors as assessment_selectors
from cadence.assessment.models import Attempt, AttemptState, Submission
from cadence.community import selectors as community_selectors
from cadence.community.models import Report, ReportStatus, Thread
from cadence.courses import selectors as course_selectors
from cadence.courses.domain.deadlines import Spread, end_of_day_spread
from cadence.courses.models import Course, Item, Membership, Visibility
from cadence.insights.selectors import at_risk as at_risk_selectors
from cadence.messaging.models import Conversation, Kind, Status
from cadence.progress.models import Completion

OLDEST = 10  # questions listed one by one (across all courses), oldest first
WEEK = timedelta(days=7)


@dataclass
class CourseWaiting:
    """What waits in one course."""

    course: Course
    to_grade: int = 0
    oldest_to_grade: datetime | None = None
    questions: int = 0  # questions to the teachers still open
    oldest_question: datetime | None = None
    forum_questions: int = 0  # unanswered questions in the course's Q&A forums
    reports: int = 0  # reported posts awaiting moderation
    may_moderate: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.to_grade or self.questions or self.forum_questions or self.reports)


@dataclass(frozen=True)
class Deadline:
    item: Item
    due_at: datetime | None  # a fixed moment
    due_date: date | None  # or the end of this day in each learner's own zone
    not_submitted: int  # learners (that the viewer sees) who have neither submitted nor completed it
    spread: Spread | None = None  # for a day in each learner's zone: when it passes first and last in the class


@dataclass
class TeachingHome:
    courses: list[CourseWaiting]
    questions: list[Conversation] = field(default_factory=list)  # the oldest open questions to the teachers
    forum_questions: list[Thread] = field(default_factory=list)  # the oldest unanswered forum questions
    deadlines: list[Deadline] = field(default_factory=list)
    at_risk: at_risk_selectors.NewlyAtRisk = field(default_factory=lambda: at_risk_selectors.NewlyAtRisk([], 0))

    @property
    def waiting(self) -> list[CourseWaiting]:
        return [c for c in self.courses if c.anything]


def taught_courses(user: User) -> QuerySet[Course]:
    """The running courses the user teaches (as teacher or TA) and may see insights of, by title; a finished
    course keeps its health page but leaves the teacher's home."""
    mine = Course.objects.filter(pk__in=Membership.objects.filter(user_id=user.pk).values("course_id")).exclude(
        visibility=Visibility.ARCHIVED
    )
    return policy.scope(user, "view_insights", mine).order_by("title", "id")


def _learner_seen(user: User, course_field: str, user_field: str) -> Exists:
    """Rows about a learner whose work the user may see in that course (a group-limited TA: their groups')."""
    learners = policy.scope(user, "view_insights", Membership.objects.all())
    return Exists(learners.filter(course_id=OuterRef(course_field), user_id=OuterRef(user_field)))


def teaching_home(user: User, *, now: datetime, today: date) -> TeachingHome:
    courses = list(taught_courses(user))
    by_id = {c.pk: CourseWaiting(course=c) for c in courses}
    home = TeachingHome(courses=list(by_id.values()))
    if not courses:
        return home
    ids = list(by_id)
    live = Item.objects.filter(course_id__in=ids).values("pk")
    _grading(user, by_id, live)
    home.questions = _questions(user, by_id, ids)
    home.forum_questions = _forum_questions(user, by_id, ids)
    _reports(user, by_id, ids)
    home.deadlines = _deadlines(user, ids, now=now, today=today)
    home.at_risk = at_risk_selectors.newly_at_risk(user, ids, now=now)
    return home


def _grading(user: User, by_id: dict[int, CourseWaiting], live: QuerySet[Any, Any]) -> None:
    """Submissions and essay attempts waiting for a grade, counted per course with the oldest. Two queries."""
    submissions = (
        assessment_selectors.waiting_submissions(live)
        .filter(_learner_seen(user, "assignment__item__course_id", "user_id"))
        .values_list("assignment__item__course_id")
        .annotate(n=Count("pk"), oldest=Min("submitted_at"))
    )
    attempts = (
        assessment_selectors.waiting_attempts(live)
        .filter(_learner_seen(user, "quiz__item__course_id", "user_id"))
        .values_list("quiz__item__course_id")
        .annotate(n=Count("pk"), oldest=Min("submitted_at"))
    )
    for course_id, n, oldest in [*submissions, *attempts]:
        entry = by_id[course_id]
        entry.to_grade += n
        if oldest is not None and (entry.oldest_to_grade is None or oldest < entry.oldest_to_grade):
            entry.oldest_to_grade = oldest


def _questions(user: User, by_id: dict[int, CourseWaiting], ids: list[int]) -> list[Conversation]:
    """Open questions to the teachers: counts per course, and the oldest few to answer. Two queries."""
    rows = policy.scope(
        user, "answer", Conversation.objects.filter(course_id__in=ids, kind=Kind.QUESTION, status=Status.OPEN)
    ).filter(_learner_seen(user, "course_id", "started_by_id"))
    for course_id, n, oldest in rows.values_list("course_id").annotate(n=Count("pk"), oldest=Min("created_at")):
        by_id[course_id].questions = n
        by_id[course_id].oldest_question = oldest
    if not any(c.questions for c in by_id.values()):
        return []
    return list(rows.select_related("course", "started_by").order_by("created_at", "id")[:OLDEST])


def _forum_questions(user: User, by_id: dict[int, CourseWaiting], ids: list[int]) -> list[Thread]:
    """Learners' questions in Q&A forums not yet answered: counts per course, and the oldest few. Two queries."""
    threads = policy.scope(user, "view", Thread.objects.filter(course_id__in=ids)).filter(
        _learner_seen(user, "course_id", "author_id")
    )
    rows = community_selectors.unanswered_questions(threads)
    for course_id, n in rows.values_list("course_id").annotate(n=Count("pk")):
        by_id[course_id].forum_questions = n
    if not any(c.forum_questions for c in by_id.values()):
        return []
    return list(rows.select_related("course", "forum").order_by("created_at", "id")[:OLDEST])


def _reports(user: User, by_id: dict[int, CourseWaiting], ids: list[int]) -> None:
    """Open reports about posts, per course the user moderates. One query."""
    moderated = policy.scope(user, "moderate", Course.objects.filter(pk__in=ids)).values("pk")
    rows = Report.objects.filter(course_id__in=moderated, status=ReportStatus.OPEN)
    for course_id, n in rows.values_list("course_id").annotate(n=Count("pk")):
        by_id[course_id].reports = n
    for entry in by_id.values():
        entry.may_moderate = policy.can(user, "moderate", entry.course)


def _deadlines(user: User, ids: list[int], *, now: datetime, today: date) -> list[Deadline]:
    """Items due in the next seven days (a fixed moment, or a day in each learner's zone), each with how many of
    the learners the user sees have neither submitted nor completed it; for a day in each learner's zone, when
    it passes first and last across the course's learners the user sees. Two queries.

    Deadlines counted from each learner's joining day (self-paced) differ per learner and are not listed here.
    """
    learners = policy.scope(user, "view_insights", Membership.objects.filter(course_id=OuterRef("course_id")))
    done = Completion.objects.filter(item_id=OuterRef(OuterRef("pk")), user_id=OuterRef("user_id"))
    submitted = Submission.objects.filter(assignment__item_id=OuterRef(OuterRef("pk")), user_id=OuterRef("user_id"))
    attempted = Attempt.objects.filter(
        quiz__item_id=OuterRef(OuterRef("pk")), user_id=OuterRef("user_id"), state=AttemptState.SUBMITTED
    )
    pending = (
        learners.exclude(Exists(done))
        .exclude(Exists(submitted))
        .exclude(Exists(attempted))
        .values("course_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    items = (
        Item.objects.filter(course_id__in=ids, is_published=True, module__is_published=True)
        .filter(Q(due_at__gte=now, due_at__lt=now + WEEK) | Q(due_date__gte=today, due_date__lt=today + WEEK))
        .select_related("course")
        .annotate(not_submitted=Coalesce(Subquery(pending, output_field=IntegerField()), Value(0)))
    )
    due_soon = list(items)
    zones = course_selectors.learner_zones(
        {i.course_id for i in due_soon if i.due_date is not None},
        among=policy.scope(user, "view_insights", Membership.objects.all()),
    )
    rows = [
        Deadline(
            item=i,
            due_at=i.due_at,
            due_date=i.due_date,
            not_submitted=i.not_submitted,
            spread=end_of_day_spread(i.due_date, zones.get(i.course_id, ())) if i.due_date else None,
        )
        for i in due_soon
    ]
    return sorted(rows, key=lambda d: (timezone.localdate(d.due_at) if d.due_at else d.due_date, d.item.course.title))
