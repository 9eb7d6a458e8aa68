"""Enrolment codes cannot be guessed: wrong codes are throttled per user and per client address, on every
way a code is typed (the join page, the course page, sign-up and the API). Right codes never count."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Course, Membership
from cadence.courses.tests.factories import CourseFactory

# One frozen instant: the limits count in fixed hourly windows, which must not roll over mid-test.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_instant")]
SCHOOL = "203.0.113.7"
CODE = "ABCD2345"


@pytest.fixture
def course() -> Course:
    return CourseFactory(enrolment="code", enrolment_code=CODE, slug="stats-club")


def _join(client: Client, code: str, address: str = SCHOOL):
    return client.post(reverse("join-code"), {"code": code}, REMOTE_ADDR=address)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_wrong_codes_are_throttled_per_user(settings: Settings, course: Course) -> None:
    settings.ENROLMENT_CODE_FAILURES_PER_USER_HOURLY = 4
    guesser = _signed_in(UserFactory())
    for n in range(4):
        response = _join(guesser, f"GUESS00{n}", address=f"198.51.100.{n}")
        assert response.status_code == 400
        assert "No open course uses that enrolment code" in response.content.decode()
    refused = _join(guesser, CODE, address="198.51.100.99")  # even the right code, from a fresh address
    assert refused.status_code == 429
    assert "Too many wrong enrolment codes" in refused.content.decode()
    assert not Membership.objects.filter(course=course).exists()
    # Someone else at the same address is not affected.
    assert _join(_signed_in(UserFactory()), CODE, address="198.51.100.0").status_code == 302


def test_wrong_codes_are_throttled_per_address(settings: Settings, course: Course) -> None:
    settings.ENROLMENT_CODE_FAILURES_PER_ADDRESS_HOURLY = 5
    for n in range(5):
        assert _join(_signed_in(UserFactory()), f"GUESS00{n}").status_code == 400
    late = UserFactory()
    assert _join(_signed_in(late), CODE).status_code == 429
    assert _join(_signed_in(late), CODE, address="198.51.100.1").status_code == 302


def test_a_whole_class_joins_from_one_address_with_the_right_code(settings: Settings, course: Course) -> None:
    settings.ENROLMENT_CODE_FAILURES_PER_ADDRESS_HOURLY = 5
    for _ in range(30):
        assert _join(_signed_in(UserFactory()), CODE).status_code == 302
    assert course.memberships.count() == 30


def test_wrong_codes_on_the_course_page_count_too(settings: Settings, course: Course) -> None:
    settings.ENROLMENT_CODE_FAILURES_PER_USER_HOURLY = 3
    client = _signed_in(UserFactory())
    url = reverse("courses:course-join", args=[course.slug])
    for n in range(3):
        client.post(url, {"code": f"WRONG00{n}"}, REMOTE_ADDR=SCHOOL)
    page = client.post(url, {"code": CODE}, REMOTE_ADDR=SCHOOL, follow=True).content.decode()
    assert "Too many wrong enrolment codes" in page
    assert not course.memberships.exists()


def test_wrong_codes_at_sign_up_are_throttled_per_address(settings: Settings, course: Course) -> None:
    settings.ENROLMENT_CODE_FAILURES_PER_ADDRESS_HOURLY = 3
    form = {
        "display_name": "Ada",
        "time_zone": "UTC",
        "language": "en",
        "password1": "analytical-engine-42",
        "password2": "analytical-engine-42",
    }
    for n in range(3):
        Client().post(reverse("accounts:signup"), form | {"email": f"ada{n}@example.org", "code": f"WRONG00{n}"},
                      REMOTE_ADDR=SCHOOL)  # fmt: skip
    response = Client().post(
        reverse("accounts:signup"), form | {"email": "ada@example.org", "code": CODE}, REMOTE_ADDR=SCHOOL
    )
    assert response.status_code == 429
    assert "Too many wrong enrolment codes" in response.content.decode()
    assert not User.objects.exists()


def test_wrong_codes_over_the_api_are_throttled(settings: Settings, course: Course) -> None:
    settings.ENROLMENT_CODE_FAILURES_PER_USER_HOURLY = 2
    client = _signed_in(UserFactory())
    url = f"/api/v1/courses/{course.pk}/join"
    for n in range(2):
        response = client.post(url, {"code": f"WRONG00{n}"}, content_type="application/json")
        assert response.status_code == 422
    response = client.post(url, {"code": CODE}, content_type="application/json")
    assert response.status_code == 429
    assert "Too many wrong enrolment codes" in response.json()["detail"]
    assert not course.memberships.exists()
