"""Sending limits: messages per user in the current minute (`cadence.core.rate`)."""

from __future__ import annotations

from datetime import datetime

from cadence.core import rate

MESSAGES_PER_MINUTE = 10
STAFF_MESSAGES_PER_MINUTE = 30


def allow_send(*, user_id: int, now: datetime, limit: int = MESSAGES_PER_MINUTE) -> bool:
    """Count one message for the user; False once they have sent `limit` in the current minute."""
    return rate.count(rate.minute_key("messaging:sent", user_id, now)) <= limit
