"""The demo's study history: item visits, time on task, video positions and completions, written in bulk.

What the progress services would have kept from weeks of page views and heartbeats, without replaying every
heartbeat: the aggregates (`ItemProgress`, `DailyActivity`, `Completion`) and the events that learners' "recent
activity" lists read (one "viewed" per visit, one "completed" per completion, keyed as the services key them).
Graded work (quiz attempts, submissions) goes through the assessment services instead; they complete their items.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cadence.accounts.models import User
from cadence.courses.models import Course, Item
from cadence.progress.models import Completion, DailyActivity, Event, ItemProgress, Verb


@dataclass(frozen=True)
class Visit:
    """A learner had an item open from `at`, active for `seconds`."""

    user: User
    item: Item
    at: datetime
    seconds: int


def add_history(
    *,
    course: Course,
    visits: Sequence[Visit],
    completions: Sequence[tuple[User, Item, datetime]],
    watched: Mapping[tuple[int, int], float],
    video_seconds: float,
) -> int:
    """Write the rows; `watched` maps (user id, video item id) to the share of the clip watched (from the start).
    Returns how many events were written."""
    progress: dict[tuple[int, int], ItemProgress] = {}
    daily: dict[tuple[int, date], int] = {}
    events: list[Event] = []
    for visit in sorted(visits, key=lambda v: v.at):
        key = (visit.user.pk, visit.item.pk)
        end = visit.at + timedelta(seconds=visit.seconds)
        row = progress.get(key)
        if row is None:
            row = progress[key] = ItemProgress(
                user=visit.user, item=visit.item, course=course, first_viewed_at=visit.at, active_seconds=0
            )
        row.last_viewed_at = visit.at
        row.last_heartbeat_at = end
        row.active_seconds += visit.seconds
        day = visit.at.astimezone(ZoneInfo(visit.user.time_zone)).date()
        daily[(visit.user.pk, day)] = daily.get((visit.user.pk, day), 0) + visit.seconds
        events.append(_event(visit.user, Verb.VIEWED, visit.item, visit.at))
    for (user_id, item_id), share in watched.items():
        row = progress[(user_id, item_id)]
        row.duration_seconds = video_seconds
        row.position_seconds = round(video_seconds * share, 1)
        row.watched_ranges = [[0.0, row.position_seconds]]
        row.watched_percent = round(100 * share)
    done = [Completion(user=u, item=i, course=course, completed_at=at, source="rule") for u, i, at in completions]
    events += [_event(u, Verb.COMPLETED, i, at, key=f"completed-{i.pk}") for u, i, at in completions]
    ItemProgress.objects.bulk_create(progress.values(), batch_size=500)
    DailyActivity.objects.bulk_create(
        [DailyActivity(user_id=u, course=course, day=d, active_seconds=s) for (u, d), s in daily.items()],
        batch_size=500,
    )
    Completion.objects.bulk_create(done, batch_size=500)
    Event.objects.bulk_create(events, batch_size=500)
    return len(events)


def _event(user: User, verb: str, item: Item, at: datetime, key: str | None = None) -> Event:
    return Event(
        actor=user,
        verb=verb,
        course_id=item.course_id,
        item=item,
        object_type="item",
        object_id=str(item.pk),
        result={"source": "rule"} if verb == Verb.COMPLETED else {},
        context={},
        timestamp=at,
        idempotency_key=key or uuid.uuid4().hex,
    )
