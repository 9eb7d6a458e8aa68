"""The readiness read against a plain computation: for constructed classes with learners in zones far apart
and work just before, at and after each zone's cutoff, the database's per-learner figures (items done by
their cutoff, opened, status, order, counts) and the page's quiz grades equal what a loop over every row
says."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import Q

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.domain import scores
from cadence.assessment.models import Assignment, Attempt, AttemptState, GradingMethod, Quiz, Submission
from cadence.courses.models import Course, Item, Module, Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.insights.domain import readiness as rules
from cadence.insights.domain.readiness import Status
from cadence.insights.selectors import readiness as selectors
from cadence.insights.tests.factories import completed, opened, submitted_attempt
from cadence.progress.models import Completion, ItemProgress

pytestmark = pytest.mark.django_db

ZONES = [
    "UTC",
    "Pacific/Kiritimati",  # UTC+14: the first day to end
    "Pacific/Auckland",
    "Asia/Kolkata",  # a half-hour offset
    "Europe/London",
    "America/Los_Angeles",
    "Pacific/Pago_Pago",  # UTC-11: the last day to end
]
SESSIONS = [
    date(2026, 6, 17),
    date(2026, 3, 29),  # London changes to summer time that day
    date(2026, 11, 1),  # Los Angeles changes back that day
]
NEAR = [timedelta(seconds=s) for s in (-7200, -1, 0, 1, 7200)]


@dataclass
class Class:
    course: Course
    module: Module
    teacher: User
    ta: User
    learners: list[User]


def _moment(rng: random.Random, session: date, *, near: float = 0.8) -> datetime:
    """A moment near some zone's cutoff (just before, at, just after) with probability `near`, else well
    before or after them all."""
    if rng.random() < near:
        return rules.cutoff(session, rng.choice(ZONES)) + rng.choice(NEAR)
    return datetime.combine(session, datetime.min.time(), tzinfo=UTC) + timedelta(days=rng.choice([-5, -5, -5, 5]))


def _build(rng: random.Random, session: date, zones: list[str] = ZONES) -> Class:
    course = CourseFactory()
    teacher, ta = UserFactory(display_name="Teacher"), UserFactory(display_name="Assistant")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    ta_membership = MembershipFactory(course=course, user=ta, role=Role.TA)
    group = GroupFactory.create(course=course, name="Tuesday")
    ta_membership.groups.add(group)
    module = ModuleFactory(course=course)
    items = [ItemFactory(module=module, title=f"Lesson {n}") for n in range(3)]
    quiz = ItemFactory(module=module, kind="quiz", title="Warm-up quiz")
    Quiz.objects.create(item=quiz, grading_method=rng.choice(list(GradingMethod)))
    essay = ItemFactory(module=module, kind="assignment", title="Short essay")
    Assignment.objects.create(item=essay)
    items += [quiz, essay]
    # Never pre-work: an optional item and a hidden one, done by everyone.
    extras = [
        ItemFactory(module=module, title="Optional", is_required=False),
        ItemFactory(module=module, title="Hidden", is_published=False),
    ]
    learners = []
    for n in range(12):
        user = UserFactory(display_name=f"Learner {n:02d}", time_zone=rng.choice(zones))
        membership = MembershipFactory(course=course, user=user, role=Role.LEARNER)
        if n % 3 == 0:
            membership.groups.add(group)
        learners.append(user)
        for item in extras:
            completed(user, item, _moment(rng, session) - timedelta(days=9))
        keen = rng.choice([0.0, 0.0, 0.3, 0.8, 1.0])  # some do nothing, some everything, near some cutoff
        near = 0.2 if keen == 1 else 0.8
        for item in items:
            if rng.random() < keen:
                opened(user, item, _moment(rng, session, near=near))
            elif rng.random() < 0.2:
                opened_never(user, item)
            if item.kind == "lesson" and rng.random() < keen:
                completed(user, item, _moment(rng, session, near=near))
            if item is quiz and rng.random() < keen:
                tries = rng.randint(1, 3)
                for number in range(1, tries + 1):
                    _attempt(rng, user, quiz, number, _moment(rng, session, near=near), may_be_open=number == tries)
            if item is essay and rng.random() < keen:
                for number in range(1, rng.randint(1, 2) + 1):
                    Submission.objects.create(
                        assignment_id=essay.pk,
                        user=user,
                        number=number,
                        submitted_at=_moment(rng, session, near=near),
                        idempotency_key=f"{user.pk}-{number}",
                    )
    completed(teacher, items[0], _moment(rng, session))  # a teacher trying the lesson is nobody's figure
    return Class(course, module, teacher, ta, learners)


def opened_never(user: User, item: Item) -> None:
    """A progress row without a first view (video position saved by a client that never reported one)."""
    ItemProgress.objects.create(user=user, item=item, course_id=item.course_id, first_viewed_at=None)


def _attempt(rng: random.Random, user: User, quiz: Item, number: int, at: datetime, *, may_be_open: bool) -> None:
    """A submitted attempt (scored, or waiting for grading), or the learner's one attempt still open."""
    submitted = not may_be_open or rng.random() < 0.8
    pending = submitted and rng.random() < 0.2
    Attempt.objects.create(
        quiz_id=quiz.pk,
        user=user,
        number=number,
        state=AttemptState.SUBMITTED if submitted else AttemptState.IN_PROGRESS,
        started_at=at - timedelta(minutes=30),
        submitted_at=at if submitted else None,
        score=None if pending or not submitted else Decimal(rng.randint(0, 10)),
        max_score=Decimal(10),
        needs_grading=pending,
    )


