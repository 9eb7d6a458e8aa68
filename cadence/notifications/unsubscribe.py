"""Signed one-click unsubscribe links: they need no sign-in and never expire, and name only a user and a kind."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "cadence.notifications.unsubscribe"
ALL = "all"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str  # a Kind value, or ALL


def token_for(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=_SALT, compress=False)


def read_token(token: str) -> Unsubscribe | None:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        return None
    return Unsubscribe(user_id=data["u"], kind=data["k"])


def url_for(user_id: int, kind: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token_for(user_id, kind)])
