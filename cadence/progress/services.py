"""Recording learner activity and keeping completion and progress aggregates up to date."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import InvalidInput, NotAllowed
from cadence.courses.models import CompletionRule, Group, Item, Module
from cadence.insights import services as insights_services
from cadence.progress import ranges, release
from cadence.progress.models import (
    Completion,
    DailyActivity,
    Event,
    ItemProgress,
    ReleaseOverride,
    ReleaseRule,
    Verb,
    ZoneBasis,
)

# A heartbeat counts at most this much active time: a tab left open is not study time.
HEARTBEAT_CAP = timedelta(seconds=30)
# Client timestamps further than this from the server's clock are replaced by the server's.
CLOCK_SKEW = timedelta(minutes=10)
BEACON_VERBS = frozenset({Verb.PROGRESSED, Verb.PAUSED, Verb.HEARTBEAT, Verb.STARTED})


def is_tracked(user: User, item: Item) -> bool:
    """Only learners' activity counts; teachers and previews leave no trace in progress."""
    return policy.learns_in(user, item.course_id)


def _progress_row(user: User, item: Item) -> ItemProgress:
    row, _created = ItemProgress.objects.select_for_update().get_or_create(
        user=user, item=item, defaults={"course_id": item.course_id}
    )
    return row


def _event(
    *,
    user: User,
    verb: str,
    item: Item,
    now: datetime,
    key: str | None = None,
    result: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    timestamp: datetime | None = None,
) -> Event | None:
    """Append one event; None if this (actor, key) was stored before."""
    fields = {
        "actor": user,
        "verb": verb,
        "course_id": item.course_id,
        "item": item,
        "object_type": "item",
        "object_id": str(item.pk),
        "result": dict(result or {}),
        "context": dict(context or {}),
        "timestamp": timestamp or now,
    }
    if key is None:  # a fresh random key cannot collide: no savepoint needed
        return Event.objects.create(**fields, idempotency_key=uuid.uuid4().hex)
    try:
        with transaction.atomic():
            return Event.objects.create(**fields, idempotency_key=key)
    except IntegrityError:
        return None


def record_activity(
    *,
    user: User,
    verb: str,
    course_id: int,
    object_type: str,
    object_id: str,
    now: datetime,
    item: Item | None = None,
    result: Mapping[str, Any] | None = None,
) -> Event | None:
    """An event about something other than an item's progress: a search in a course, a library download.

    Like all progress, only learners' activity is recorded.
    """
    if not policy.learns_in(user, course_id):
        return None
    return Event.objects.create(
        actor=user,
        verb=verb,
        course_id=course_id,
        item=item,
        object_type=object_type,
        object_id=object_id,
        result=dict(result or {}),
        timestamp=now,
        idempotency_key=uuid.uuid4().hex,
    )


@transaction.atomic
def mark_complete(*, user: User, item: Item, now: datetime, source: str = "rule") -> Completion:
    """Record that a learner completed an item. Idempotent: the first time of record stays."""
    existing = Completion.objects.filter(user=user, item=item).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            completion = Completion.objects.create(
                user=user, item=item, course_id=item.course_id, completed_at=now, source=source
            )
    except IntegrityError:  # completed by a concurrent request a moment ago
        return Completion.objects.get(user=user, item=item)
    _event(user=user, verb=Verb.COMPLETED, item=item, now=now, key=f"completed-{item.pk}", result={"source": source})
    insights_services.learner_changed(course_id=item.course_id, user_id=user.pk)
    return completion


def record_view(*, user: User, item: Item, now: datetime) -> bool:
    """A learner opened an item page; True when that was written, False when it was already on record.

    Reopening the item the learner is on (their latest viewed item of all, so the course's and the dashboard's
    "continue" point here already) within `VIEW_REFRESH_MINUTES` of its last record writes nothing: no
    transaction, no event, no refresh. A first view, a completion by viewing and a move to another item are
    always written at once (ADR 0012). The check reads outside any transaction: on SQLite a transaction takes
    the write lock when it begins."""
    if not is_tracked(user, item) or _view_on_record(user, item, now):
        return False
    _write_view(user=user, item=item, now=now)
    return True


