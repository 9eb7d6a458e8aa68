"""The check-in composer for several learners (reached from the learners table)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory
from cadence.messaging import services
from cadence.messaging.models import Message
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _url(world: CourseWorld) -> str:
    return reverse("messaging:check-in-many", args=[world.course.slug])


def _learners(world: CourseWorld, n: int) -> list[int]:
    return [MembershipFactory(course=world.course, role=Role.LEARNER).user_id for _ in range(n)]


def test_chosen_learners_get_one_private_check_in_each(client: Client, world: CourseWorld) -> None:
    others = _learners(world, 2)
    client.force_login(world.teacher)
    chosen: dict[str, Any] = {"learner": [world.learner.pk, others[0]], "learners": f"{others[1]}"}
    form = client.post(_url(world), chosen)
    assert form.status_code == 200
    assert {u.pk for u in form.context["learners"]} == {world.learner.pk, *others}
    ids = form.context["form"].initial["learners"]
    sent = {"learners": ids, "body": "How is it going?", "key": "k1"}
    assert client.post(_url(world), sent).status_code == 302
    assert client.post(_url(world), sent).status_code == 302  # the same form again sends nothing twice
    messages = Message.objects.filter(sender=world.teacher, is_check_in=True)
    assert messages.count() == 3
    assert len({m.conversation_id for m in messages}) == 3


def test_people_who_are_not_learners_here_are_left_out(client: Client, world: CourseWorld) -> None:
    elsewhere = MembershipFactory(course=CourseFactory(), role=Role.LEARNER).user_id
    client.force_login(world.teacher)
    response = client.post(_url(world), {"learners": f"{world.ta.pk},{elsewhere},{world.learner.pk},junk,-3"})
    assert [u.pk for u in response.context["learners"]] == [world.learner.pk]
    response = client.post(_url(world), {"learners": f"{world.ta.pk},{elsewhere}"})
    assert response.status_code == 400


def test_more_than_a_minutes_worth_is_refused_and_nothing_is_sent(client: Client, world: CourseWorld) -> None:
    ids = ",".join(str(i) for i in _learners(world, services.MAX_CHECK_IN_LEARNERS + 1))
    client.force_login(world.teacher)
    response = client.post(_url(world), {"learners": ids, "body": "Hi", "key": "k"})
    assert response.status_code == 400
    assert "at most" in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize("role", ["learner", "observer", "outsider"])
def test_only_staff_may_check_in(client: Client, world: CourseWorld, role: str) -> None:
    client.force_login(world.user(role))
    response = client.post(_url(world), {"learners": str(world.learner.pk), "body": "Hi", "key": "k"})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_the_one_learner_check_in_is_unchanged(client: Client, world: CourseWorld) -> None:
    client.force_login(world.teacher)
    url = reverse("messaging:check-in", args=[world.course.slug, world.learner.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": "Hello", "key": "single"}).status_code == 302
    assert Message.objects.filter(is_check_in=True).count() == 1


def _composer_queries(client: Client, world: CourseWorld, ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.post(_url(world), {"learners": ",".join(map(str, ids))}).status_code == 200
    return len(captured.captured_queries)


def test_the_composer_costs_the_same_queries_for_2_and_20_learners(client: Client, world: CourseWorld) -> None:
    client.force_login(world.teacher)
    assert _composer_queries(client, world, _learners(world, 2)) == _composer_queries(
        client, world, _learners(world, 20)
    )
