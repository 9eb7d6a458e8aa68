"""The unread count in the site header, counted only when a page shows it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from cadence.accounts.models import User
from cadence.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Callable[[], int]]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    counted: list[int] = []

    def count() -> int:  # templates call it; one indexed COUNT per page, however often it is shown
        if not counted:
            counted.append(unread_count(user))
        return counted[0]

    return {"unread_notifications": count}
