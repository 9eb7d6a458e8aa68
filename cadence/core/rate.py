"""Counters in fixed time windows, kept in the Django cache (shared by every web process when Redis is
the cache). Flood guards and abuse throttles count with them and compare against their own limits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60
_KEEP = WINDOW_SECONDS * 2  # a window's counter outlives its minute a little, never much longer


def minute_key(scope: str, user_id: int, now: datetime) -> str:
    return f"{scope}:{user_id}:{int(now.timestamp()) // WINDOW_SECONDS}"


def window_key(scope: str, subject: str, now: datetime, *, seconds: int) -> str:
    """The counter of `subject` (a user id, an address, a hashed email) in the window of `seconds` holding `now`.
    Subjects longer than an id are hashed, so keys stay short and never carry an email address."""
    if not subject.isdigit():
        subject = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"{scope}:{subject}:{seconds}:{int(now.timestamp()) // seconds}"


def used(key: str) -> int:
    return int(cache.get(key, 0))


def count(key: str, *, keep: int = _KEEP) -> int:
    """Add one to the window's counter and return the new count. `keep` is how long the counter lives:
    a little longer than its window."""
    cache.add(key, 0, timeout=keep)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=keep)
        return 1


@dataclass(frozen=True)
class Limit:
    """At most `setting` (the name of a Django setting, read on every call so tests and deployments can
    change it) events per subject in each fixed window of `seconds`. A fixed window may let through up to
    twice the limit across a window boundary; that is acceptable for abuse limits, which only need to make
    guessing and flooding slow."""

    scope: str
    setting: str
    seconds: int = 3600

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.setting))

    def key(self, subject: str, now: datetime) -> str:
        return window_key(self.scope, subject, now, seconds=self.seconds)

    def reached(self, subject: str, now: datetime) -> bool:
        return used(self.key(subject, now)) >= self.limit

    def hit(self, subject: str, now: datetime) -> int:
        return count(self.key(subject, now), keep=self.seconds + WINDOW_SECONDS)

    def retry_after(self, now: datetime) -> int:
        """Seconds until the current window ends."""
        return self.seconds - int(now.timestamp()) % self.seconds


def client_address(request: HttpRequest) -> str:
    """The client's IP address, read the way sign-in lockout reads it (behind `PROXY_COUNT` proxies)."""
    return str(get_client_ip_address(request) or "")
