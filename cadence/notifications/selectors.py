"""Reads: a person's notifications and how many are unread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import QuerySet

from cadence.accounts.models import User
from cadence.notifications import schedule
from cadence.notifications.models import DEFAULT_TIMING, DeliverySettings, Notification, Preference, Timing
from cadence.notifications.services import window_for

SUMMARY_LOOKBACK = dt.timedelta(hours=6)  # a summary missed for longer (worker down) is skipped, not sent stale


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user).select_related("course", "actor")
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def delivery_settings_of(user: User) -> DeliverySettings:
    return DeliverySettings.objects.filter(user=user).first() or DeliverySettings(user=user)


def summaries_due(
    users: Sequence[User], kind: str, *, now: dt.datetime, lookback: dt.timedelta = SUMMARY_LOOKBACK
) -> dict[int, tuple[dt.datetime, str]]:
    """For a kind sent as a periodic summary (the family summary): user id → (the digest time it is for, the
    timing) for each person whose latest digest time has passed within `lookback`, in their own zone and by
    their choices: weekly on their digest day, or daily ("immediately" reads as daily for a summary). Email
    turned off, or the kind turned off: left out. Two queries."""
    ids = [u.pk for u in users]
    timings = dict(Preference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "timing"))
    settings_rows = {d.user_id: d for d in DeliverySettings.objects.filter(user_id__in=ids)}
    due: dict[int, tuple[dt.datetime, str]] = {}
    for user in users:
        timing = timings.get(user.pk, DEFAULT_TIMING[kind])
        delivery = settings_rows.get(user.pk)
        if timing == Timing.OFF or (delivery is not None and not delivery.email_enabled):
            continue
        weekly = timing == Timing.WEEKLY
        slot = schedule.previous_digest(now, window_for(user, delivery), weekly=weekly)
        if now - slot <= lookback:
            due[user.pk] = (slot, Timing.WEEKLY if weekly else Timing.DAILY)
    return due


def quiet_until(users: Sequence[User], *, now: dt.datetime) -> dict[int, dt.datetime]:
    """Of these people, those in their quiet hours at `now` (in their own zone), each with the moment their
    quiet hours end: what waits for them (an automated check-in) goes after that. One query."""
    settings_rows = {d.user_id: d for d in DeliverySettings.objects.filter(user_id__in=[u.pk for u in users])}
    quiet: dict[int, dt.datetime] = {}
    for user in users:
        end = schedule.after_quiet_hours(now, window_for(user, settings_rows.get(user.pk)))
        if end != now:
            quiet[user.pk] = end
    return quiet
