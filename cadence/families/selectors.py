"""Reads for the family view: what an observer may see of the learners they follow, in a fixed number of
queries however many learners (asserted for one and five), and the follow requests of a learner or course.

Who is followed is the policy's: `scope(observer, "view_family", ...)` over users and memberships (confirmed
links in live courses only). Grades are the released ones only; activity is the last ACTIVITY_DAYS days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment.models import Attempt, AttemptState, Grade, Submission
from cadence.community.models import Post
from cadence.courses import selectors as course_selectors
from cadence.courses.models import Course, Item, Membership, Role
from cadence.families.models import FollowRequest, RequestStatus
from cadence.messaging.models import Conversation
from cadence.privacy import selectors as privacy_selectors
from cadence.progress import selectors as progress_selectors
from cadence.progress.models import Completion
from cadence.progress.selectors import DueList, ModuleProgress

ACTIVITY_DAYS = 14
SHOWN_GRADES = 20
SHOWN_ACTIVITY = 30
SHOWN_MESSAGES = 10


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    progress: ModuleProgress  # done and total required items, and the percent the dashboard shows


@dataclass(frozen=True)
class ReleasedGrade:
    item_id: int
    title: str
    course: Course
    kind: str  # "assignment" or "quiz"
    points: Decimal | None
    max_points: Decimal | None
    percent: Decimal | None  # quizzes: the attempt's shown percent
    feedback: str
    when: datetime


@dataclass(frozen=True)
class Activity:
    verb: str  # "completed", "submitted", "posted"
    title: str
    course: Course
    when: datetime


@dataclass
class LearnerFamilyView:
    learner: User
    courses: list[CourseProgress] = field(default_factory=list)
    due: DueList = field(default_factory=lambda: DueList(overdue=[], upcoming=[]))
    grades: list[ReleasedGrade] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    messages: list[Conversation] = field(default_factory=list)


def followed_learners(observer: User) -> QuerySet[User]:
    """The people this observer follows through a confirmed link in a live course, and only them."""
    return policy.scope(observer, "view_family", User.objects.all()).order_by("display_name", "pk")


def followed_memberships(observer: User, learner_ids: Sequence[int] | None = None) -> list[Membership]:
    rows = policy.scope(observer, "view_family", Membership.objects.all()).select_related("course", "user")
    if learner_ids is not None:
        rows = rows.filter(user_id__in=list(learner_ids))
    return list(rows.order_by("user__display_name", "user_id", "course__title", "course_id"))


def followed_in_course(observer: User, course: Course) -> list[Membership]:
    """The learners of one course this observer follows (for the item page and "My grades")."""
    rows = policy.scope(observer, "view_family", Membership.objects.filter(course=course)).select_related("user")
    return list(rows.order_by("user__display_name", "user_id"))


def family_views(observer: User, *, now: datetime, learner_ids: Sequence[int] | None = None) -> list[LearnerFamilyView]:
    """For each learner the observer follows (or those of `learner_ids` among them): progress per course, due
    soon and overdue (by the learner's own deadlines), released grades with feedback, recent activity and the
    observer's own conversations in those courses. A fixed number of queries however many learners."""
    memberships = followed_memberships(observer, learner_ids)
    if not memberships:
        return []
    views: dict[int, LearnerFamilyView] = {}
    courses_of: dict[int, list[int]] = {}
    for m in memberships:
        views.setdefault(m.user_id, LearnerFamilyView(learner=m.user))
        courses_of.setdefault(m.user_id, []).append(m.course_id)
    courses = {m.course_id: m.course for m in memberships}
    pairs = [(m.user_id, m.course_id) for m in memberships]
    allowed = set(pairs)
    user_ids, course_ids = list(views), list(courses)

    progress = progress_selectors.progress_for_learners(pairs)
    for m in memberships:
        p = progress[(m.user_id, m.course_id)]
        views[m.user_id].courses.append(CourseProgress(m.course, p))
    due = progress_selectors.due_items_for_learners(
        {uid: (views[uid].learner, courses_of[uid]) for uid in user_ids}, now=now
    )
    for uid, listed in due.items():
        views[uid].due = listed
    for uid, grade in _released_grades(user_ids, course_ids, allowed, courses):
        views[uid].grades.append(grade)
    for uid, entry in _activity(
        observer, user_ids, course_ids, allowed, courses, since=now - timedelta(days=ACTIVITY_DAYS)
    ):
        views[uid].activity.append(entry)
    for view in views.values():
        view.grades = sorted(view.grades, key=lambda g: g.when, reverse=True)[:SHOWN_GRADES]
        view.activity = sorted(view.activity, key=lambda a: a.when, reverse=True)[:SHOWN_ACTIVITY]
    conversations = list(
        policy.scope(observer, "view", Conversation.objects.filter(course_id__in=course_ids))
        .filter(participants__user=observer)
        .select_related("course")
        .order_by("-last_message_at")[: SHOWN_MESSAGES * len(views)]
    )
    for view in views.values():
        mine = set(courses_of[view.learner.pk])
        view.messages = [c for c in conversations if c.course_id in mine][:SHOWN_MESSAGES]
    return list(views.values())


def _live_item(prefix: str) -> dict[str, object]:
    return {f"{prefix}removed_at__isnull": True, f"{prefix}module__removed_at__isnull": True}


def _released_grades(
    user_ids: Sequence[int], course_ids: Sequence[int], allowed: set[tuple[int, int]], courses: dict[int, Course]
) -> list[tuple[int, ReleasedGrade]]:
    """Assignment grades released to the learner (with the teacher's feedback), and quiz attempts scored
    without waiting for a person (as the learner's own item page shows them): two queries."""
    found: list[tuple[int, ReleasedGrade]] = []
    grades = (
        Grade.objects.filter(
            released_at__isnull=False,
            submission__user_id__in=user_ids,
            submission__assignment__item__course_id__in=course_ids,
            **_live_item("submission__assignment__item__"),
        )
        .select_related("submission__assignment__item")
        .order_by("-released_at")
    )
    for g in grades[: SHOWN_GRADES * len(user_ids)]:
        item = g.submission.assignment.item
        key = (g.submission.user_id, item.course_id)
        if key in allowed and g.released_at is not None:
            found.append(
                (key[0], ReleasedGrade(item.pk, item.title, courses[item.course_id], "assignment", g.points,
                                       g.submission.assignment.max_points, None, g.comment, g.released_at))
            )  # fmt: skip
    attempts = (
        Attempt.objects.filter(
            state=AttemptState.SUBMITTED,
            needs_grading=False,
            score__isnull=False,
            user_id__in=user_ids,
            quiz__item__course_id__in=course_ids,
            **_live_item("quiz__item__"),
        )
        .select_related("quiz__item")
        .order_by("-submitted_at")
    )
    for a in attempts[: SHOWN_GRADES * len(user_ids)]:
        item = a.quiz.item
        key = (a.user_id, item.course_id)
        if key in allowed and a.submitted_at is not None:
            found.append(
                (key[0], ReleasedGrade(item.pk, item.title, courses[item.course_id], "quiz", a.score, a.max_score,
                                       a.shown_percent, "", a.submitted_at))
            )  # fmt: skip
    return found


def _activity(
    observer: User,
    user_ids: Sequence[int],
    course_ids: Sequence[int],
    allowed: set[tuple[int, int]],
    courses: dict[int, Course],
    *,
    since: datetime,
) -> list[tuple[int, Activity]]:
    """Completions, submissions and forum posts (those the observer may read) since `since`: three queries."""
    found: list[tuple[int, Activity]] = []
    limit = SHOWN_ACTIVITY * len(user_ids)
    done = Completion.objects.filter(user_id__in=user_ids, course_id__in=course_ids, completed_at__gte=since)
    for user_id, course_id, title, when in done.order_by("-completed_at").values_list(
        "user_id", "course_id", "item__title", "completed_at"
    )[:limit]:
        if (user_id, course_id) in allowed:
            found.append((user_id, Activity("completed", title, courses[course_id], when)))
    sent = Submission.objects.filter(
        user_id__in=user_ids, assignment__item__course_id__in=course_ids, submitted_at__gte=since
    )
    for user_id, course_id, title, when in sent.order_by("-submitted_at").values_list(
        "user_id", "assignment__item__course_id", "assignment__item__title", "submitted_at"
    )[:limit]:
        if (user_id, course_id) in allowed:
            found.append((user_id, Activity("submitted", title, courses[course_id], when)))
    posts = policy.scope(
        observer,
        "view",
        Post.objects.filter(
            author_id__in=user_ids, course_id__in=course_ids, created_at__gte=since, deleted_at__isnull=True,
            hidden_at__isnull=True,
        ),
    )  # fmt: skip
    for user_id, course_id, title, when in posts.order_by("-created_at").values_list(
        "author_id", "course_id", "thread__title", "created_at"
    )[:limit]:
        if (user_id, course_id) in allowed:
            found.append((user_id, Activity("posted", title, courses[course_id], when)))
    return found


@dataclass(frozen=True)
class ItemWork:
    """One followed learner's work on one item, for the item page an observer opens."""

    learner: User
    completed_at: datetime | None
    due_at: datetime | None
    grades: list[ReleasedGrade]


def item_work(observer: User, item: Item, *, now: datetime) -> list[ItemWork]:
    """What each learner the observer follows in the item's course did on it: a fixed number of queries."""
    memberships = followed_in_course(observer, item.course)
    if not memberships:
        return []
    user_ids = [m.user_id for m in memberships]
    allowed = {(uid, item.course_id) for uid in user_ids}
    completed = dict(Completion.objects.filter(item=item, user_id__in=user_ids).values_list("user_id", "completed_at"))
    due = course_selectors.item_deadline_by_learner([m.user for m in memberships], item)
    grades: dict[int, list[ReleasedGrade]] = {}
    for uid, grade in _released_grades(user_ids, [item.course_id], allowed, {item.course_id: item.course}):
        if grade.item_id == item.pk:
            grades.setdefault(uid, []).append(grade)
    return [
        ItemWork(m.user, completed.get(m.user_id), due.get(m.user_id), grades.get(m.user_id, [])) for m in memberships
    ]


# --- Follow requests and followers -------------------------------------------------------------------------
@dataclass(frozen=True)
class Follower:
    observer: User
    course: Course


def followers_of(learner: User) -> list[Follower]:
    """Who follows this learner (confirmed links), in which courses: one query."""
    rows = Membership.objects.filter(
        role=Role.OBSERVER, observed__user=learner, observed__role=Role.LEARNER, course__removed_at__isnull=True
    ).select_related("user", "course")
    return [Follower(m.user, m.course) for m in rows.order_by("course__title", "user__display_name")]


def requests_to_decide(user: User) -> list[FollowRequest]:
    """Pending requests this person may confirm or decline about themselves (their followers page)."""
    rows = policy.scope(user, "decide", FollowRequest.objects.filter(learner__user=user))
    return list(rows.select_related("observer__user", "learner__course").order_by("requested_at", "pk"))


def pending_requests_in(course: Course, user: User) -> list[FollowRequest]:
    """A course's pending requests that this person (a teacher) may decide, for the People page."""
    rows = policy.scope(user, "decide", FollowRequest.objects.filter(learner__course=course))
    return list(rows.select_related("observer__user", "learner__user").order_by("requested_at", "pk"))


def request_for(user: User, request_id: int, action: str) -> FollowRequest | None:
    rows = policy.scope(user, action, FollowRequest.objects.filter(pk=request_id))
    return rows.select_related("observer__user", "learner__user", "learner__course").first()


def followers_notice(user: User, today: date) -> list[Follower]:
    """For a learner under 16: who follows them (shown on their dashboard). Empty for everyone else."""
    if not privacy_selectors.is_child(user, today):
        return []
    return followers_of(user)


def observes_anywhere(user: User) -> bool:
    return Membership.objects.filter(user=user, role=Role.OBSERVER, course__removed_at__isnull=True).exists()


def pending_count(user: User) -> int:
    return FollowRequest.objects.filter(learner__user=user, status=RequestStatus.PENDING).count()