def _expected(
    viewer: User, klass: Class, session: date, status: Status | None = None
) -> tuple[list[tuple[int, Status, int, bool, list[int]]], dict[Status, int]]:
    """Every visible learner's figures by a loop over every row, as the page once computed them."""
    items = list(
        Item.objects.filter(module=klass.module, is_published=True, is_required=True).order_by("position", "pk")
    )
    ids = [i.pk for i in items]
    visible = selectors.visible_learners(viewer, klass.course).values("user_id")
    people = User.objects.filter(pk__in=visible).order_by("display_name", "pk")
    rows = []
    for person in people:
        by = rules.cutoff(session, person.time_zone)
        moments = [
            *Completion.objects.filter(user=person, item_id__in=ids).values_list("item_id", "completed_at"),
            *Attempt.objects.filter(user=person, quiz_id__in=ids, state=AttemptState.SUBMITTED).values_list(
                "quiz_id", "submitted_at"
            ),
            *Submission.objects.filter(user=person, assignment_id__in=ids).values_list("assignment_id", "submitted_at"),
        ]
        done = {item for item, at in moments if at is not None and at <= by}
        views = ItemProgress.objects.filter(user=person, item_id__in=ids).values_list("first_viewed_at", flat=True)
        any_opened = any(at is not None and at <= by for at in views)
        found = rules.status(done=len(done), total=len(ids), opened=any_opened)
        rows.append((person.pk, found, len(done), any_opened, [i for i in ids if i not in done]))
    rows.sort(key=lambda row: rules.ORDER[row[1]])
    counts = rules.counts([row[1] for row in rows])
    return [row for row in rows if status is None or row[1] is status], counts


def _figures(report: selectors.Readiness) -> list[tuple[int, Status, int, bool, list[int]]]:
    return [(r.user_id, r.status, r.done, r.opened, [i.pk for i in r.missing]) for r in report.learners]


