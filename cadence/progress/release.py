"""Release conditions: which items and modules are open to a learner now, and if not, why and when.

Reads are batched: one call answers for a whole course in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from cadence.accounts.models import User
from cadence.courses.models import Course, Item, Membership, Module
from cadence.progress.models import Completion, ReleaseOverride, ReleaseRule, ZoneBasis


@dataclass(frozen=True)
class Lock:
    reason: str
    opens_at: datetime | None = None  # known when only a date holds it back


@dataclass(frozen=True)
class Availability:
    item_locks: dict[int, Lock]
    module_locks: dict[int, Lock]

    def lock_for(self, item: Item) -> Lock | None:
        return self.module_locks.get(item.module_id) or self.item_locks.get(item.pk)


OPEN = Availability(item_locks={}, module_locks={})


def target_lookup(target: Item | Module) -> dict[str, Item | Module]:
    """Filter arguments for rows that point at an item or at a module."""
    return {"item": target} if isinstance(target, Item) else {"module": target}


def opening_instant(rule: ReleaseRule, *, course: Course, user: User) -> datetime | None:
    """The moment a dated rule opens, in the course's zone or in the learner's own."""
    if rule.open_date is None:
        return None
    zone = ZoneInfo(course.time_zone if rule.zone_basis == ZoneBasis.COURSE else user.time_zone)
    return datetime.combine(rule.open_date, rule.open_time or time(0, 0), tzinfo=zone)


def availability(
    user: User,
    course: Course,
    *,
    completed_item_ids: frozenset[int] | set[int],
    now: datetime,
) -> Availability:
    """Locks for a learner in a course (3 queries). Staff never see locks: call this for learners only."""
    rules = list(
        ReleaseRule.objects.filter(course=course)
        .select_related("after_item__module", "after_module")
        .prefetch_related("groups")
    )
    if not rules:
        return OPEN
    membership = Membership.objects.filter(user=user, course=course).prefetch_related("groups").first()
    my_groups = {g.pk for g in membership.groups.all()} if membership else set()
    overrides = set(ReleaseOverride.objects.filter(user=user, course=course).values_list("item_id", "module_id"))
    overridden_items = {i for i, _m in overrides if i}
    overridden_modules = {m for _i, m in overrides if m}
    module_items = _required_items_by_module(course) if any(r.after_module_id for r in rules) else {}

    item_locks: dict[int, Lock] = {}
    module_locks: dict[int, Lock] = {}
    for rule in rules:
        if rule.item_id in overridden_items or rule.module_id in overridden_modules:
            continue
        lock = _lock(
            rule,
            course=course,
            user=user,
            my_groups=my_groups,
            completed=completed_item_ids,
            module_items=module_items,
            now=now,
        )
        if lock is None:
            continue
        if rule.item_id:
            item_locks[rule.item_id] = lock
        elif rule.module_id:
            module_locks[rule.module_id] = lock
    return Availability(item_locks=item_locks, module_locks=module_locks)


def learner_availability(user: User, course: Course, *, now: datetime) -> Availability:
    """Availability when the caller has no completions at hand: one query if the course has no rules."""
    if not ReleaseRule.objects.filter(course=course).exists():
        return OPEN
    completed = frozenset(Completion.objects.filter(user=user, course=course).values_list("item_id", flat=True))
    return availability(user, course, completed_item_ids=completed, now=now)


def _required_items_by_module(course: Course) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    rows = Item.objects.filter(course=course, is_published=True, is_required=True).values_list("module_id", "pk")
    for module_id, item_id in rows:
        result.setdefault(module_id, set()).add(item_id)
    return result


def _archived(target: Item | Module | None) -> bool:
    if target is None:
        return True
    if isinstance(target, Item):
        return target.removed_at is not None or target.module.removed_at is not None
    return target.removed_at is not None


def _lock(
    rule: ReleaseRule,
    *,
    course: Course,
    user: User,
    my_groups: set[int],
    completed: frozenset[int] | set[int],
    module_items: dict[int, set[int]],
    now: datetime,
) -> Lock | None:
    rule_groups = {g.pk for g in rule.groups.all()}
    if rule_groups and not (rule_groups & my_groups):
        return Lock(_("This is for other groups of the course."))
    reasons: list[str] = []
    # A prerequisite in the course archive holds nothing back while it is there (restoring it brings the
    # condition back): learners could not complete it.
    if rule.after_item_id and rule.after_item_id not in completed and not _archived(rule.after_item):
        reasons.append(
            _("Opens when you complete “%(title)s”.") % {"title": rule.after_item.title if rule.after_item else ""}
        )
    if (
        rule.after_module_id
        and not _archived(rule.after_module)
        and not module_items.get(rule.after_module_id, set()) <= set(completed)
    ):
        title = rule.after_module.title if rule.after_module else ""
        reasons.append(_("Opens when you complete the module “%(title)s”.") % {"title": title})
    opens_at = opening_instant(rule, course=course, user=user)
    if opens_at is not None and now < opens_at:
        reasons.append(_("Opens on a set date."))
    elif opens_at is not None:
        opens_at = None
    if not reasons:
        return None
    return Lock(reason=" ".join(reasons), opens_at=opens_at)