def _view_on_record(user: User, item: Item, now: datetime) -> bool:
    """Is this view on record already? Yes when the learner's latest viewed item of all is this one, with a
    first view, last viewed within the window, and completed if viewing completes it (checked, never
    assumed). One query."""
    latest = (
        ItemProgress.objects.filter(user=user, last_viewed_at__isnull=False)
        .annotate(completed=Exists(Completion.objects.filter(user=user, item_id=OuterRef("item_id"))))
        .order_by("-last_viewed_at")
        .values_list("item_id", "first_viewed_at", "last_viewed_at", "completed")
        .first()
    )
    if latest is None:
        return False
    item_id, first_viewed_at, last_viewed_at, completed = latest
    window = timedelta(minutes=settings.VIEW_REFRESH_MINUTES)
    if item_id != item.pk or first_viewed_at is None or last_viewed_at is None or now - last_viewed_at >= window:
        return False
    return completed or item.completion_rule != CompletionRule.VIEWED


def _touch_view(user: User, item: Item, now: datetime) -> bool:
    """Move the learner's row for the item to this view; False when there is no row yet."""
    first = Coalesce(F("first_viewed_at"), Value(now, output_field=DateTimeField()))
    return bool(ItemProgress.objects.filter(user=user, item=item).update(last_viewed_at=now, first_viewed_at=first))


@transaction.atomic
def _write_view(*, user: User, item: Item, now: datetime) -> None:
    if not _touch_view(user, item, now):  # the first visit
        try:
            with transaction.atomic():
                ItemProgress.objects.create(
                    user=user, item=item, course_id=item.course_id, first_viewed_at=now, last_viewed_at=now
                )
        except IntegrityError:  # a concurrent first view created it a moment ago
            _touch_view(user, item, now)
    _event(user=user, verb=Verb.VIEWED, item=item, now=now)
    insights_services.activity_recorded(course_id=item.course_id, user_id=user.pk)
    if item.completion_rule == CompletionRule.VIEWED:
        mark_complete(user=user, item=item, now=now)


@transaction.atomic
def mark_done(*, user: User, item: Item, now: datetime) -> Completion:
    """The learner says they have finished an item whose rule is "marked done"."""
    if not policy.can(user, "view", item) or not is_tracked(user, item):
        raise NotAllowed(_("Only learners in this course can mark items done."))
    if item.completion_rule != CompletionRule.MARKED_DONE:
        raise InvalidInput(_("This item is completed by its own rule, not by marking it done."))
    _refuse_locked(user, [item], now=now)
    _event(user=user, verb=Verb.MARKED_DONE, item=item, now=now, key=f"marked-done-{item.pk}")
    return mark_complete(user=user, item=item, now=now, source="learner")


@transaction.atomic
def set_review_mark(*, user: User, item: Item, marked: bool) -> ItemProgress:
    """A learner keeps (or drops) a "review this" mark on an item, completed or not."""
    if not policy.can(user, "view", item):
        raise NotAllowed(_("You cannot see this item."))
    row = _progress_row(user, item)
    row.marked_for_review = marked
    row.save(update_fields=["marked_for_review"])
    return row


@dataclass(frozen=True)
class BeaconEvent:
    key: str
    verb: str
    item_id: int
    timestamp: datetime | None = None
    position: float | None = None
    duration: float | None = None
    watched_from: float | None = None
    watched_to: float | None = None


@dataclass(frozen=True)
class BeaconResult:
    stored: int
    duplicates: int


def _bounded_time(timestamp: datetime | None, now: datetime) -> datetime:
    if timestamp is None or abs(timestamp - now) > CLOCK_SKEW:
        return now
    return timestamp


