"""Deadline reminders: once a day before an unfinished item is due, by each learner's own deadline.

Run hourly. Each learner's deadlines come from `progress.selectors.due_items` (their zone, the day they
joined, their extensions), so a reminder agrees with the learner's to-do list. The key names the
deadline itself: an extension moves the deadline and earns a new reminder; a rerun within the hour sends none.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override

from cadence import policy
from cadence.accounts.models import User
from cadence.courses.models import Item, Membership, Role, Visibility
from cadence.notifications.models import Kind
from cadence.notifications.services import notify
from cadence.progress.selectors import DueItem, due_items

REMIND_BEFORE = dt.timedelta(hours=24)


def _learners_with_deadlines() -> dict[int, list[int]]:
    """Learner id → their live courses that have at least one item with a deadline."""
    courses = (
        Item.objects.filter(Q(due_at__isnull=False) | Q(due_date__isnull=False) | Q(due_after_days__isnull=False))
        .filter(is_published=True, course__visibility=Visibility.PUBLISHED)
        .values("course_id")
    )
    rows = Membership.objects.filter(role=Role.LEARNER, course_id__in=courses, user__is_active=True)
    by_learner: dict[int, list[int]] = {}
    for user_id, course_id in rows.values_list("user_id", "course_id"):
        by_learner.setdefault(user_id, []).append(course_id)
    return by_learner


def remind_deadlines(*, now: dt.datetime) -> int:
    """Tell each learner about items due within REMIND_BEFORE that they have not finished. Returns how many."""
    learners = _learners_with_deadlines()
    users = User.objects.in_bulk(list(learners))
    soon_by_learner: dict[int, list[DueItem]] = {}
    for user_id, course_ids in learners.items():
        soon = [d for d in due_items(users[user_id], course_ids, now=now).upcoming if d.due_at <= now + REMIND_BEFORE]
        if soon:
            soon_by_learner[user_id] = soon
    # A reminder names the item: only people the policy lets see it are told (one audience per item).
    asked: dict[int, set[int]] = {}
    for user_id, soon in soon_by_learner.items():
        for due in soon:
            asked.setdefault(due.item_id, set()).add(user_id)
    items = Item.objects.select_related("module", "course").in_bulk(list(asked))
    may_see = {
        (item_id, user_id)
        for item_id, item in items.items()
        for user_id in policy.audience("view", item, asked[item_id])
    }
    told = 0
    for user_id, soon in soon_by_learner.items():
        user = users[user_id]
        zone = ZoneInfo(user.time_zone or "UTC")
        with transaction.atomic(), override(user.language or "en"):
            for due in soon:
                if (due.item_id, user_id) not in may_see:
                    continue
                local = formats.date_format(due.due_at.astimezone(zone), "DATETIME_FORMAT")
                told += notify(
                    recipients=[user],
                    kind=Kind.DEADLINE,
                    title=_("“%(title)s” is due soon") % {"title": due.title},
                    body=_("Due %(when)s (%(zone)s) in %(course)s.")
                    % {"when": local, "zone": zone.key, "course": due.course_title},
                    url=reverse("courses:item-detail", args=[due.course_slug, due.item_id]),
                    key=f"deadline:{due.item_id}:{due.due_at.astimezone(dt.UTC):%Y%m%dT%H%M%S}",
                    now=now,
                )
    return told
