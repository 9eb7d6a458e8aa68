"""The family pages: an observer sees the learners they follow, and only them; the observer's "My grades"
and item pages show the followed learner's work instead of the observer's own empty state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence import policy
from cadence.accounts.tests.factories import UserFactory
from cadence.core.testing.queries import serve
from cadence.courses.models import Membership, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory
from cadence.families.models import FollowRequest
from cadence.families.tests.factories import child_of, graded_assignment
from cadence.progress import services as progress_services
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_observer_sees_progress_released_grade_with_feedback_and_never_an_unreleased_one(world: CourseWorld) -> None:
    now = timezone.now()
    progress_services.mark_complete(user=world.learner, item=world.items[0], now=now)
    graded_assignment(world.modules[0], world.learner, title="Essay on rainfall", points="8", feedback="Clear graphs.",
                      released_at=now, now=now)  # fmt: skip
    graded_assignment(world.modules[0], world.learner, title="Secret draft grade", points="3", feedback="Not yet.",
                      released_at=None, now=now)  # fmt: skip
    page = _signed_in(world.observer).get(reverse("families:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert world.learner.display_name in html
    assert "Essay on rainfall" in html and "Clear graphs." in html and "8 / 10" in html
    assert "Not yet." not in html and "3 / 10" not in html  # submitted (activity), but its grade is unreleased
    assert "1 of " in html  # progress: one required item done
    assert "Completed “Module 0 item 0”" in html  # recent activity


def test_followed_learners_page_is_404_for_anyone_but_their_observer(world: CourseWorld) -> None:
    url = reverse("families:learner", args=[world.learner.pk])
    assert _signed_in(world.observer).get(url).status_code == 200
    for person in (world.teacher, world.ta, world.learner, world.outsider, world.admin):
        assert _signed_in(person).get(url).status_code == 404, person.display_name
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"]


def test_another_parents_child_is_404_and_not_listed(world: CourseWorld) -> None:
    other_parent = UserFactory(display_name="Other parent")
    MembershipFactory(course=world.course, user=other_parent, role=Role.OBSERVER)
    their_child = child_of(other_parent, world.course, display_name="Not yours")
    client = _signed_in(world.observer)
    assert client.get(reverse("families:learner", args=[their_child.pk])).status_code == 404
    assert "Not yours" not in client.get(reverse("families:home")).content.decode()


def test_observer_in_another_course_sees_nothing_of_this_course(world: CourseWorld) -> None:
    elsewhere = CourseFactory(title="Elsewhere")
    stranger = UserFactory()
    MembershipFactory(course=elsewhere, user=stranger, role=Role.OBSERVER)
    page = _signed_in(stranger).get(reverse("families:home"))
    assert page.status_code == 200
    assert world.learner.display_name not in page.content.decode()
    assert _signed_in(stranger).get(reverse("families:learner", args=[world.learner.pk])).status_code == 404


def test_a_pending_request_grants_nothing_until_confirmed(world: CourseWorld) -> None:
    parent = UserFactory(display_name="New parent")
    observer = MembershipFactory(course=world.course, user=parent, role=Role.OBSERVER)
    request = FollowRequest.objects.create(
        observer=observer, learner=world.learner_membership, requested_by=parent, requested_at=timezone.now()
    )
    assert not policy.can(parent, "view_family", world.learner)
    assert not policy.can(parent, "view_family", world.learner_membership)
    assert not policy.can(parent, "view", world.learner_membership)
    client = _signed_in(parent)
    assert client.get(reverse("families:learner", args=[world.learner.pk])).status_code == 404
    assert world.learner.display_name not in client.get(reverse("families:home")).content.decode()
    # The learner confirms: from now on the parent follows.
    response = _signed_in(world.learner).post(reverse("families:request-confirm", args=[request.pk]))
    assert response.status_code == 302
    parent = type(parent).objects.get(pk=parent.pk)  # fresh role cache
    assert policy.can(parent, "view_family", world.learner)
    assert _signed_in(parent).get(reverse("families:learner", args=[world.learner.pk])).status_code == 200


def test_family_page_query_count_is_the_same_for_one_and_five_learners(world: CourseWorld) -> None:
    now = timezone.now()
    due = ItemFactory(module=world.modules[1], title="Due soon", due_at=now + timedelta(days=2), position=60)
    parent = UserFactory()
    MembershipFactory(course=world.course, user=parent, role=Role.OBSERVER)
    client = _signed_in(parent)

    def add_child(n: int) -> None:
        child = child_of(parent, world.course, display_name=f"Child {n}")
        progress_services.mark_complete(user=child, item=world.items[0], now=now)
        graded_assignment(world.modules[0], child, title=f"Essay {n}", points="7", feedback="Good.",
                          released_at=now, now=now)  # fmt: skip

    add_child(0)
    one = serve(client, reverse("families:home"))
    for n in range(1, 5):
        add_child(n)
    five = serve(client, reverse("families:home"))
    assert "Child 4" in five.response.content.decode() and due.title in five.response.content.decode()
    assert five.count == one.count, (one.count, five.count)
    assert five.count <= 22
    assert not five.writes


def test_observers_my_grades_shows_the_followed_learners_released_grades(world: CourseWorld) -> None:
    now = timezone.now()
    graded_assignment(world.modules[0], world.learner, title="Lab report", points="9", feedback="Well done.",
                      released_at=now, now=now)  # fmt: skip
    page = _signed_in(world.observer).get(reverse("assessment:my-grades", args=[world.course.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Grades of {world.learner.display_name}" in html
    assert "90.0" in html  # the learner's figure, not the observer's empty "No grades yet"
    assert "No grades yet" not in html


def test_observers_my_grades_chooses_among_several_and_refuses_others(world: CourseWorld) -> None:
    second = child_of(world.observer, world.course, display_name="Second child")
    client = _signed_in(world.observer)
    url = reverse("assessment:my-grades", args=[world.course.slug])
    assert "Grades of Second child" in client.get(url, {"learner": second.pk}).content.decode()
    stranger = MembershipFactory(course=world.course, role=Role.LEARNER)
    assert client.get(url, {"learner": stranger.user_id}).status_code == 404


def test_observers_item_page_shows_the_followed_learners_work(world: CourseWorld) -> None:
    now = timezone.now()
    item = graded_assignment(world.modules[0], world.learner, title="Poster", points="6", feedback="Bigger fonts.",
                             released_at=now, now=now)  # fmt: skip
    progress_services.mark_complete(user=world.learner, item=item, now=now)
    page = _signed_in(world.observer).get(reverse("courses:item-detail", args=[world.course.slug, item.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The work of the learners you follow" in html
    assert world.learner.display_name in html and "6 / 10" in html and "Bigger fonts." in html
    # The learner's own page is unchanged.
    mine = _signed_in(world.learner).get(reverse("courses:item-detail", args=[world.course.slug, item.pk]))
    assert "The work of the learners you follow" not in mine.content.decode()


def test_family_page_shows_deadlines_in_the_observers_zone(world: CourseWorld) -> None:
    now = timezone.now()
    world.observer.time_zone = "Pacific/Auckland"
    world.observer.save(update_fields=["time_zone"])
    ItemFactory(module=world.modules[1], title="Zone item", due_at=now + timedelta(days=3), position=61)
    html = _signed_in(world.observer).get(reverse("families:home")).content.decode()
    assert "Zone item" in html
    assert "(Pacific/Auckland)" in html


def test_observer_asks_to_follow_and_the_form_reveals_nobody(world: CourseWorld) -> None:
    client = _signed_in(world.observer)
    other = MembershipFactory(course=world.course, role=Role.LEARNER)
    yes = client.post(reverse("families:follow"), {"course": world.course.pk, "email": other.user.email}, follow=True)
    no = client.post(
        reverse("families:follow"), {"course": world.course.pk, "email": "nobody@example.org"}, follow=True
    )
    assert [str(m) for m in yes.context["messages"]] == [str(m) for m in no.context["messages"]]
    request = FollowRequest.objects.get(learner=other)
    assert request.status == "pending" and request.requested_by == world.observer
    assert not policy.can(world.observer, "view_family", other.user)


def test_learner_may_decline_and_observer_may_not_decide(world: CourseWorld) -> None:
    parent = MembershipFactory(course=world.course, user=UserFactory(), role=Role.OBSERVER)
    request = FollowRequest.objects.create(
        observer=parent, learner=world.learner_membership, requested_by=parent.user, requested_at=timezone.now()
    )
    refused = _signed_in(parent.user).post(reverse("families:request-confirm", args=[request.pk]))
    assert refused.status_code == 302
    request.refresh_from_db()
    assert request.status == "pending"
    assert not Membership.objects.filter(pk=parent.pk, observed=world.learner_membership).exists()
    page = _signed_in(world.learner).get(reverse("families:followers"))
    assert parent.user.display_name in page.content.decode()
    _signed_in(world.learner).post(reverse("families:request-decline", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == "declined" and request.decided_by == world.learner
    assert not policy.can(parent.user, "view_family", world.learner)


def test_teacher_links_on_the_people_page_and_sees_pending_requests(world: CourseWorld) -> None:
    parent = MembershipFactory(course=world.course, user=UserFactory(display_name="Pat"), role=Role.OBSERVER)
    other = MembershipFactory(course=world.course, role=Role.LEARNER)
    FollowRequest.objects.create(observer=parent, learner=other, requested_by=parent.user, requested_at=timezone.now())
    client = _signed_in(world.teacher)
    people = client.get(reverse("courses:people", args=[world.course.slug])).content.decode()
    assert "Pat asks to follow" in people
    client.post(
        reverse("courses:observer-link", args=[world.course.slug, parent.pk]), {"learner": world.learner_membership.pk}
    )
    assert parent.observed.filter(pk=world.learner_membership.pk).exists()
    link = FollowRequest.objects.get(observer=parent, learner=world.learner_membership)
    assert link.status == "confirmed" and link.decided_by == world.teacher


def test_followers_page_lists_who_follows(world: CourseWorld) -> None:
    html = _signed_in(world.learner).get(reverse("families:followers")).content.decode()
    assert world.observer.display_name in html