@transaction.atomic
def ingest_beacon(*, user: User, events: Sequence[BeaconEvent], now: datetime) -> BeaconResult:
    """Store a batch of client events once each; reject the whole batch if any is not the user's to send."""
    if not events:
        return BeaconResult(stored=0, duplicates=0)
    items = {
        i.pk: i for i in Item.objects.filter(pk__in={e.item_id for e in events}).select_related("course", "module")
    }
    for event in events:
        item = items.get(event.item_id)
        if item is None or not policy.can(user, "view", item):
            raise NotAllowed(_("Item %(id)s is not one you can send activity for.") % {"id": event.item_id})
        if event.verb not in BEACON_VERBS:
            raise InvalidInput(_("“%(verb)s” cannot be sent by a client.") % {"verb": event.verb})
    _refuse_locked(user, list(items.values()), now=now)
    stored = duplicates = 0
    for event in events:
        item = items[event.item_id]
        when = _bounded_time(event.timestamp, now)
        result = {
            k: v
            for k, v in {
                "position": event.position,
                "duration": event.duration,
                "from": event.watched_from,
                "to": event.watched_to,
            }.items()
            if v is not None
        }
        if _event(user=user, verb=event.verb, item=item, now=now, key=event.key, result=result, timestamp=when) is None:
            duplicates += 1
            continue
        stored += 1
        if is_tracked(user, item):
            _apply(user=user, item=item, event=event, when=when, now=now)
            insights_services.activity_recorded(course_id=item.course_id, user_id=user.pk)
    return BeaconResult(stored=stored, duplicates=duplicates)


def _refuse_locked(user: User, items: Sequence[Item], *, now: datetime) -> None:
    """Learners cannot act on items that are not open to them yet."""
    by_course: dict[int, list[Item]] = {}
    for item in items:
        if is_tracked(user, item):
            by_course.setdefault(item.course_id, []).append(item)
    for course_items in by_course.values():
        locks = release.learner_availability(user, course_items[0].course, now=now)
        for item in course_items:
            if locks.lock_for(item) is not None:
                raise NotAllowed(_("“%(title)s” is not open to you yet.") % {"title": item.title})


def _apply(*, user: User, item: Item, event: BeaconEvent, when: datetime, now: datetime) -> None:
    row = _progress_row(user, item)
    fields = ["last_viewed_at"]
    row.last_viewed_at = max(filter(None, [row.last_viewed_at, when]))
    if event.position is not None:
        row.position_seconds = max(0.0, event.position)
        fields.append("position_seconds")
    if event.duration:
        row.duration_seconds = event.duration
        fields.append("duration_seconds")
    if event.watched_from is not None and event.watched_to is not None:
        merged = ranges.merge([*row.watched_ranges, (event.watched_from, event.watched_to)])
        row.watched_ranges = [list(r) for r in merged]
        row.watched_percent = ranges.covered_percent(merged, row.duration_seconds)
        fields += ["watched_ranges", "watched_percent"]
    if event.verb == Verb.HEARTBEAT:
        gained = _active_gain(row.last_heartbeat_at, when)
        row.last_heartbeat_at = when
        fields += ["last_heartbeat_at"]
        if gained:
            row.active_seconds = F("active_seconds") + gained
            fields.append("active_seconds")
            _add_daily(user=user, item=item, when=when, seconds=gained)
    row.save(update_fields=fields)
    if (
        item.completion_rule == CompletionRule.WATCHED
        and event.watched_to is not None
        and ItemProgress.objects.filter(pk=row.pk, watched_percent__gte=item.completion_threshold).exists()
    ):
        mark_complete(user=user, item=item, now=now)


def _active_gain(previous: datetime | None, when: datetime) -> int:
    if previous is None:
        return int(HEARTBEAT_CAP.total_seconds() // 2)  # the first beat of a visit: half a period
    gap = when - previous
    if gap <= timedelta(0):
        return 0
    return int(min(gap, HEARTBEAT_CAP).total_seconds())


def _add_daily(*, user: User, item: Item, when: datetime, seconds: int) -> None:
    day = when.astimezone(ZoneInfo(user.time_zone)).date()
    updated = DailyActivity.objects.filter(user=user, course_id=item.course_id, day=day).update(
        active_seconds=F("active_seconds") + seconds
    )
    if updated:
        return
    try:
        with transaction.atomic():
            DailyActivity.objects.create(user=user, course_id=item.course_id, day=day, active_seconds=seconds)
    except IntegrityError:  # another request created today's row first
        DailyActivity.objects.filter(user=user, course_id=item.course_id, day=day).update(
            active_seconds=F("active_seconds") + seconds
        )


# --- Release conditions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReleaseSpec:
    after_item: Item | None = None
    after_module: Module | None = None
    open_date: date | None = None
    open_time: time | None = None
    zone_basis: str = ZoneBasis.LEARNER
    groups: Sequence[Group] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.after_item or self.after_module or self.open_date or self.groups)


