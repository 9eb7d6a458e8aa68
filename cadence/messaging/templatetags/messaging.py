"""`{% load messaging %}`: small display helpers for conversations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils.translation import gettext as _

from cadence.messaging.selectors import unread_count

register = template.Library()


@register.filter
def duration(value: timedelta | float | None) -> str:
    """A waiting or answering time in words: "45 min", "3 h 12 min", "2 d 4 h"."""
    if value is None:
        return ""
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    minutes = max(seconds // 60, 0)
    if minutes < 1:
        return _("under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


@register.filter
def answer_time(conversation: Any) -> timedelta | None:
    """How long a question waited for its first answer."""
    if getattr(conversation, "first_answered_at", None) is None:
        return None
    return conversation.first_answered_at - conversation.created_at  # type: ignore[no-any-return]


@register.filter
def since(value: datetime | None, now: datetime) -> timedelta | None:
    return None if value is None else now - value


@register.filter
def others(conversation: Any, user: Any) -> str:
    """The names of a conversation's other participants (from prefetched rows: no query per row)."""
    names = [p.user.display_name for p in conversation.participants.all() if p.user_id != user.pk]
    return ", ".join(names)


@register.simple_tag
def unread_conversations(user: Any) -> int:
    """`{% unread_conversations user as n %}`: conversations with news for the signed-in user (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(user)
