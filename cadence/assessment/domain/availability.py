"""When a quiz may be started: pure arithmetic on its settings, the person's attempts and the clock.

No database and no policy here: `cadence.policy.may_start_attempt` gathers the facts and asks these
functions, so the service, the quiz page and its template give the same reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

OPENS_LATER = "opens_later"
CLOSED = "closed"
NO_ATTEMPTS = "no_attempts"
EMPTY = "empty"


def accepts_until(ends_at: datetime | None, grace_seconds: int) -> datetime | None:
    """The last moment a request may arrive and still be saved in an attempt ending at `ends_at`."""
    return None if ends_at is None else ends_at + timedelta(seconds=grace_seconds)


def is_expired(ends_at: datetime | None, grace_seconds: int, now: datetime) -> bool:
    until = accepts_until(ends_at, grace_seconds)
    return until is not None and now > until


def attempts_left(attempts_allowed: int, attempts_used: int) -> int | None:
    """None when there is no limit (0 allowed means as many as you like)."""
    return None if not attempts_allowed else max(0, attempts_allowed - attempts_used)


def start_refusal(
    *,
    opens_at: datetime | None,
    closes_at: datetime | None,
    attempts_allowed: int,
    attempts_used: int,
    question_count: int,
    now: datetime,
) -> str:
    """Why a new attempt cannot start now ("" when it can), in the order a person should hear it."""
    if opens_at is not None and now < opens_at:
        return OPENS_LATER
    if closes_at is not None and now >= closes_at:
        return CLOSED
    if attempts_left(attempts_allowed, attempts_used) == 0:
        return NO_ATTEMPTS
    if question_count <= 0:
        return EMPTY
    return ""