def _check_spec(target: Item | Module, spec: ReleaseSpec) -> None:
    course_id = target.course_id
    if spec.after_item is not None:
        if spec.after_item.course_id != course_id:
            raise InvalidInput(_("The item to complete first must be in the same course."))
        if isinstance(target, Item) and spec.after_item.pk == target.pk:
            raise InvalidInput(_("An item cannot wait for itself."))
        if isinstance(target, Module) and spec.after_item.module_id == target.pk:
            raise InvalidInput(_("A module cannot wait for one of its own items."))
    if spec.after_module is not None:
        if spec.after_module.course_id != course_id:
            raise InvalidInput(_("The module to complete first must be in the same course."))
        own_module = target.pk if isinstance(target, Module) else target.module_id
        if spec.after_module.pk == own_module:
            raise InvalidInput(_("An item or module cannot wait for its own module."))
    if spec.open_time is not None and spec.open_date is None:
        raise InvalidInput(_("Give a date for the opening time."))
    if spec.zone_basis not in ZoneBasis.values:
        raise InvalidInput(_("Choose the course's time zone or each learner's."))
    if any(g.course_id != course_id for g in spec.groups):
        raise InvalidInput(_("Groups must belong to the same course."))


@transaction.atomic
def set_release_rule(*, actor: User, target: Item | Module, spec: ReleaseSpec) -> ReleaseRule | None:
    """Set (or, with an empty spec, remove) the release rule of an item or a module."""
    policy.require(actor, "edit", target)
    _check_spec(target, spec)
    lookup = release.target_lookup(target)
    if spec.is_empty:
        ReleaseRule.objects.filter(**lookup).delete()
        audit.record(actor=actor, verb="release.cleared", obj=target, course_id=target.course_id)
        return None
    rule, _created = ReleaseRule.objects.update_or_create(
        **lookup,  # type: ignore[arg-type]  # "item" or "module", both foreign keys of the rule
        defaults={
            "course_id": target.course_id,
            "after_item": spec.after_item,
            "after_module": spec.after_module,
            "open_date": spec.open_date,
            "open_time": spec.open_time,
            "zone_basis": spec.zone_basis,
        },
    )
    rule.groups.set(spec.groups)
    audit.record(
        actor=actor,
        verb="release.set",
        obj=target,
        course_id=target.course_id,
        after_item=spec.after_item.pk if spec.after_item else None,
        after_module=spec.after_module.pk if spec.after_module else None,
        open_date=spec.open_date.isoformat() if spec.open_date else None,
        groups=[g.pk for g in spec.groups],
    )
    return rule


@transaction.atomic
def grant_release_override(*, actor: User, target: Item | Module, learner: User, now: datetime) -> ReleaseOverride:
    """Open an item or module early for one learner (an accommodation); recorded in the audit log."""
    policy.require(actor, "edit", target)
    if not policy.learns_in(learner, target.course_id):
        raise InvalidInput(_("Only a learner of this course can be given early access."))
    lookup = release.target_lookup(target)
    override, _created = ReleaseOverride.objects.get_or_create(
        user=learner, **lookup, defaults={"course_id": target.course_id, "granted_by": actor, "granted_at": now}
    )
    audit.record(
        actor=actor, verb="release.override_granted", obj=target, course_id=target.course_id, learner=learner.pk
    )
    return override


@transaction.atomic
def revoke_release_override(*, actor: User, override: ReleaseOverride) -> None:
    target: Item | Module = override.item or override.module  # type: ignore[assignment]  # one is always set
    policy.require(actor, "edit", target)
    audit.record(
        actor=actor, verb="release.override_revoked", obj=target, course_id=override.course_id, learner=override.user_id
    )
    override.delete()
