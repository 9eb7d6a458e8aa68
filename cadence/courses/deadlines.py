"""Deadlines in each learner's own time: the one place that says when an item is due for a learner.

An item is due at a fixed instant (the same for everyone), at the end of a calendar day in each
learner's own time zone, or at the end of the day N days after the learner joined (self-paced).
Extensions for one learner, or for one of their groups, replace it: the learner's own first, else
the latest of their groups'. "End of a day" is 23:59:59 local time, computed with the zone's own
rules, so a change to or from summer time never makes work late an hour early.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cadence.accounts.models import User
from cadence.courses.models import DeadlineExtension, Item, Membership

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class DeadlineSpec:
    due_at: datetime | None = None
    due_date: date | None = None
    due_after_days: int | None = None

    @classmethod
    def of(cls, item: Item) -> DeadlineSpec:
        return cls(item.due_at, item.due_date, item.due_after_days)

    @property
    def is_set(self) -> bool:
        return self.due_at is not None or self.due_date is not None or self.due_after_days is not None


def end_of_day(day: date, zone: str) -> datetime:
    """23:59:59 on `day` in `zone`, as an aware datetime (a real instant even on a DST change day)."""
    local = datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(zone))
    # Round-trip through UTC so a wall time that does not exist is moved forward the way the zone does.
    return local.astimezone(ZoneInfo("UTC")).astimezone(ZoneInfo(zone))


def base_deadline(spec: DeadlineSpec, *, zone: str, joined_at: datetime | None) -> datetime | None:
    if spec.due_at is not None:
        return spec.due_at
    if spec.due_date is not None:
        return end_of_day(spec.due_date, zone)
    if spec.due_after_days is not None and joined_at is not None:
        joined_day = joined_at.astimezone(ZoneInfo(zone)).date()
        return end_of_day(joined_day + timedelta(days=spec.due_after_days), zone)
    return None


def learner_deadline(
    spec: DeadlineSpec,
    *,
    zone: str,
    joined_at: datetime | None,
    own_extension: datetime | None = None,
    group_extensions: Sequence[datetime] = (),
) -> datetime | None:
    if own_extension is not None:
        return own_extension
    if group_extensions:
        return max(group_extensions)
    return base_deadline(spec, zone=zone, joined_at=joined_at)


def deadlines_for(user: User, items: Iterable[Item]) -> dict[int, datetime]:
    """Each item's deadline for this learner (items without one are left out): three queries in all."""
    return deadlines_for_learners([user], items).get(user.pk, {})


def deadlines_for_learners(users: Sequence[User], items: Iterable[Item]) -> dict[int, dict[int, datetime]]:
    """Learner id → each item's deadline for them (items without one are left out): three queries however
    many learners, so a page about several learners (the family view) asks no more than one about one."""
    with_deadline = [i for i in items if i.has_deadline]
    if not with_deadline or not users:
        return {}
    course_ids = {i.course_id for i in with_deadline}
    item_ids = [i.pk for i in with_deadline]
    user_ids = [u.pk for u in users]
    memberships = {
        (m.user_id, m.course_id): m
        for m in Membership.objects.filter(user_id__in=user_ids, course_id__in=course_ids).prefetch_related("groups")
    }
    groups_of: dict[int, set[int]] = {}
    for (user_id, _course_id), m in memberships.items():
        groups_of.setdefault(user_id, set()).update(g.pk for g in m.groups.all())
    all_groups = {g for ids in groups_of.values() for g in ids}
    own: dict[tuple[int, int], datetime] = {}
    by_group: dict[tuple[int, int], list[datetime]] = {}
    extensions = DeadlineExtension.objects.filter(item__in=item_ids).filter(
        user_id__in=user_ids
    ) | DeadlineExtension.objects.filter(item__in=item_ids, group_id__in=all_groups)
    group_extensions: dict[int, list[tuple[int, datetime]]] = {}
    for extension in extensions.only("item_id", "user_id", "group_id", "due_at"):
        if extension.user_id is not None:
            own[(extension.user_id, extension.item_id)] = extension.due_at
        elif extension.group_id is not None:
            group_extensions.setdefault(extension.item_id, []).append((extension.group_id, extension.due_at))
    for user_id in user_ids:
        mine = groups_of.get(user_id, set())
        for item_id, rows in group_extensions.items():
            dues = [due for group_id, due in rows if group_id in mine]
            if dues:
                by_group[(user_id, item_id)] = dues
    result: dict[int, dict[int, datetime]] = {}
    for user in users:
        for item in with_deadline:
            membership = memberships.get((user.pk, item.course_id))
            due = learner_deadline(
                DeadlineSpec.of(item),
                zone=user.time_zone,
                joined_at=membership.joined_at if membership else None,
                own_extension=own.get((user.pk, item.pk)),
                group_extensions=by_group.get((user.pk, item.pk), ()),
            )
            if due is not None:
                result.setdefault(user.pk, {})[item.pk] = due
    return result


def deadline_for(user: User, item: Item) -> datetime | None:
    return deadlines_for(user, [item]).get(item.pk)
