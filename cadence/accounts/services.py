"""Account writes: sign-up, profile, API tokens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import ApiToken, User
from cadence.core.errors import Conflict, InvalidInput

__all__ = ["Conflict", "InvalidInput"]
from cadence.core.tokens import digest, new_secret

TOKEN_PREFIX = "cdn_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic
def register_user(*, email: str, password: str, display_name: str, time_zone: str, language: str) -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, display_name=display_name, time_zone=time_zone, language=language
            )
    except IntegrityError as exc:
        raise Conflict(_("An account with this email address already exists.")) from exc


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


@transaction.atomic
def create_api_token(*, user: User, name: str) -> IssuedToken:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("Give the token a name of 1 to 100 characters."))
    if user.api_tokens.filter(revoked_at__isnull=True).count() >= 20:
        raise Conflict(_("You have 20 active tokens. Revoke one before creating another."))
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10], digest=digest(secret))
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken, now: datetime) -> ApiToken:
    policy.require(actor, "manage", token)
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
    return token


def user_for_token(secret: str, *, now: datetime) -> User | None:
    """The active user behind an API token secret, recording when it was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(secret), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


PROFILE_FIELDS = ("display_name", "time_zone", "language", "birth_date")


@transaction.atomic
def update_profile(*, user: User, data: Mapping[str, Any]) -> User:
    """Change a user's own name, time zone or language, validating each like the sign-up form does."""
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    for field, value in data.items():
        setattr(user, field, value)
    try:
        user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in data])
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from exc
    if data:
        user.save(update_fields=list(data))
    return user
