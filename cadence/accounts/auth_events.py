"""Audit rows for sign-in and password events (connected in AccountsConfig.ready).

Each row holds the verb, the account's id when there is one (never the typed email or any password) and
the client address. A failed sign-in for an email no account has is recorded with no account at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.rate import client_address


def account_id(email: object) -> int | None:
    if not isinstance(email, str) or not email.strip():
        return None
    return User.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True).first()


def record(
    verb: str, *, request: HttpRequest | None, user_id: int | None, actor: User | None = None, **data: Any
) -> None:
    audit.record_account_event(
        actor=actor,
        verb=verb,
        user_id=user_id,
        address=client_address(request) if request is not None else "",
        **data,
    )


@receiver(user_logged_in, dispatch_uid="cadence.audit.signin")
def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record("signin.succeeded", request=request, user_id=user.pk, actor=user)


@receiver(user_login_failed, dispatch_uid="cadence.audit.signin_failed")
def _signin_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django has already replaced the password in `credentials` with asterisks; only the username is read.
    record("signin.failed", request=request, user_id=account_id(credentials.get("username")))


def _locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    record("signin.locked_out", request=request, user_id=account_id(username))


def connect() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="cadence.audit.locked_out")
