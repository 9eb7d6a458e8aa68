"""The insights rules as a table, and a TA limited to groups: can, scope and audience agree."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cadence import policy
from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Course, Membership, Role, Visibility
from cadence.courses.tests.factories import CourseFactory, GroupFactory, MembershipFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("learner", False),
        ("observer", False),
        ("ta", True),
        ("teacher", True),
        ("admin", True),
    ],
)
def test_who_may_view_a_courses_insights_and_have_a_teaching_home(world: CourseWorld, role: str, allowed: bool) -> None:
    user = world.user(role) or AnonymousUser()
    assert policy.can(user, "view_insights", world.course) is allowed
    assert policy.scope(user, "view_insights", Course.objects.filter(pk=world.course.pk)).exists() is allowed
    assert policy.can(user, "view_teaching_home") is allowed
    learner = Membership.objects.get(course=world.course, user=world.learner)
    assert policy.can(user, "view_insights", learner) is allowed


def test_a_finished_course_keeps_its_insights_a_deleted_one_and_non_learners_have_none(world: CourseWorld) -> None:
    finished = CourseFactory(visibility=Visibility.ARCHIVED)
    MembershipFactory(course=finished, user=world.teacher, role=Role.TEACHER)
    assert policy.can(world.teacher, "view_insights", finished)
    deleted = CourseFactory(removed_at=timezone.now())
    MembershipFactory(course=deleted, user=world.teacher, role=Role.TEACHER)
    assert not policy.can(world.teacher, "view_insights", deleted)
    ta_row = Membership.objects.get(course=world.course, user=world.ta)
    assert not policy.can(world.teacher, "view_insights", ta_row)  # figures are about learners


def test_a_ta_limited_to_groups_sees_only_those_groups_learners_in_can_scope_and_audience(world: CourseWorld) -> None:
    course = world.course
    red, blue = GroupFactory(course=course, name="Red"), GroupFactory(course=course, name="Blue")
    limited, free = UserFactory(), UserFactory()
    MembershipFactory(course=course, user=limited, role=Role.TA).groups.add(red)
    MembershipFactory(course=course, user=free, role=Role.TA)
    other = CourseFactory()  # the limited TA teaches another course without groups: all its learners
    MembershipFactory(course=other, user=limited, role=Role.TA)
    rows = {
        "red": MembershipFactory(course=course, role=Role.LEARNER),
        "blue": MembershipFactory(course=course, role=Role.LEARNER),
        "none": world.learner_membership,
        "elsewhere": MembershipFactory(course=other, role=Role.LEARNER),
    }
    rows["red"].groups.add(red)
    rows["blue"].groups.add(blue)
    expected = {
        limited: {"red", "elsewhere"},
        free: {"red", "blue", "none"},
        world.teacher: {"red", "blue", "none"},
    }
    people = [limited, free, world.teacher]
    for person in people:
        listed = set(
            policy.scope(person, "view_insights", Membership.objects.filter(pk__in=[m.pk for m in rows.values()]))
        )
        for name, row in rows.items():
            may = policy.can(person, "view_insights", row)
            heard = person.pk in policy.audience("view_insights", row, [p.pk for p in people])
            assert may == (name in expected[person]) == (row in listed) == heard, (person, name)


def test_a_courses_insight_scopes_are_everyone_and_each_set_of_groups_a_ta_is_limited_to(world: CourseWorld) -> None:
    course = world.course
    red, blue = GroupFactory(course=course, name="Red"), GroupFactory(course=course, name="Blue")
    for groups in ([red], [red], [red, blue]):  # two TAs share the red scope
        MembershipFactory(course=course, role=Role.TA).groups.add(*groups)
    in_red = MembershipFactory(course=course, role=Role.LEARNER)
    in_red.groups.add(red)
    in_both = MembershipFactory(course=course, role=Role.LEARNER)
    in_both.groups.add(red, blue)
    scopes = policy.insight_scopes(course)
    assert scopes == [None, frozenset({red.pk}), frozenset({red.pk, blue.pk})]
    assert set(policy.insight_learners(course, None)) == {world.learner_membership, in_red, in_both}
    assert list(policy.insight_learners(course, frozenset({red.pk, blue.pk})).order_by("pk")) == [in_red, in_both]
    # Each scope is what a TA limited to those groups sees through the policy.
    ta = Membership.objects.filter(course=course, role=Role.TA, groups=blue).get().user
    seen = policy.scope(ta, "view_insights", Membership.objects.filter(course=course))
    assert set(seen) == set(policy.insight_learners(course, frozenset({red.pk, blue.pk})))
