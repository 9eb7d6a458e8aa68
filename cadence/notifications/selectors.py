"""Reads: a person's notifications and how many are unread."""

from __future__ import annotations

from django.db.models import QuerySet

from cadence.accounts.models import User
from cadence.notifications.models import DeliverySettings, Notification


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user).select_related("course", "actor")
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def delivery_settings_of(user: User) -> DeliverySettings:
    return DeliverySettings.objects.filter(user=user).first() or DeliverySettings(user=user)
