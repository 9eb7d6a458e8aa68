"""Account writes: sign-up, profile, API tokens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import ApiToken, TokenAccess, User
from cadence.core import audit
from cadence.core.errors import Conflict, InvalidInput
from cadence.courses.models import Course

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


TOKEN_LIFETIMES_DAYS = (7, 30, 90, 365)  # chosen at creation; a year at most
DEFAULT_TOKEN_DAYS = 90


@transaction.atomic
def create_api_token(
    *,
    user: User,
    name: str,
    expires_in_days: int = DEFAULT_TOKEN_DAYS,
    access: str = TokenAccess.WRITE,
    course: Course | None = None,
    now: datetime | None = None,
    address: str = "",
) -> IssuedToken:
    """Issue a personal API token: it expires after one of TOKEN_LIFETIMES_DAYS, is read-only or read-write,
    and may be limited to one course the user can see. The token-creation page offers read-only first."""
    now = now or timezone.now()
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("Give the token a name of 1 to 100 characters."))
    if expires_in_days not in TOKEN_LIFETIMES_DAYS:
        raise InvalidInput(
            _("A token lasts %(choices)s days.") % {"choices": ", ".join(map(str, TOKEN_LIFETIMES_DAYS))}
        )
    if access not in TokenAccess.values:
        raise InvalidInput(_("A token is read-only or read-write."))
    if course is not None and not policy.can(user, "view", course):
        raise InvalidInput(_("You can only limit a token to a course you are in."))
    if user.api_tokens.filter(revoked_at__isnull=True, expires_at__gt=now).count() >= 20:
        raise Conflict(_("You have 20 active tokens. Revoke one before creating another."))
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        digest=digest(secret),
        expires_at=now + timedelta(days=expires_in_days),
        access=access,
        course=course,
    )
    audit.record_account_event(
        actor=user,
        verb="token.created",
        user_id=user.pk,
        address=address,
        token=token.pk,
        access=access,
        course=course.pk if course else None,
        expires_at=token.expires_at.isoformat(),
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken, now: datetime, address: str = "") -> ApiToken:
    policy.require(actor, "manage", token)
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record_account_event(
            actor=actor, verb="token.revoked", user_id=token.user_id, address=address, token=token.pk
        )
    return token


def token_for_secret(secret: str, *, now: datetime) -> ApiToken | None:
    """The usable token behind a secret (not revoked, not expired, its owner active), with its user loaded;
    records when it was last used (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_for_token(secret: str, *, now: datetime) -> User | None:
    """The active user behind an API token secret, recording when it was last used."""
    token = token_for_secret(secret, now=now)
    return token.user if token is not None else None


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
