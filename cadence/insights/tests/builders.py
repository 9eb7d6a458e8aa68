"""Constructed course histories for the insights tests: rows written directly, with known figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.models import Assignment, Grade, Submission
from cadence.community.models import ForumKind, Report, Thread
from cadence.community.tests import factories as forums
from cadence.courses.models import Course, Group, Item, Membership, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.messaging.tests import factories as messages


def learner(course: Course, name: str, *, group: Group | None = None) -> User:
    user: User = UserFactory.create(display_name=name)
    membership = MembershipFactory.create(course=course, user=user, role=Role.LEARNER)
    if group is not None:
        membership.groups.add(group)
    return user


def assignment(course: Course, *, title: str = "Essay", due_at: datetime | None = None) -> Item:
    module = course.modules.first() or ModuleFactory.create(course=course, title="Week 1")
    item: Item = ItemFactory.create(module=module, kind="assignment", title=title, due_at=due_at)
    Assignment.objects.create(item=item)
    return item


def submit(item: Item, user: User, *, at: datetime, number: int = 1) -> Submission:
    return Submission.objects.create(
        assignment_id=item.pk,
        user=user,
        number=number,
        submitted_at=at,
        idempotency_key=f"{item.pk}-{user.pk}-{number}",
    )


def release_grade(submission: Submission, grader: User, *, at: datetime) -> Grade:
    return Grade.objects.create(
        submission=submission, grader=grader, raw_points=Decimal(8), points=Decimal(8), graded_at=at, released_at=at
    )


def qa_question(asker: User, course: Course, *, title: str = "What is a quartile?") -> Thread:
    forum = course.forums.filter(kind=ForumKind.QA).first() or forums.forum(course, kind=ForumKind.QA, title="Q&A")
    return forums.thread(asker, forum, title=title)


def busy_course(teacher: User, *, title: str, learners: int, now: datetime) -> Course:
    """A course with waiting work from every learner but the last: a submission to grade each, a question to the
    teachers, an unanswered forum question and a reported post; its assignment is due in two days."""
    course: Course = CourseFactory.create(title=title)
    MembershipFactory.create(course=course, user=teacher, role=Role.TEACHER)
    item = assignment(course, due_at=now + timedelta(days=2))
    people = [learner(course, f"{title} learner {n}") for n in range(learners)]
    for n, person in enumerate(people[:-1]):
        submit(item, person, at=now - timedelta(hours=n + 1))
    messages.question(people[0], course, subject=f"About {title}")
    thread = qa_question(people[0], course, title=f"Question in {title}")
    Report.objects.create(
        post=thread.posts.get(is_opening=True), course=course, reporter=people[-1], reason="Rude", created_at=now
    )
    return course


def membership(course: Course, user: User) -> Membership:
    return Membership.objects.get(course=course, user=user)
