"""Notifications over the API: the signed-in person's own centre and preferences, nobody else's.

No `from __future__ import annotations` here: `@paginate` wraps views, and ninja resolves the wrapped
function's annotations at import time.
"""

from datetime import datetime, time
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from cadence.access import signed_in
from cadence.core.api_types import BoolIn, IdIn, IntIn, Pagination, TimeOfDay, errors
from cadence.notifications import selectors, services
from cadence.notifications.models import Kind, Timing

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    course_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationFilter(Schema):
    unread: bool = False


class UnreadOut(Schema):
    unread: int


class MarkReadIn(Schema):
    ids: list[IdIn] | None = Field(default=None, max_length=500, description="Leave out to mark all read")


class MarkedOut(Schema):
    marked: int


class PreferencesSchema(Schema):
    timings: dict[Kind, Timing] = Field(description="Email timing per kind; kinds left out keep their choice")
    email_enabled: BoolIn = True
    quiet_start: TimeOfDay | None = None
    quiet_end: TimeOfDay | None = None
    digest_time: TimeOfDay = time(17, 0)
    weekly_day: IntIn = Field(default=4, ge=0, le=6, description="0 = Monday")


@router.get(
    "/notifications", response={200: list[NotificationOut], **errors(422)}, summary="My notifications, newest first"
)
@paginate(Pagination)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilter]) -> Any:
    return selectors.notifications_for(signed_in(request), unread_only=filters.unread)


@router.get("/notifications/unread-count", response={200: UnreadOut, **errors()})
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(signed_in(request))}


@router.post(
    "/notifications/read",
    response={200: MarkedOut, **errors(400, 403, 422)},
    summary="Mark some or all of my notifications read",
)
def mark_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    marked = services.mark_read(user=signed_in(request), notification_ids=payload.ids, now=timezone.now())
    return {"marked": marked}


@router.get("/notifications/preferences", response={200: PreferencesSchema, **errors()})
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    user = signed_in(request)
    current = selectors.delivery_settings_of(user)
    return {
        "timings": services.preferences_of(user),
        "email_enabled": current.email_enabled,
        "quiet_start": current.quiet_start,
        "quiet_end": current.quiet_end,
        "digest_time": current.digest_time,
        "weekly_day": current.weekly_day,
    }


@router.put("/notifications/preferences", response={200: PreferencesSchema, **errors(400, 403, 422)})
def put_preferences(request: HttpRequest, payload: PreferencesSchema) -> dict[str, Any]:
    user = signed_in(request)
    services.set_preferences(
        user=user,
        timings={kind.value: timing.value for kind, timing in payload.timings.items()},
        email_enabled=payload.email_enabled,
        quiet_start=payload.quiet_start,
        quiet_end=payload.quiet_end,
        digest_time=payload.digest_time,
        weekly_day=payload.weekly_day,
    )
    return get_preferences(request)
