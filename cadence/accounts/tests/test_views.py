from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from cadence.accounts.models import SignupMode, SiteSettings, User
from cadence.accounts.tests.factories import PASSWORD, UserFactory
from cadence.courses.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "display_name": "Ada Lovelace",
    "email": "ada@example.org",
    "time_zone": "Asia/Tokyo",
    "language": "en",
    "password1": "analytical-engine-42",
    "password2": "analytical-engine-42",
    "code": "",
}


def test_signup_creates_account_with_chosen_time_zone_and_signs_in(client):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="ada@example.org")
    assert user.time_zone == "Asia/Tokyo"
    assert user.password.startswith("argon2") or user.password.startswith("md5")
    assert client.get(reverse("home")).status_code == 200


def test_passwords_are_hashed_with_argon2_outside_tests(settings):
    assert "Argon2PasswordHasher" in "".join(settings.PASSWORD_HASHERS[:2])


def test_signup_with_unknown_time_zone_is_refused_and_creates_nothing(client):
    response = client.post(reverse("accounts:signup"), SIGNUP | {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    assert "not a known time zone" in response.content.decode()
    assert not User.objects.exists()


def test_signup_with_duplicate_email_is_refused(client):
    UserFactory(email="ada@example.org")
    response = client.post(reverse("accounts:signup"), SIGNUP | {"email": "ADA@example.org"})
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_signup_with_oversized_name_is_refused(client):
    response = client.post(reverse("accounts:signup"), SIGNUP | {"display_name": "x" * 101})
    assert "at most 100 characters" in response.content.decode()
    assert not User.objects.exists()


def test_signup_errors_are_tied_to_their_field(client):
    response = client.post(reverse("accounts:signup"), SIGNUP | {"password2": "different-password-1"})
    html = response.content.decode()
    assert 'id="id_password2_error"' in html
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*id="id_password2"|id="id_password2"[^>]*aria-invalid="true"', html
    )


def test_signup_with_code_joins_the_course(client):
    course = CourseFactory(enrolment="code", enrolment_code="ABCD2345")
    response = client.post(reverse("accounts:signup"), SIGNUP | {"code": "abcd2345"})
    assert response.url == reverse("courses:course-detail", args=[course.slug])
    assert course.memberships.filter(user__email="ada@example.org", role="learner").exists()


def test_signup_with_wrong_code_creates_nothing(client):
    CourseFactory(enrolment="code", enrolment_code="ABCD2345")
    response = client.post(reverse("accounts:signup"), SIGNUP | {"code": "WRONG999"})
    assert "No open course uses that enrolment code" in response.content.decode()
    assert not User.objects.exists()


def test_invite_only_site_refuses_signup_without_code(client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"signup_mode": SignupMode.INVITE})
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert "needs an enrolment code or an invitation" in response.content.decode()
    assert not User.objects.exists()


def test_invite_only_site_accepts_signup_with_code(client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"signup_mode": SignupMode.INVITE})
    CourseFactory(enrolment="code", enrolment_code="ABCD2345")
    response = client.post(reverse("accounts:signup"), SIGNUP | {"code": "ABCD2345"})
    assert response.status_code == 302
    assert User.objects.filter(email="ada@example.org").exists()


def test_signin_with_email_and_password(client):
    user = UserFactory(email="grace@example.org")
    response = client.post(reverse("accounts:login"), {"username": "Grace@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_failed_signin_does_not_reveal_whether_the_email_exists(client):
    UserFactory(email="grace@example.org")
    known = client.post(reverse("accounts:login"), {"username": "grace@example.org", "password": "wrong-password"})
    unknown = client.post(reverse("accounts:login"), {"username": "nobody@example.org", "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 200

    def page(response):  # the same page but for the typed email and the per-request CSRF token
        html = response.content.decode().replace("grace@example.org", "X").replace("nobody@example.org", "X")
        return re.sub(r'value="[^"]*"|"X-CSRFToken": "[^"]*"', "", html)

    assert page(known) == page(unknown)


def test_signin_is_throttled_per_account_across_addresses(client, settings):
    settings.SIGNIN_ACCOUNT_FAILURE_LIMIT = 8
    user = UserFactory(email="grace@example.org")
    for n in range(settings.SIGNIN_ACCOUNT_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{n}")
    # Even the right password from a fresh address is refused while the account is locked.
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_signin_is_throttled_per_address(client, settings):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 12
    user = UserFactory(email="grace@example.org")
    for n in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"), {"username": f"guess{n}@example.org", "password": "x"}, REMOTE_ADDR="10.9.9.9"
        )
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429


def test_password_reset_sends_email_through_the_queue_and_the_link_works(client):
    UserFactory(email="grace@example.org")
    response = client.post(reverse("accounts:password-reset"), {"email": "grace@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", mail.outbox[0].body)
    assert link
    page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in page.content.decode()


def test_password_reset_for_unknown_email_looks_the_same(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_profile_changes_time_zone_and_pages_show_times_in_it(client):
    user = UserFactory(time_zone="UTC")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "New Name", "time_zone": "America/Sao_Paulo", "language": "en"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("New Name", "America/Sao_Paulo")
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "(America/Sao_Paulo)" in page
    assert re.search(r'<time datetime="[^"]+-03:00">', page)


def test_profile_refuses_unknown_time_zone(client):
    user = UserFactory(time_zone="UTC")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "X", "time_zone": "Nowhere/Here", "language": "en"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.time_zone == "UTC"


def test_language_preference_translates_nothing_missing(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_tokens_are_created_shown_once_and_revoked(client):
    user = UserFactory()
    client.force_login(user)
    page = client.post(
        reverse("accounts:token-list"), {"name": "grade export", "expires_in_days": 90, "access": "read"}
    ).content.decode()
    secret = re.search(r'id="new-token">(cdn_[^<]+)<', page)
    assert secret
    token = user.api_tokens.get()
    assert token.digest != secret.group(1) and secret.group(1) not in token.digest
    assert secret.group(1) not in client.get(reverse("accounts:token-list")).content.decode()
    client.post(reverse("accounts:token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_another_users_token_is_not_found(client):
    owner, other = UserFactory(), UserFactory()
    client.force_login(owner)
    client.post(reverse("accounts:token-list"), {"name": "mine", "expires_in_days": 30, "access": "write"})
    token = owner.api_tokens.get()
    client.force_login(other)
    assert client.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_pages_send_security_headers_and_a_strict_csp(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()


def test_signup_through_an_invitation_joins_with_the_invited_role(client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from cadence.courses import services as course_services
    from cadence.courses.models import Membership

    course = CourseFactory(enrolment="invitation")
    teacher = UserFactory()
    Membership.objects.create(user=teacher, course=course, role="teacher")
    SiteSettings.objects.update_or_create(pk=1, defaults={"signup_mode": SignupMode.INVITE})
    with django_capture_on_commit_callbacks(execute=True):
        course_services.invite(
            actor=teacher, course=course, email="ada@example.org", role="ta", display_name="Ada", now=timezone.now()
        )
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    form = client.get(reverse("accounts:signup"), {"invitation": token}).content.decode()
    assert 'value="ada@example.org"' in form and 'value="Ada"' in form
    wrong = client.post(reverse("accounts:signup"), SIGNUP | {"email": "other@example.org", "invitation": token})
    assert "This invitation was sent to ada@example.org" in wrong.content.decode()
    response = client.post(reverse("accounts:signup"), SIGNUP | {"invitation": token})
    assert response.url == reverse("courses:course-detail", args=[course.slug])
    assert Membership.objects.get(course=course, user__email="ada@example.org").role == "ta"
