"""The policy's insights rules as a table: who sees a course's learners table and whose rows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cadence import policy
from cadence.courses.models import Course
from cadence.insights.models import LearnerStats
from cadence.tests.policy_world import PolicyWorld

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "actor, view, configure",
    [
        ("anonymous", False, False),
        ("outsider", False, False),
        ("learner", False, False),
        ("observer", False, False),
        ("ta", True, False),
        ("teacher", True, True),
        ("admin", True, True),
        ("inactive", False, False),
    ],
)
def test_course_insights_actions(policy_world: PolicyWorld, actor: str, view: bool, configure: bool) -> None:
    user = policy_world.actors[actor] or AnonymousUser()
    course = Course.objects.get(slug="data-literacy")
    assert policy.can(user, "view_insights", course) is view
    assert policy.can(user, "configure_insights", course) is configure


def _visible(policy_world: PolicyWorld, actor: str, course_title: str) -> set[str]:
    user = policy_world.actors[actor]
    assert user is not None
    rows = LearnerStats.objects.filter(course__title=course_title)
    return set(policy.scope(user, "view", rows).values_list("display_name", flat=True))


@pytest.mark.parametrize(
    "actor, course, names",
    [
        ("teacher", "Data Literacy", {"Learner", "Second"}),
        ("ta", "Data Literacy", {"Learner", "Second"}),  # a TA in no group sees every learner
        ("ta", "Chatty", {"Learner"}),  # a TA in a group sees only that group's learners
        ("teacher", "Chatty", {"Learner", "Second"}),
        ("learner", "Data Literacy", set()),  # not even their own row: the table is the staff's
        ("observer", "Data Literacy", set()),
        ("outsider", "Data Literacy", set()),
        ("admin", "Draft", {"Learner", "Second"}),
        ("teacher", "Deleted course", set()),  # a deleted course's rows: nobody
    ],
)
def test_whose_rows_each_person_sees(policy_world: PolicyWorld, actor: str, course: str, names: set[str]) -> None:
    assert _visible(policy_world, actor, course) == names
    user = policy_world.actors[actor]
    assert user is not None
    for row in LearnerStats.objects.filter(course__title=course):
        assert policy.can(user, "view", row) is (row.display_name in names)
