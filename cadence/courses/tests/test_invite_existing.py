"""A teacher adding an existing account by email sends an invitation that person accepts: nobody is added to
a course without their own say, and the teacher's page answers the same whether or not the account exists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence import policy
from cadence.accounts.tests.factories import UserFactory
from cadence.courses import services
from cadence.courses.models import Invitation, Membership
from cadence.courses.tests.factories import CourseFactory, MembershipFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _add(client: Client, world: CourseWorld, email: str):
    client.force_login(world.teacher)
    return client.post(
        reverse("courses:people-add", args=[world.course.slug]), {"email": email, "role": "learner"}, follow=True
    )


def _normalised(html: str, email: str) -> str:
    html = html.replace(email, "EMAIL")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'<time datetime="[^"]*"[^>]*>[^<]*</time>|invitation-\d+', "", html)


def test_people_page_answers_the_same_for_existing_and_unknown_accounts(
    world: CourseWorld, django_capture_on_commit_callbacks
) -> None:
    known = UserFactory(email="known@example.org", display_name="Known Person")
    with django_capture_on_commit_callbacks(execute=True):
        first = _add(Client(), world, "known@example.org")
    Invitation.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        second = _add(Client(), world, "unknown@example.org")
    assert first.status_code == second.status_code == 200
    assert "Invitation sent to known@example.org." in first.content.decode()
    assert _normalised(first.content.decode(), "known@example.org") == _normalised(
        second.content.decode(), "unknown@example.org"
    )
    assert "Known Person" not in first.content.decode()  # the account's name is not revealed either
    assert not Membership.objects.filter(course=world.course, user=known).exists()
    assert [m.to for m in mail.outbox] == [["known@example.org"], ["unknown@example.org"]]


def test_someone_already_in_the_course_is_refused_with_a_clear_error(world: CourseWorld) -> None:
    response = _add(Client(), world, world.learner.email.upper())
    assert "is already in this course" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invitee_sees_the_invitation_on_their_home_page_and_accepts_it(
    world: CourseWorld, django_assert_max_num_queries
) -> None:
    invitee = UserFactory(email="known@example.org")
    invitation = services.add_person(
        actor=world.teacher, course=world.course, email=invitee.email, role="ta", now=timezone.now()
    )
    client = Client()
    client.force_login(invitee)
    home = client.get(reverse("home"))
    assert home["Cache-Control"] == "no-store, private"
    page = home.content.decode()
    assert "Invitations waiting for you" in page and world.course.title in page
    assert reverse("my-invitation-accept", args=[invitation.pk]) in page

    response = client.post(reverse("my-invitation-accept", args=[invitation.pk]))
    assert response.url == reverse("courses:course-detail", args=[world.course.slug])
    assert Membership.objects.get(course=world.course, user=invitee).role == "ta"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert "Invitations waiting for you" not in client.get(reverse("home")).content.decode()


def test_home_page_lists_invitations_in_a_constant_number_of_queries(
    world: CourseWorld, django_assert_max_num_queries
) -> None:
    invitee = UserFactory(email="known@example.org")
    client = Client()
    client.force_login(invitee)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    services.add_person(actor=world.teacher, course=world.course, email=invitee.email, role="learner",
                        now=timezone.now())  # fmt: skip
    one = queries()
    for _ in range(4):
        course = CourseFactory()
        MembershipFactory(course=course, user=world.teacher, role="teacher")
        policy.forget_roles(world.teacher)
        services.add_person(actor=world.teacher, course=course, email=invitee.email, role="learner",
                            now=timezone.now())  # fmt: skip
    assert queries() == one
    with django_assert_max_num_queries(one):
        client.get(reverse("home"))


def test_invitee_declines_and_the_link_stops_working(world: CourseWorld) -> None:
    invitee = UserFactory(email="known@example.org")
    invitation = services.add_person(
        actor=world.teacher, course=world.course, email=invitee.email, role="learner", now=timezone.now()
    )
    client = Client()
    client.force_login(invitee)
    response = client.post(reverse("my-invitation-decline", args=[invitation.pk]), follow=True)
    assert "You declined the invitation" in response.content.decode()
    assert "Invitations waiting for you" not in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.declined_at is not None and invitation.accepted_at is None
    assert not Membership.objects.filter(course=world.course, user=invitee).exists()
    assert invitation not in services_pending(world)
    assert client.post(reverse("my-invitation-accept", args=[invitation.pk])).status_code == 404


def services_pending(world: CourseWorld) -> list[Invitation]:
    from cadence.courses import selectors

    return list(selectors.pending_invitations(world.course))


def test_nobody_else_can_answer_an_invitation(world: CourseWorld) -> None:
    invitation = services.add_person(
        actor=world.teacher, course=world.course, email="known@example.org", role="teacher", now=timezone.now()
    )
    UserFactory(email="known@example.org")
    client = Client()
    for someone in (world.outsider, world.teacher, world.admin):
        client.force_login(someone)
        assert client.post(reverse("my-invitation-accept", args=[invitation.pk])).status_code == 404
        assert client.post(reverse("my-invitation-decline", args=[invitation.pk])).status_code == 404
    assert client.get(reverse("my-invitation-accept", args=[invitation.pk])).status_code == 405
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.declined_at is None
    assert not Membership.objects.filter(course=world.course, user__email="known@example.org").exists()


def test_expired_invitations_are_not_listed_or_accepted(world: CourseWorld) -> None:
    invitee = UserFactory(email="known@example.org")
    invitation = services.add_person(
        actor=world.teacher, course=world.course, email=invitee.email, role="learner",
        now=timezone.now() - timedelta(days=365),
    )  # fmt: skip
    client = Client()
    client.force_login(invitee)
    assert "Invitations waiting for you" not in client.get(reverse("home")).content.decode()
    assert client.post(reverse("my-invitation-accept", args=[invitation.pk])).status_code == 404


def test_existing_account_accepts_through_the_emailed_link(
    world: CourseWorld, django_capture_on_commit_callbacks
) -> None:
    invitee = UserFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_person(actor=world.teacher, course=world.course, email=invitee.email, role="learner",
                            now=timezone.now())  # fmt: skip
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[0].body)
    assert link
    client = Client()
    page = client.get(link.group(1)).content.decode()
    assert "I have an account: sign in" in page
    client.force_login(invitee)
    response = client.post(link.group(1))
    assert response.url == reverse("courses:course-detail", args=[world.course.slug])
    assert Membership.objects.filter(course=world.course, user=invitee, role="learner").exists()
