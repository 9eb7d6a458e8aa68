"""Per-user counters in fixed one-minute windows, kept in the Django cache (shared by every web process
when Redis is the cache). Flood guards count with them and compare against their own limits."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache

WINDOW_SECONDS = 60
_KEEP = WINDOW_SECONDS * 2  # a window's counter outlives its minute a little, never much longer


def minute_key(scope: str, user_id: int, now: datetime) -> str:
    return f"{scope}:{user_id}:{int(now.timestamp()) // WINDOW_SECONDS}"


def used(key: str) -> int:
    return int(cache.get(key, 0))


def count(key: str) -> int:
    """Add one to the window's counter and return the new count."""
    cache.add(key, 0, timeout=_KEEP)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=_KEEP)
        return 1
