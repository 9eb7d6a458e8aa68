"""LearnerStats stays current: each kind of event refreshes the learner's row once its transaction commits,
and the batch refresh is set-based (the same number of queries for 3 learners as for 30)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.services import assignments, grading
from cadence.assessment.services.assignments import SubmissionInput
from cadence.community.models import ForumKind
from cadence.community.tests import factories as forums
from cadence.core.errors import InvalidInput, NotAllowed
from cadence.courses.models import Membership, Pacing, Role
from cadence.courses.services import enrolment, extensions
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.insights import services, tasks
from cadence.insights.domain import risk
from cadence.insights.models import LearnerStats
from cadence.messaging import services as messaging
from cadence.progress import services as progress
from cadence.progress.models import DailyActivity
from cadence.progress.services import BeaconEvent
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run what a service queues for after its commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _stats(world: CourseWorld) -> LearnerStats:
    return LearnerStats.objects.get(course=world.course, user=world.learner)


def _required(world: CourseWorld) -> None:
    for item in world.items:
        item.is_required = True
        item.save(update_fields=["is_required"])


def test_completing_an_item_refreshes_progress_and_last_active(world: CourseWorld, commit: Any) -> None:
    _required(world)
    now = timezone.now()
    with commit():
        progress.mark_complete(user=world.learner, item=world.items[0], now=now)
    stats = _stats(world)
    assert (stats.required_done, stats.required_count, stats.progress_percent) == (1, 6, 16)
    assert stats.last_active_at == now
    assert stats.refreshed_at is not None


def test_the_activity_heartbeat_refreshes_at_most_every_few_minutes(world: CourseWorld, commit: Any) -> None:
    item = world.items[0]
    now = timezone.now()
    beat = [BeaconEvent(key="b1", verb="heartbeat", item_id=item.pk, timestamp=now)]
    with commit():
        progress.ingest_beacon(user=world.learner, events=beat, now=now)
    first = _stats(world)
    assert first.last_active_at == now
    later = now + timedelta(seconds=20)
    with commit():
        progress.ingest_beacon(
            user=world.learner, events=[BeaconEvent(key="b2", verb="heartbeat", item_id=item.pk, timestamp=later)],
            now=later,
        )  # fmt: skip
    assert _stats(world).refreshed_at == first.refreshed_at  # within the window: left to the next refresh


def test_time_studied_counts_the_learners_own_last_seven_days(world: CourseWorld) -> None:
    world.learner.time_zone = "Pacific/Auckland"
    world.learner.save(update_fields=["time_zone"])
    now = timezone.now()
    today = now.astimezone(ZoneInfo("Pacific/Auckland")).date()
    for days_ago, seconds in ((0, 600), (6, 300), (7, 999)):
        DailyActivity.objects.create(
            user=world.learner, course=world.course, day=today - timedelta(days=days_ago), active_seconds=seconds
        )
    services.refresh_learners(course=world.course, now=now)
    assert _stats(world).active_seconds_7d == 900


def test_the_refresh_keeps_weekly_time_and_days_and_names_a_fall(world: CourseWorld) -> None:
    now = world.learner_membership.joined_at + timedelta(days=30)
    today = now.astimezone(ZoneInfo(world.learner.time_zone)).date()
    for days_ago, seconds in ((15, 3000), (16, 2700), (17, 600), (8, 1200), (9, 1200), (2, 300)):
        DailyActivity.objects.create(
            user=world.learner, course=world.course, day=today - timedelta(days=days_ago), active_seconds=seconds
        )
    services.refresh_learners(course=world.course, now=now)
    stats = _stats(world)
    assert stats.weekly_minutes == [105, 40, 5]
    assert stats.weekly_active_days == [3, 2, 1]
    assert "minutes studied per week: 105 → 40 → 5" in stats.risk_reasons
    assert "days active per week: 3 → 2 → 1" in stats.risk_reasons


def _assignment(world: CourseWorld, **fields: Any) -> Any:
    item = ItemFactory(module=world.modules[0], kind="assignment", title="Chart", is_required=True, **fields)
    return assignments.assignment_for(item)


def test_submitting_refreshes_last_submission_and_clears_overdue(world: CourseWorld, commit: Any) -> None:
    now = timezone.now()
    assignment = _assignment(world, due_at=now - 2 * DAY)
    services.refresh_learners(course=world.course, now=now)
    assert _stats(world).overdue_count == 1
    assert "1 item overdue" in _stats(world).risk_reasons
    with commit():
        assignments.submit(user=world.learner, assignment=assignment, data=SubmissionInput(key="k", text="x"), now=now)
    stats = _stats(world)
    assert stats.overdue_count == 0
    assert stats.last_submission_at == now
    assert "1 item overdue" not in stats.risk_reasons


def test_an_extension_moves_the_learners_own_deadline(world: CourseWorld, commit: Any) -> None:
    now = timezone.now()
    assignment = _assignment(world, due_at=now - 2 * DAY)
    services.refresh_learners(course=world.course, now=now)
    assert _stats(world).overdue_count == 1
    with commit():
        extensions.grant_extension(actor=world.teacher, item=assignment.item, due_at=now + DAY, learner=world.learner)
    assert _stats(world).overdue_count == 0


def test_releasing_grades_refreshes_the_average_as_the_gradebook_shows_it(world: CourseWorld, commit: Any) -> None:
    now = timezone.now()
    assignment = _assignment(world)
    assignments.save_settings(actor=world.teacher, item=assignment.item, data={"grade_release": "manual"})
    assignment.refresh_from_db()
    with commit():
        submission = assignments.submit(
            user=world.learner, assignment=assignment, data=SubmissionInput(key="k", text="x"), now=now
        )
    with commit():
        grading.grade_submission(
            grader=world.teacher, submission=submission, data=grading.GradeInput(points=Decimal("7.55")), now=now
        )
    assert _stats(world).average_score is None  # graded, not released: the learner cannot see it yet
    with commit():
        grading.release_grades(actor=world.teacher, assignment=assignment, now=now)
    expected = Decimal("7.55") * 100 / assignment.max_points
    assert _stats(world).average_score == expected.quantize(Decimal("0.1"))


def test_posting_and_asking_refresh_the_fortnights_counts(world: CourseWorld, commit: Any) -> None:
    services.refresh_learners(course=world.course, now=timezone.now() + 20 * DAY)
    assert any("never posted or asked" in r for r in _stats(world).risk_reasons)
    with commit():
        forums.thread(world.learner, forums.forum(world.course))
    with commit():
        forums.thread(world.learner, forums.forum(world.course, kind=ForumKind.QA, title="Q&A"), title="Why?")
    with commit():
        messaging.ask_question(
            actor=world.learner, course=world.course, subject="Help", body="How?", key=None, now=timezone.now()
        )
    stats = _stats(world)
    assert (stats.posts_14d, stats.questions_14d) == (2, 2)
    assert not any("never posted" in r for r in stats.risk_reasons)


def test_joining_adds_a_row_and_becoming_staff_removes_it(world: CourseWorld, commit: Any) -> None:
    newcomer = UserFactory()
    with commit():
        membership = enrolment.join_course(user=newcomer, course=world.course)
    assert LearnerStats.objects.filter(membership=membership).exists()
    with commit():
        enrolment.change_role(actor=world.teacher, membership=membership, role=Role.TA)
    assert not LearnerStats.objects.filter(membership=membership).exists()


def test_cohort_pace_uses_the_course_dates(world: CourseWorld) -> None:
    now = timezone.now()
    course = world.course
    course.pacing = Pacing.COHORT
    course.starts_at, course.ends_at = now - 30 * DAY, now + 30 * DAY
    course.save()
    _required(world)  # 6 items over 60 days: 3 expected by now (the third's target is today)
    services.refresh_learners(course=course, now=now + DAY * 2)
    stats = _stats(world)
    assert stats.pace == "behind"
    assert stats.pace_items == -3
    assert stats.pace_days <= -2


def test_self_paced_pace_uses_the_planned_duration_from_joining(world: CourseWorld) -> None:
    now = timezone.now()
    _required(world)
    membership = world.learner_membership
    Membership.objects.filter(pk=membership.pk).update(joined_at=now - 15 * DAY)
    services.save_risk_settings(
        actor=world.teacher, course=world.course, rules=risk.RiskSettings(), planned_weeks=6, now=now
    )
    for item in world.items[:2]:
        progress.mark_complete(user=world.learner, item=item, now=now)
    services.refresh_learners(course=world.course, now=now)
    assert _stats(world).pace == "on_track"  # 6 items in 6 weeks: 2 due after 14 days, 2 done


def test_risk_settings_out_of_range_are_refused_and_nothing_changes(world: CourseWorld) -> None:
    bad = risk.RiskSettings(weights={**risk.DEFAULT_WEIGHTS, risk.Indicator.OVERDUE: 50})
    with pytest.raises(InvalidInput, match="weight_overdue"):
        services.save_risk_settings(
            actor=world.teacher, course=world.course, rules=bad, planned_weeks=None, now=timezone.now()
        )
    with pytest.raises(NotAllowed):
        services.save_risk_settings(
            actor=world.ta, course=world.course, rules=risk.RiskSettings(), planned_weeks=None, now=timezone.now()
        )
    assert services.risk_settings_for(world.course) == (risk.RiskSettings(), None)


def _course_with_learners(n: int) -> Any:
    course = CourseFactory()
    module = ModuleFactory(course=course)
    items = [ItemFactory(module=module, is_required=True, due_at=timezone.now() - DAY * k) for k in range(3)]
    for _ in range(n):
        membership = MembershipFactory(course=course, role=Role.LEARNER)
        progress.mark_complete(user=membership.user, item=items[0], now=timezone.now())
    return course


def _queries(course: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.refresh_learners(course=course, now=timezone.now())
    return len(captured.captured_queries)


def test_the_batch_refresh_costs_the_same_queries_for_3_and_30_learners() -> None:
    small, large = _course_with_learners(3), _course_with_learners(30)
    assert _queries(small) == _queries(large)
    assert LearnerStats.objects.filter(course=large).count() == 30
    assert set(LearnerStats.objects.filter(course=large).values_list("required_done", flat=True)) == {1}


def test_the_hourly_refresh_covers_every_published_course_with_learners(world: CourseWorld) -> None:
    other = _course_with_learners(2)
    written = services.refresh_active_courses(now=timezone.now())
    assert written >= 3
    assert LearnerStats.objects.filter(course=other).count() == 2
    assert LearnerStats.objects.filter(course=world.course).count() == 1


def test_a_closed_or_erased_account_has_no_row(world: CourseWorld) -> None:
    services.refresh_learners(course=world.course, now=timezone.now())
    assert LearnerStats.objects.filter(user=world.learner).exists()
    world.learner.is_active = False
    world.learner.save(update_fields=["is_active"])
    services.refresh_learners(course=world.course, now=timezone.now())
    assert not LearnerStats.objects.filter(user=world.learner).exists()


def test_the_hourly_task_calls_the_refresh(world: CourseWorld) -> None:
    assert tasks.refresh_learner_stats.call_local() == 1
    assert LearnerStats.objects.filter(course=world.course).count() == 1
