"""Sending limits kept in the Django cache: a fixed window per user, shared by every web process."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache

MESSAGES_PER_MINUTE = 10
STAFF_MESSAGES_PER_MINUTE = 30
WINDOW_SECONDS = 60


def allow_send(*, user_id: int, now: datetime, limit: int = MESSAGES_PER_MINUTE) -> bool:
    """Count one message for the user; False once they have sent `limit` in the current minute."""
    bucket = int(now.timestamp()) // WINDOW_SECONDS
    key = f"messaging:sent:{user_id}:{bucket}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    return count <= limit
