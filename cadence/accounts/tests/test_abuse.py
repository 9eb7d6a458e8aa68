"""Abuse limits on signing in and resetting passwords, and the audit of account events."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cadence.accounts.tests.factories import PASSWORD, UserFactory
from cadence.core.models import AuditEntry

# One frozen instant: the limits count in fixed hourly windows, which must not roll over mid-test.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_instant")]

SCHOOL = "203.0.113.7"  # one address in front of a whole school


def _signin(client: Client, email: str, password: str, address: str = SCHOOL):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def test_one_pupils_wrong_passwords_lock_that_pupil_only_not_the_school(settings):
    pupil_a, pupil_b = UserFactory(email="a@school.example"), UserFactory(email="b@school.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _signin(Client(), pupil_a.email, "wrong")
    # Pupil A is locked at the school's address, even with the right password ...
    assert _signin(Client(), pupil_a.email, PASSWORD).status_code == 429
    # ... but pupil B behind the same address signs in.
    response = _signin(Client(), pupil_b.email, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_pupil_is_not_locked_at_another_address_by_a_few_failures(settings):
    pupil = UserFactory(email="a@school.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _signin(Client(), pupil.email, "wrong", address=SCHOOL)
    assert _signin(Client(), pupil.email, PASSWORD, address="198.51.100.20").status_code == 302


def test_many_accounts_guessed_from_one_address_lock_the_address(settings):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 10
    pupil = UserFactory(email="a@school.example")
    for n in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT - 1):
        _signin(Client(), f"guess{n}@school.example", "wrong")
    assert _signin(Client(), pupil.email, PASSWORD).status_code == 302  # below the address limit
    Client().post(reverse("accounts:logout"))
    _signin(Client(), "guess-last@school.example", "wrong")
    assert _signin(Client(), pupil.email, PASSWORD).status_code == 429
    assert _signin(Client(), pupil.email, PASSWORD, address="198.51.100.20").status_code == 302


def test_address_threshold_defaults_far_above_the_pair_threshold(settings):
    assert settings.SIGNIN_ADDRESS_FAILURE_LIMIT >= 10 * settings.AXES_FAILURE_LIMIT
    assert settings.SIGNIN_ACCOUNT_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT


def test_successful_signin_clears_only_its_own_pair(settings):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 10
    pupil = UserFactory(email="a@school.example")
    for n in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT - 1):
        _signin(Client(), f"guess{n}@school.example", "wrong")
    # A guesser who knows one account's password does not wipe the address's count by signing in.
    assert _signin(Client(), pupil.email, PASSWORD).status_code == 302
    _signin(Client(), "guess-last@school.example", "wrong")
    assert _signin(Client(), pupil.email, PASSWORD).status_code == 429


def test_signin_events_are_audited_with_address_and_account_but_no_secret(settings):
    pupil = UserFactory(email="a@school.example")
    _signin(Client(), "nobody@school.example", "s3cret-typed")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _signin(Client(), pupil.email, "s3cret-typed")
    other = UserFactory(email="b@school.example")
    _signin(Client(), other.email, PASSWORD)

    rows = list(AuditEntry.objects.order_by("id").values_list("verb", "object_id", "actor_id", "data"))
    verbs = [r[0] for r in rows]
    assert verbs.count("signin.failed") == 1 + settings.AXES_FAILURE_LIMIT
    assert verbs.count("signin.locked_out") >= 1
    assert ("signin.succeeded", str(other.pk), other.pk, {"address": SCHOOL}) in rows
    unknown = rows[0]
    assert unknown == ("signin.failed", "", None, {"address": SCHOOL})
    locked = next(r for r in rows if r[0] == "signin.locked_out")
    assert locked[1] == str(pupil.pk)
    dump = repr(rows)
    assert "s3cret" not in dump
    assert "nobody@school.example" not in dump


# --- Password reset ------------------------------------------------------------------------------------
def _reset(client: Client, email: str, address: str = SCHOOL):
    return client.post(reverse("accounts:password-reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_is_throttled_per_recipient_silently(settings):
    settings.PASSWORD_RESET_PER_RECIPIENT_HOURLY = 3
    UserFactory(email="grace@example.org")
    answers = [_reset(Client(), "grace@example.org", address=f"198.51.100.{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [302] * 5
    assert {a.url for a in answers} == {reverse("accounts:password-reset-done")}
    assert len(mail.outbox) == 3  # the fourth and fifth asked for nothing to be sent


def test_password_reset_throttle_answers_alike_for_known_and_unknown_emails(settings):
    settings.PASSWORD_RESET_PER_RECIPIENT_HOURLY = 1
    UserFactory(email="grace@example.org")
    for email in ("grace@example.org", "nobody@example.org"):
        first, second = _reset(Client(), email), _reset(Client(), email)
        assert (first.status_code, first.url) == (302, reverse("accounts:password-reset-done"))
        assert (second.status_code, second.url) == (302, reverse("accounts:password-reset-done"))
    assert len(mail.outbox) == 1


def test_password_reset_is_throttled_per_address_with_a_page_that_names_no_account(settings):
    settings.PASSWORD_RESET_PER_ADDRESS_HOURLY = 4
    for n in range(4):
        assert _reset(Client(), f"person{n}@example.org").status_code == 302
    response = _reset(Client(), "grace@example.org")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many password reset requests" in html
    assert "grace@example.org" not in html
    # Another address is not affected.
    assert _reset(Client(), "grace@example.org", address="198.51.100.1").status_code == 302


def test_password_reset_request_and_completion_are_audited_and_completion_unlocks(settings):
    user = UserFactory(email="grace@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _signin(Client(), user.email, "wrong")
    assert _signin(Client(), user.email, PASSWORD).status_code == 429

    _reset(Client(), "grace@example.org")
    _reset(Client(), "nobody@example.org")
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", mail.outbox[0].body)
    assert link
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    new_password = "a-brand-new-passphrase-9"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302

    requested = list(AuditEntry.objects.filter(verb="password_reset.requested").order_by("id"))
    assert [r.object_id for r in requested] == [str(user.pk), ""]
    assert all(r.data["address"] == SCHOOL and r.data["throttled"] is False for r in requested)
    completed = AuditEntry.objects.get(verb="password_reset.completed")
    assert (completed.object_id, completed.actor_id) == (str(user.pk), user.pk)
    assert "nobody@example.org" not in repr(list(AuditEntry.objects.values_list("data", flat=True)))
    # The new password works at once at the address that was locked.
    assert _signin(Client(), user.email, new_password).status_code == 302
