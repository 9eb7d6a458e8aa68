"""The teacher's home: what waits across courses, who may see it, and its query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.community.models import Report
from cadence.core.testing.queries import count_queries, serve
from cadence.courses.models import Role, Visibility
from cadence.courses.tests.factories import CourseFactory, GroupFactory, MembershipFactory
from cadence.insights.selectors import teaching
from cadence.insights.tests import builders

pytestmark = pytest.mark.django_db
URL = "/teaching/"


def test_home_counts_waiting_work_per_course_with_the_oldest() -> None:
    now = timezone.now()
    teacher = UserFactory(display_name="Teach")
    course = builders.busy_course(teacher, title="Algebra", learners=3, now=now)
    home = teaching.teaching_home(teacher, now=now, today=timezone.localdate())
    [entry] = home.courses
    assert entry.course == course
    assert entry.to_grade == 2
    assert entry.oldest_to_grade == now - timedelta(hours=2)
    assert (entry.questions, entry.forum_questions, entry.reports) == (1, 1, 1)
    assert [q.subject for q in home.questions] == ["About Algebra"]
    assert [t.title for t in home.forum_questions] == ["Question in Algebra"]
    [deadline] = home.deadlines
    assert deadline.not_submitted == 1  # the last learner has not submitted


def test_graded_and_answered_work_no_longer_waits() -> None:
    now = timezone.now()
    teacher = UserFactory()
    course = builders.busy_course(teacher, title="Geometry", learners=2, now=now)
    submission = course.items.get().assignment.submissions.get()
    builders.release_grade(submission, teacher, at=now)
    course.forums.get().threads.update(is_answered=True)
    Report.objects.update(status="dismissed")
    [entry] = teaching.teaching_home(teacher, now=now, today=timezone.localdate()).courses
    assert (entry.to_grade, entry.forum_questions, entry.reports) == (0, 0, 0)
    assert entry.questions == 1  # still open


def test_a_ta_limited_to_groups_sees_only_their_groups_work() -> None:
    now = timezone.now()
    teacher = UserFactory()
    course = builders.busy_course(teacher, title="Biology", learners=1, now=now)
    red, blue = GroupFactory(course=course, name="Red"), GroupFactory(course=course, name="Blue")
    item = course.items.get()
    in_red = builders.learner(course, "Rosa", group=red)
    in_blue = builders.learner(course, "Bastian", group=blue)
    builders.submit(item, in_red, at=now - timedelta(hours=5))
    builders.submit(item, in_blue, at=now - timedelta(hours=9))
    ta = UserFactory()
    MembershipFactory(course=course, user=ta, role=Role.TA).groups.add(red)
    [entry] = teaching.teaching_home(ta, now=now, today=timezone.localdate()).courses
    assert entry.to_grade == 1 and entry.oldest_to_grade == now - timedelta(hours=5)
    assert (entry.questions, entry.forum_questions) == (0, 0)  # asked by a learner in no group of theirs
    assert teaching.teaching_home(ta, now=now, today=timezone.localdate()).deadlines[0].not_submitted == 0
    # The teacher, and a TA in no group, see everyone's.
    for person in (teacher, MembershipFactory(course=course, role=Role.TA).user):
        [entry] = teaching.teaching_home(person, now=now, today=timezone.localdate()).courses
        assert entry.to_grade == 2


def test_a_day_deadlines_spread_covers_the_zones_of_the_learners_the_viewer_sees() -> None:
    now = timezone.now()
    teacher = UserFactory()
    course = CourseFactory(title="Chemistry")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    red, blue = GroupFactory(course=course, name="Red"), GroupFactory(course=course, name="Blue")
    item = builders.assignment(course, title="Lab report")
    item.due_date = timezone.localdate() + timedelta(days=2)
    item.save(update_fields=["due_date"])
    for name, zone, group in (("Aroha", "Pacific/Auckland", red), ("Lena", "Europe/London", blue)):
        user = builders.learner(course, name, group=group)
        user.time_zone = zone
        user.save(update_fields=["time_zone"])
    ta = UserFactory()
    MembershipFactory(course=course, user=ta, role=Role.TA).groups.add(blue)
    [everyone] = teaching.teaching_home(teacher, now=now, today=timezone.localdate()).deadlines
    assert everyone.spread is not None and everyone.spread.earliest_zones == ("Pacific/Auckland",)
    assert everyone.spread.varies
    [theirs] = teaching.teaching_home(ta, now=now, today=timezone.localdate()).deadlines
    # A TA limited to the blue group is not told about a red learner's zone.
    assert theirs.spread is not None and not theirs.spread.varies
    assert theirs.spread.earliest_zones == theirs.spread.latest_zones == ("Europe/London",)


def test_only_courses_one_teaches_and_that_run_are_listed() -> None:
    now = timezone.now()
    teacher = UserFactory()
    builders.busy_course(teacher, title="Mine", learners=1, now=now)
    builders.busy_course(UserFactory(), title="Not mine", learners=1, now=now)
    MembershipFactory(course=CourseFactory(title="Learning here"), user=teacher, role=Role.LEARNER)
    MembershipFactory(
        course=CourseFactory(title="Finished", visibility=Visibility.ARCHIVED), user=teacher, role=Role.TEACHER
    )
    home = teaching.teaching_home(teacher, now=now, today=timezone.localdate())
    assert [c.course.title for c in home.courses] == ["Mine"]


def test_teacher_sees_the_page_with_links_to_act(client: Client) -> None:
    now = timezone.now()
    teacher = UserFactory()
    course = builders.busy_course(teacher, title="Chemistry", learners=2, now=now)
    client.force_login(teacher)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("assessment:grading-queue", "messaging:question-queue", "community:report-list"):
        assert reverse(name, args=[course.slug]) in html
    thread = course.forums.get().threads.get()
    assert reverse("community:thread-detail", args=[course.slug, thread.pk]) in html
    assert reverse("courses:item-detail", args=[course.slug, course.items.get().pk]) in html
    assert reverse("insights:course-health", args=[course.slug]) in html
    assert "No learner's risk rose to high in the last seven days." in html  # nothing made up


@pytest.mark.parametrize("role", ["learner", "observer", None])
def test_people_who_teach_nothing_are_refused(client: Client, role: str | None) -> None:
    person = UserFactory()
    if role:
        MembershipFactory(course=CourseFactory(), user=person, role=role)
    client.force_login(person)
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/signin/" in response["Location"]


def test_home_page_links_to_teaching_only_for_people_who_teach(client: Client) -> None:
    teacher, learner = UserFactory(), UserFactory()
    course = CourseFactory()
    MembershipFactory(course=course, user=teacher, role=Role.TA)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    client.force_login(teacher)
    assert URL in client.get("/").content.decode()
    client.force_login(learner)
    assert URL not in client.get("/").content.decode()


def test_query_count_does_not_grow_with_courses_or_learners(client: Client) -> None:
    now = timezone.now()
    small, large = UserFactory(), UserFactory()
    for n in range(2):
        builders.busy_course(small, title=f"Small {n}", learners=2, now=now)
    for n in range(5):
        builders.busy_course(large, title=f"Large {n}", learners=6, now=now)
    client.force_login(small)
    few = count_queries(client, URL)
    client.force_login(large)
    many = serve(client, URL)
    assert many.count == few, many.sql
    assert many.count <= 16
    assert not many.writes
