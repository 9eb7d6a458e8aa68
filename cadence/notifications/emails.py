"""The email for one delivery: a single notification or a digest, in the recipient's language and zone."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cadence.accounts.models import User
from cadence.notifications import unsubscribe
from cadence.notifications.models import Delivery, Kind, Notification, Timing


def message_id(delivery: Delivery) -> str:
    """Stable for the delivery: a resend after a crash carries the same Message-ID, so mail systems drop it."""
    digest = hashlib.sha256(delivery.key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "cadence.invalid"
    return f"<{digest}@{domain}>"


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def build(delivery: Delivery, user: User, notifications: Sequence[Notification]) -> EmailMessage:
    single = delivery.timing == Timing.IMMEDIATELY and len(notifications) == 1
    kind = notifications[0].kind if single else unsubscribe.ALL
    leave = unsubscribe.url_for(user.pk, kind)
    with translation.override(user.language or "en"), timezone.override(ZoneInfo(user.time_zone or "UTC")):
        if single:
            subject = notifications[0].title
        elif delivery.timing == Timing.WEEKLY:
            subject = ngettext(
                "Your weekly digest: %(n)d update", "Your weekly digest: %(n)d updates", len(notifications)
            ) % {"n": len(notifications)}
        else:
            subject = ngettext(
                "Your daily digest: %(n)d update", "Your daily digest: %(n)d updates", len(notifications)
            ) % {"n": len(notifications)}
        body = render_to_string(
            "notifications/email.txt",
            {
                "user": user,
                "single": single,
                "notifications": [(n, absolute(n.url)) for n in notifications],
                "kind_label": Kind(kind).label if kind != unsubscribe.ALL else _("all email"),
                "unsubscribe_url": leave,
                "preferences_url": absolute("/notifications/preferences/"),
                "zone": user.time_zone or "UTC",
            },
        )
    headers = {
        "Message-ID": message_id(delivery),
        "List-Unsubscribe": f"<{leave}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "Auto-Submitted": "auto-generated",
        "X-Cadence-Delivery": delivery.key,
    }
    return EmailMessage(subject=subject, body=body, to=[user.email], headers=headers)
