"""Abuse limits on signing in and resetting passwords.

Sign-in lockout (django-axes) counts failures per account-and-address pair: five wrong passwords for one
pupil lock that pupil at that address, and nobody else. Two much higher thresholds catch what the pair
cannot: many accounts guessed from one address (`SIGNIN_ADDRESS_FAILURE_LIMIT`, so one school's shared
address is never locked by one pupil's typos) and one account guessed from many addresses
(`SIGNIN_ACCOUNT_FAILURE_LIMIT`). Every limit forgets failures after the cool-off time.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest

from cadence.core.rate import Limit

# Password reset: per recipient (the typed address, hashed, whether or not an account has it) and per
# client address. Over the limit the page answers exactly as usual and sends nothing.
RESET_PER_RECIPIENT = Limit("accounts:reset:recipient", "PASSWORD_RESET_PER_RECIPIENT_HOURLY")
RESET_PER_ADDRESS = Limit("accounts:reset:address", "PASSWORD_RESET_PER_ADDRESS_HOURLY")


def username_from_request(request: HttpRequest, credentials: dict[str, str] | None) -> str:
    """Lockouts key on the lower-cased email, so "A@x" and "a@x" share one counter."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


class SignInLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no type hints
    """Axes' database handler with the failure count read as: the pair's failures, or the pair limit itself
    once the address or the account as a whole has passed its own, higher limit."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        totals = recent.filter(Q(ip_address=address) | Q(username=username)).aggregate(
            pair=Sum("failures_since_start", filter=Q(ip_address=address, username=username)),
            address=Sum("failures_since_start", filter=Q(ip_address=address)),
            account=Sum("failures_since_start", filter=Q(username=username)),
        )
        pair = int(totals["pair"] or 0)
        if int(totals["address"] or 0) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT or (
            username and int(totals["account"] or 0) >= settings.SIGNIN_ACCOUNT_FAILURE_LIMIT
        ):
            return max(pair, int(settings.AXES_FAILURE_LIMIT))
        return pair
