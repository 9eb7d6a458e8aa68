"""Course health: each figure on constructed data, who may see it, and its query budget."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.tests import factories as assessment_factories
from cadence.community.tests import factories as forums
from cadence.core.testing.queries import count_queries, serve
from cadence.courses.models import Course, Item, Role, Visibility
from cadence.courses.tests.factories import CourseFactory, GroupFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.insights import health_snapshots
from cadence.insights.domain import health as rules
from cadence.insights.models import HealthSnapshot
from cadence.insights.selectors import health
from cadence.insights.tests import builders
from cadence.progress.models import Completion, DailyActivity, ItemProgress

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 12)  # a Wednesday
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)


def url(course: Course) -> str:
    return reverse("insights:course-health", args=[course.slug])


def _teacher(course: Course) -> User:
    teacher: User = UserFactory.create(display_name="Teacher")
    MembershipFactory.create(course=course, user=teacher, role=Role.TEACHER)
    return teacher


def _viewed(
    user: User, item: Item, *, first_hours_ago: float = 48, last_hours_ago: float = 48, **fields: object
) -> None:
    now = timezone.now()
    ItemProgress.objects.create(
        user=user,
        item=item,
        course=item.course,
        first_viewed_at=now - timedelta(hours=first_hours_ago),
        last_viewed_at=now - timedelta(hours=last_hours_ago),
        **fields,
    )


def _done(user: User, item: Item) -> None:
    Completion.objects.create(user=user, item=item, course=item.course, completed_at=timezone.now())


def test_funnel_counts_learners_who_started_and_completed_each_module() -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    week1, week2 = ModuleFactory(course=course, title="Week 1", position=0), ModuleFactory(course=course, position=1)
    a, b = ItemFactory(module=week1), ItemFactory(module=week1)
    ItemFactory(module=week1, is_required=False)
    optional_only = ModuleFactory(course=course, title="Extras", position=2)
    extra = ItemFactory(module=optional_only, is_required=False)
    finisher, starter, idle = (builders.learner(course, n) for n in ("Fin", "Sta", "Idle"))
    for item in (a, b):
        _viewed(finisher, item)
        _done(finisher, item)
    _viewed(starter, a)
    _done(starter, a)  # one of two required items
    _viewed(starter, extra)
    _done(teacher, a)  # staff do not count
    funnel = {step.title: step for step in health.course_health(teacher, course, today=TODAY, now=NOW).funnel}
    assert (funnel["Week 1"].started, funnel["Week 1"].completed, funnel["Week 1"].required) == (2, 1, 2)
    assert (funnel["Week 1"].started_percent, funnel["Week 1"].completed_percent) == (67, 33)
    assert funnel[week2.title].started == 0 and funnel[week2.title].completed is None
    assert funnel["Extras"].started == 1 and funnel["Extras"].completed is None
    assert idle  # in the denominator only


def test_weekly_active_learners_counts_each_learner_once_per_week() -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    ann, bob = builders.learner(course, "Ann"), builders.learner(course, "Bob")
    monday = date(2025, 3, 10)
    for user, day, seconds in (
        (ann, monday, 300),
        (ann, monday + timedelta(days=1), 60),  # same week: once
        (bob, monday, 0),  # no active time: not active
        (bob, monday - timedelta(days=7), 120),
        (ann, monday - timedelta(weeks=9), 100),  # older than eight weeks
    ):
        DailyActivity.objects.create(user=user, course=course, day=day, active_seconds=seconds)
    DailyActivity.objects.create(user=teacher, course=course, day=monday, active_seconds=500)
    weeks = health.course_health(teacher, course, today=TODAY, now=NOW).weeks
    assert [w.week_start for w in weeks][-2:] == [monday - timedelta(days=7), monday]
    assert len(weeks) == 8
    assert [w.learners for w in weeks] == [0, 0, 0, 0, 0, 0, 1, 1]
    assert weeks[-1].percent == 50


def test_video_dropoff_puts_each_viewer_in_the_tenth_where_they_stopped() -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    video = ItemFactory(module=ModuleFactory(course=course), kind="video", title="Intro film")
    people = [builders.learner(course, f"V{n}") for n in range(5)]
    for person, position in zip(people, (10, 35, 38, 100, 0), strict=True):
        _viewed(person, video, position_seconds=position, duration_seconds=100)
    _viewed(teacher, video, position_seconds=50, duration_seconds=100)
    [dropoff] = health.course_health(teacher, course, today=TODAY, now=NOW).videos
    assert dropoff.viewers == 5
    assert [bar.value for bar in dropoff.bars] == [1, 1, 0, 2, 0, 0, 0, 0, 0, 1]
    assert dropoff.bars[3].label == "30–40 %" and dropoff.bars[3].percent == 40
    assert dropoff.biggest_drop == "30–40 %"
    assert len(dropoff.columns) == 10


def test_most_revisited_items_count_learners_who_came_back_later() -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    module = ModuleFactory(course=course)
    often, once = ItemFactory(module=module, title="Cheat sheet"), ItemFactory(module=module, title="Welcome")
    for n in range(3):
        _viewed(builders.learner(course, f"R{n}"), often, first_hours_ago=72, last_hours_ago=2)
    _viewed(builders.learner(course, "Quick"), once, first_hours_ago=5, last_hours_ago=4.9)  # a reload
    revisited = health.course_health(teacher, course, today=TODAY, now=NOW).revisited
    assert [(r.title, r.learners) for r in revisited] == [("Cheat sheet", 3)]


def test_forum_questions_unanswered_and_median_time_to_first_answer() -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    asker = builders.learner(course, "Asker")
    waiting = builders.qa_question(asker, course, title="Still waiting")
    answered = [builders.qa_question(asker, course, title=f"Answered {n}") for n in range(3)]
    for hours, thread in zip((1, 2, 6), answered, strict=True):
        reply = forums.reply(teacher, thread)
        reply.created_at = thread.created_at + timedelta(hours=hours)
        reply.save(update_fields=["created_at"])
        thread.is_answered = True
        thread.save(update_fields=["is_answered"])
    forums.reply(asker, waiting, body="Anyone?")  # the asker's own reply is not an answer
    questions = health.course_health(teacher, course, today=TODAY, now=NOW).questions
    assert questions.unanswered_count == 1 and [t.title for t in questions.oldest] == ["Still waiting"]
    assert questions.answered_count == 3 and questions.median_hours == 2.0


def test_feedback_turnaround_is_the_median_from_submission_to_released_feedback() -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    item = builders.assignment(course)
    now = timezone.now()
    for n, hours in enumerate((10, 20, 60)):
        submission = builders.submit(item, builders.learner(course, f"S{n}"), at=now - timedelta(hours=100))
        builders.release_grade(submission, teacher, at=now - timedelta(hours=100 - hours))
    builders.submit(item, builders.learner(course, "Unmarked"), at=now)
    turnaround = health.course_health(teacher, course, today=TODAY, now=NOW).turnaround
    assert (turnaround.released, turnaround.median_hours, turnaround.slowest_hours) == (3, 20.0, 60.0)


def test_quizzes_link_to_their_item_analysis(client: Client) -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    item, _ = assessment_factories.quiz_item(teacher, ModuleFactory(course=course))
    client.force_login(teacher)
    html = client.get(url(course)).content.decode()
    assert reverse("assessment:quiz-analysis", args=[course.slug, item.pk]) in html


def test_a_ta_limited_to_groups_sees_their_groups_figures_only() -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    red = GroupFactory(course=course, name="Red")
    item = ItemFactory(module=ModuleFactory(course=course))
    rosa = builders.learner(course, "Rosa", group=red)
    _viewed(rosa, item)
    for n in range(3):
        _viewed(builders.learner(course, f"Other {n}"), item)
    ta = UserFactory()
    MembershipFactory(course=course, user=ta, role=Role.TA).groups.add(red)
    mine = health.course_health(ta, course, today=TODAY, now=NOW)
    assert (mine.learners, mine.funnel[0].started) == (1, 1)
    everyone = health.course_health(teacher, course, today=TODAY, now=NOW)
    assert (everyone.learners, everyone.funnel[0].started) == (4, 4)


def test_teacher_and_ta_see_the_page(client: Client) -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    ta = UserFactory()
    MembershipFactory(course=course, user=ta, role=Role.TA)
    for person in (teacher, ta):
        client.force_login(person)
        response = client.get(url(course))
        assert response.status_code == 200
        assert b'<title id="weekly-chart-title">' in response.content
        assert b"Weekly active learners as a table" in response.content


@pytest.mark.parametrize(
    ("who", "status"),
    [("learner", 403), ("observer", 403), ("other_teacher", 403), ("outsider", 403), ("draft_outsider", 404)],
)
def test_others_are_refused(client: Client, who: str, status: int) -> None:
    course = CourseFactory(visibility=Visibility.DRAFT if who == "draft_outsider" else Visibility.PUBLISHED)
    _teacher(course)
    person = UserFactory()
    if who in ("learner", "observer"):
        MembershipFactory(course=course, user=person, role=who)
    elif who == "other_teacher":
        MembershipFactory(course=CourseFactory(), user=person, role=Role.TEACHER)
    client.force_login(person)
    assert client.get(url(course)).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    course = CourseFactory()
    response = client.get(url(course))
    assert response.status_code == 302 and "/accounts/signin/" in response["Location"]


def test_a_finished_course_still_shows_its_health_to_its_staff(client: Client) -> None:
    course = CourseFactory(visibility=Visibility.ARCHIVED)
    client.force_login(_teacher(course))
    assert client.get(url(course)).status_code == 200


def test_a_deleted_course_shows_no_insights(client: Client) -> None:
    course = CourseFactory(removed_at=timezone.now())
    client.force_login(_teacher(course))
    assert client.get(url(course)).status_code == 404


def test_the_hourly_refresh_keeps_a_snapshot_per_scope_and_the_page_reads_it(client: Client) -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    red = GroupFactory(course=course, name="Red")
    item = ItemFactory(module=ModuleFactory(course=course))
    _viewed(builders.learner(course, "Rosa", group=red), item)
    _viewed(builders.learner(course, "Sam"), item)
    ta = UserFactory()
    MembershipFactory(course=course, user=ta, role=Role.TA).groups.add(red)
    assert health_snapshots.refresh_all(now=NOW) == 2  # all learners, and the TA's group
    assert set(HealthSnapshot.objects.values_list("scope", flat=True)) == {"all", f"groups:{red.pk}"}
    _viewed(builders.learner(course, "Late"), item)  # after the snapshot: not in the kept figures yet
    kept = health.course_health(teacher, course, today=TODAY, now=NOW)
    assert kept.snapshot and (kept.learners, kept.funnel[0].started) == (2, 2)
    assert kept.figures.computed_at == NOW
    mine = health.course_health(ta, course, today=TODAY, now=NOW)
    assert mine.snapshot and (mine.learners, mine.funnel[0].started) == (1, 1)
    client.force_login(teacher)
    assert "as of" in client.get(url(course)).content.decode()
    response = client.post(reverse("insights:course-health-refresh", args=[course.slug]))
    assert response.status_code == 302
    fresh = health.course_health(teacher, course, today=TODAY, now=NOW)
    assert (fresh.learners, fresh.funnel[0].started) == (3, 3)


def test_figures_survive_the_trip_through_json() -> None:
    figures = health.Figures(
        learners=3,
        funnel=[health.ModuleStep(1, "M", True, 2, 3, 1, 100, 33)],
        weeks=[health.WeekActive(date(2025, 3, 10), 2, 67)],
        videos=[health.VideoDropoff(5, "V", 3, [rules.Bar("0-10 %", 1, 33)], "0-10 %")],
        revisited=[health.Revisited(5, "V", "Video", 2)],
        computed_at=NOW,
    )
    assert health.Figures.from_json(figures.as_json()) == figures


def test_only_staff_may_refresh(client: Client) -> None:
    course = CourseFactory()
    client.force_login(builders.learner(course, "L"))
    assert client.post(reverse("insights:course-health-refresh", args=[course.slug])).status_code == 403
    assert not HealthSnapshot.objects.exists()


def test_course_page_links_to_health_for_staff_only(client: Client) -> None:
    course = CourseFactory()
    teacher = _teacher(course)
    learner = builders.learner(course, "L")
    client.force_login(teacher)
    assert url(course) in client.get(reverse("courses:course-detail", args=[course.slug])).content.decode()
    client.force_login(learner)
    assert url(course) not in client.get(reverse("courses:course-detail", args=[course.slug])).content.decode()


def _populate(course: Course, learners: int) -> None:
    modules = [ModuleFactory(course=course, position=n) for n in range(2)]
    items = [ItemFactory(module=m, kind=kind) for m in modules for kind in ("lesson", "video")]
    builders.assignment(course)
    now = timezone.now()
    for n in range(learners):
        person = builders.learner(course, f"P{n}")
        for item in items:
            _viewed(person, item, first_hours_ago=50, last_hours_ago=n, position_seconds=n, duration_seconds=60)
            _done(person, item)
        DailyActivity.objects.create(user=person, course=course, day=now.date(), active_seconds=60)
        builders.qa_question(person, course, title=f"Q{n}")


def test_query_count_does_not_grow_with_learners(client: Client) -> None:
    small, large = CourseFactory(), CourseFactory()
    _populate(small, 2)
    _populate(large, 8)
    client.force_login(_teacher(small))
    few = count_queries(client, url(small))
    client.force_login(_teacher(large))
    many = serve(client, url(large))
    assert many.count == few, many.sql
    assert many.count <= 18
    assert not many.writes


def test_shares_and_buckets_are_bounded() -> None:
    assert rules.share(1, 3) == 33 and rules.share(2, 3) == 67 and rules.share(5, 0) == 0 and rules.share(9, 4) == 100
    assert [rules.bucket_of(p, 100) for p in (0, 9.99, 10, 99, 100, 250)] == [0, 0, 1, 9, 9, 9]
    assert rules.median([]) is None and rules.median([3, 1, 2]) == 2
    assert rules.week_starts(TODAY)[-1] == date(2025, 3, 10) and len(rules.week_starts(TODAY)) == 8
