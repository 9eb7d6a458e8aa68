"""Sign-in throttling hooks for django-axes."""

from __future__ import annotations

from django.http import HttpRequest


def username_from_request(request: HttpRequest, credentials: dict[str, str] | None) -> str:
    """Lockouts key on the lower-cased email, so "A@x" and "a@x" share one counter."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()