@pytest.mark.parametrize("seed", range(11))
def test_the_read_equals_a_loop_over_every_row(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    session = SESSIONS[seed % len(SESSIONS)]
    klass = _build(rng, session, ["Asia/Kolkata"] if seed >= 9 else ZONES)  # the last two: one cutoff
    if seed % 2:
        monkeypatch.setattr(selectors, "_BITS", 2)  # masks split over several columns, as for a long module
    viewer = klass.ta if seed % 3 == 2 else klass.teacher
    status = [None, Status.PARTLY, Status.NOT_STARTED][seed % 3]
    report = selectors.readiness(viewer, klass.course, klass.module, session, status=status)
    expected, counts = _expected(viewer, klass, session, status)
    assert _figures(report) == expected
    assert report.counts == counts
    assert sum(counts.values()) == (4 if viewer == klass.ta else 12)  # the TA's group only
    zones = dict(User.objects.filter(pk__in=[r.user_id for r in report.learners]).values_list("pk", "time_zone"))
    assert all(r.zone == zones[r.user_id] and r.cutoff == rules.cutoff(session, r.zone) for r in report.learners)


@pytest.mark.parametrize("seed", range(3))
def test_the_pages_quiz_grades_count_attempts_submitted_by_each_learners_cutoff(seed: int) -> None:
    rng = random.Random(100 + seed)
    session = SESSIONS[seed]
    klass = _build(rng, session)
    report = selectors.readiness(klass.teacher, klass.course, klass.module, session)
    quiz = Item.objects.get(module=klass.module, kind="quiz")
    method = Quiz.objects.get(item=quiz).grading_method
    for row in selectors.shown_learners(report, report.learners[2:9]):
        mine = list(
            Attempt.objects.filter(
                Q(submitted_at__lte=row.cutoff), user_id=row.user_id, quiz_id=quiz.pk, state=AttemptState.SUBMITTED
            ).order_by("number")
        )
        if not mine:
            assert row.quiz_scores == ()
            continue
        pending = any(a.needs_grading for a in mine)
        grade = None if pending else scores.quiz_grade(method, [p for a in mine if (p := a.percent) is not None])
        assert row.quiz_scores == (selectors.QuizScore("Warm-up quiz", scores.shown_or_none(grade), len(mine)),)


def test_work_at_one_moment_counts_for_the_zones_whose_day_has_not_ended() -> None:
    course = CourseFactory()
    module = ModuleFactory(course=course)
    teacher = UserFactory()
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    lesson = ItemFactory(module=module, title="Read this")
    session = date(2026, 6, 17)
    london_cutoff = rules.cutoff(session, "Europe/London")  # 22:59:59 UTC in summer
    people = {}
    for name, zone in [("Aroha", "Pacific/Auckland"), ("Lena", "Europe/London"), ("Luis", "America/Los_Angeles")]:
        people[name] = UserFactory(display_name=name, time_zone=zone)
        MembershipFactory(course=course, user=people[name], role=Role.LEARNER)
    people["Lena 2"] = UserFactory(display_name="Lena 2", time_zone="Europe/London")
    MembershipFactory(course=course, user=people["Lena 2"], role=Role.LEARNER)
    completed(people["Aroha"], lesson, london_cutoff - timedelta(hours=2))  # after Auckland's day ended
    completed(people["Lena"], lesson, london_cutoff)  # the last second of London's day counts
    completed(people["Lena 2"], lesson, london_cutoff + timedelta(seconds=1))
    completed(people["Luis"], lesson, london_cutoff + timedelta(seconds=1))  # still the afternoon in Los Angeles
    report = selectors.readiness(teacher, course, module, session)
    status = {r.name: r.status for r in report.learners}
    assert status == {
        "Aroha": Status.NOT_STARTED,
        "Lena 2": Status.NOT_STARTED,
        "Lena": Status.READY,
        "Luis": Status.READY,
    }
    assert [r.name for r in report.learners] == ["Aroha", "Lena 2", "Lena", "Luis"]


def test_zones_whose_days_end_together_share_a_cutoff_and_one_cutoff_needs_no_sorting() -> None:
    cutoffs = selectors.Cutoffs.of(date(2026, 6, 17), ["UTC", "Africa/Abidjan", "Europe/London", "UTC"])
    assert cutoffs.moments == (rules.cutoff(date(2026, 6, 17), "Europe/London"), cutoffs.of_zone["UTC"])
    assert (cutoffs.index("Europe/London"), cutoffs.index("Africa/Abidjan"), cutoffs.index("UTC")) == (0, 1, 1)
    one = selectors.Cutoffs.of(date(2026, 6, 17), ["UTC"])
    assert one.by_latest("completed_at") == Q(completed_at__lte=one.of_zone["UTC"])
    assert one.first_by("completed_at") is None
    assert selectors.Cutoffs.of(date(2026, 6, 17), []).by_latest("completed_at") == Q(pk__in=[])


def test_several_attempts_and_a_submission_of_one_item_count_it_once() -> None:
    course = CourseFactory()
    module = ModuleFactory(course=course)
    teacher, learner = UserFactory(), UserFactory(display_name="Kai")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    quiz = ItemFactory(module=module, kind="quiz")
    Quiz.objects.create(item=quiz)
    essay = ItemFactory(module=module, kind="assignment")
    Assignment.objects.create(item=essay)
    ItemFactory(module=module)
    at = datetime(2026, 6, 10, 12, tzinfo=UTC)
    for number in (1, 2, 3):
        submitted_attempt(learner, quiz, at, score="5", number=number)
        Submission.objects.create(
            assignment_id=essay.pk, user=learner, number=number, submitted_at=at, idempotency_key=str(number)
        )
    completed(learner, essay, at)
    completed(learner, quiz, at)
    (row,) = selectors.readiness(teacher, course, module, date(2026, 6, 17)).learners
    assert (row.status, row.done, row.total) == (Status.PARTLY, 2, 3)
