"""Course reads: catalogue, outline, roster. Each is query-budgeted and filtered by the policy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db.models import Count, Prefetch, Q, QuerySet

from cadence import policy
from cadence.accounts.models import User
from cadence.courses.domain.accommodations import Effective
from cadence.courses.domain.deadlines import (
    DeadlineSpec,
    Extension,
    HasDeadline,
    Spread,
    end_of_day_spread,
    learner_deadline,
)
from cadence.courses.models import (
    STAFF_ROLES,
    Accommodation,
    Course,
    DeadlineExtension,
    Group,
    Invitation,
    Item,
    Membership,
    Module,
    Role,
    Visibility,
)
from cadence.policy import AnyUser


def staff_ids(course: Course) -> list[int]:
    """The course's teachers and teaching assistants: who hears of questions and reports."""
    return list(
        Membership.objects.filter(course=course, role__in=STAFF_ROLES).values_list("user_id", flat=True).order_by()
    )


def catalogue(user: AnyUser, *, query: str = "") -> QuerySet[Course]:
    """Published courses anyone may find, and the user's own, searched by title."""
    courses = policy.scope(user, "discover", Course.objects.all())
    if query.strip():
        courses = courses.filter(Q(title__icontains=query.strip()) | Q(summary__icontains=query.strip()))
    return courses.order_by("title", "id")


def my_courses(user: User, *, include_removed: bool = False) -> list[Membership]:
    """The user's memberships in the courses they may open, by title, in one query; with `include_removed`,
    also those in deleted courses (kept in the archive).

    Every membership is read, so the policy learns all of the user's roles from this query too.
    """
    rows = list(Membership.objects.filter(user=user).select_related("course").order_by("course__title", "id"))
    policy.remember_roles(user, rows)
    return [
        m for m in rows if policy.can(user, "view", m.course) or (include_removed and m.course.removed_at is not None)
    ]


def removed_courses(user: AnyUser) -> QuerySet[Course]:
    """Deleted courses (kept in the archive) this person may restore: their teachers', or any for an admin."""
    return (
        policy.scope(user, "restore", Course.all_objects.all())
        .select_related("removed_by")
        .order_by("-removed_at", "-id")
    )


@dataclass(frozen=True)
class Archive:
    """A course's archive: deleted modules (each with how many of its items come back with it) and items
    deleted on their own, most recent first."""

    modules: list[Module]
    items: list[Item]


def course_archive(course: Course) -> Archive:
    """Two queries whatever the archive's size."""
    modules = (
        Module.all_objects.filter(course=course, removed_at__isnull=False)
        .select_related("removed_by")
        .annotate(item_count=Count("items", filter=Q(items__removed_at__isnull=True)))
        .order_by("-removed_at", "-id")
    )
    items = (
        Item.all_objects.filter(course=course, removed_at__isnull=False)
        .select_related("module", "removed_by")
        .order_by("-removed_at", "-id")
    )
    return Archive(modules=list(modules), items=list(items))


def course_by_slug(user: AnyUser, slug: str, action: str = "view") -> Course | None:
    return policy.scope(user, action, Course.objects.all()).filter(slug=slug).first()


# What an outline row shows; loading only these keeps long courses light.
OUTLINE_ITEM_FIELDS = (
    "id", "module_id", "course_id", "kind", "title", "position", "is_published", "is_required",
    "estimated_minutes", "derived_minutes", "due_at", "due_date", "due_after_days",
)  # fmt: skip


@dataclass(frozen=True)
class Outline:
    course: Course
    modules: list[Module]
    include_hidden: bool


def course_outline(course: Course, *, include_hidden: bool) -> Outline:
    """Modules with their items in order, in two queries whatever the course's size.

    `include_hidden` is for teachers editing; learners and previews see only published entries.
    """
    modules = Module.objects.filter(course=course)
    items = Item.objects.filter(course=course).only(*OUTLINE_ITEM_FIELDS)
    if not include_hidden:
        modules = modules.filter(is_published=True)
        items = items.filter(is_published=True)
    modules = modules.prefetch_related(Prefetch("items", queryset=items.order_by("position", "id")))
    return Outline(course=course, modules=list(modules.order_by("position", "id")), include_hidden=include_hidden)


def module_outline(module: Module, *, include_hidden: bool) -> Module:
    """A module with its items prefetched in order (one query for the items)."""
    items = Item.objects.filter(module=module).only(*OUTLINE_ITEM_FIELDS)
    if not include_hidden:
        items = items.filter(is_published=True)
    return Module.objects.prefetch_related(Prefetch("items", queryset=items.order_by("position", "id"))).get(
        pk=module.pk
    )


def module_in_course(course: Course, module_id: int) -> Module | None:
    return Module.objects.filter(course=course, pk=module_id).select_related("course").first()


def item_in_course(course: Course, item_id: int) -> Item | None:
    return Item.objects.filter(course=course, pk=item_id).select_related("course", "module").first()


def item_neighbours(item: Item, *, include_hidden: bool) -> tuple[Item | None, Item | None]:
    """The items before and after this one in course order, for previous/next links."""
    ordered = Item.objects.filter(course_id=item.course_id).order_by("module__position", "module_id", "position", "id")
    if not include_hidden:
        ordered = ordered.filter(is_published=True, module__is_published=True)
    keys = list(ordered.values_list("pk", flat=True))
    try:
        index = keys.index(item.pk)
    except ValueError:
        return None, None
    wanted = [
        k for k in (keys[index - 1] if index > 0 else None, keys[index + 1] if index + 1 < len(keys) else None) if k
    ]
    found = {i.pk: i for i in Item.objects.filter(pk__in=wanted).only("id", "title", "course_id")}
    previous = found.get(keys[index - 1]) if index > 0 else None
    following = found.get(keys[index + 1]) if index + 1 < len(keys) else None
    return previous, following


def roster(course: Course, *, role: str = "", query: str = "") -> QuerySet[Membership]:
    rows = Membership.objects.filter(course=course).select_related("user").prefetch_related("groups", "observed__user")
    if role in Role.values:
        rows = rows.filter(role=role)
    if query.strip():
        rows = rows.filter(Q(user__display_name__icontains=query.strip()) | Q(user__email__icontains=query.strip()))
    return rows.order_by("role", "user__display_name", "id")


def observers_and_learners(course: Course) -> tuple[list[Membership], list[Membership]]:
    """The course's observers and learners by name, for linking one to the other: one query."""
    rows = (
        Membership.objects.filter(course=course, role__in=[Role.OBSERVER, Role.LEARNER])
        .select_related("user")
        .only("role", "user__display_name")
        .order_by("user__display_name", "id")
    )
    observers: list[Membership] = []
    learners: list[Membership] = []
    for row in rows:
        (observers if row.role == Role.OBSERVER else learners).append(row)
    return observers, learners


def role_counts(course: Course) -> dict[str, int]:
    return dict(
        Membership.objects.filter(course=course).values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )


def course_groups(course: Course) -> QuerySet[Group]:
    return Group.objects.filter(course=course).annotate(size=Count("memberships")).order_by("name")


def pending_invitations(course: Course) -> QuerySet[Invitation]:
    return Invitation.objects.filter(course=course, accepted_at__isnull=True, declined_at__isnull=True).order_by(
        "-created_at"
    )


def invitations_for(user: User, *, now: datetime) -> QuerySet[Invitation]:
    """Invitations waiting for this person's answer: sent to their email, not yet answered or expired, to a
    course that still takes people. Newest first."""
    return (
        Invitation.objects.filter(
            email=user.email.lower(), accepted_at__isnull=True, declined_at__isnull=True, expires_at__gt=now
        )
        .exclude(course__visibility=Visibility.ARCHIVED)
        .exclude(course__memberships__user=user)
        .select_related("course", "invited_by")
        .order_by("-created_at", "-id")
    )


def membership_in_course(course: Course, membership_id: int) -> Membership | None:
    return Membership.objects.filter(course=course, pk=membership_id).select_related("user", "course").first()


def membership_ids_allowed(user: AnyUser, course: Course, action: str) -> set[int]:
    """The ids of the course's memberships the user may do `action` to (message, check in), in one query."""
    return set(policy.scope(user, action, Membership.objects.filter(course=course)).values_list("pk", flat=True))


# --- Deadlines ------------------------------------------------------------------------------------------
class DatedItem(HasDeadline, Protocol):
    """An item as the deadline functions read it: a model `Item`, or its cached outline part."""

    @property
    def pk(self) -> int: ...
    @property
    def course_id(self) -> int: ...
    @property
    def has_deadline(self) -> bool: ...


def deadlines_for(user: User, items: Iterable[DatedItem]) -> dict[int, datetime]:
    """Each item's deadline for this learner (items without one are left out): three queries in all."""
    return deadlines_for_learners([user], items).get(user.pk, {})


def deadlines_for_learners(users: Sequence[User], items: Iterable[DatedItem]) -> dict[int, dict[int, datetime]]:
    """Learner id → each item's deadline for them (items without one are left out): three queries however
    many learners, so a page about several learners (the family view) asks no more than one about one.

    The one function every page, figure and reminder asks: the learner's zone, the day they joined, their
    own and their groups' extensions and the standing extension of their accommodation."""
    with_deadline = [i for i in items if i.has_deadline]
    if not with_deadline or not users:
        return {}
    course_ids = {i.course_id for i in with_deadline}
    item_ids = [i.pk for i in with_deadline]
    user_ids = [u.pk for u in users]
    memberships = {
        (m.user_id, m.course_id): m
        for m in Membership.objects.filter(user_id__in=user_ids, course_id__in=course_ids).with_accommodations()
    }
    groups_of: dict[tuple[int, int], set[int]] = {key: {g.pk for g in m.groups.all()} for key, m in memberships.items()}
    all_groups = {g for ids in groups_of.values() for g in ids}
    own: dict[tuple[int, int], Extension] = {}
    group_extensions: dict[int, list[tuple[int, Extension]]] = {}
    extensions = DeadlineExtension.objects.filter(item__in=item_ids).filter(
        user_id__in=user_ids
    ) | DeadlineExtension.objects.filter(item__in=item_ids, group_id__in=all_groups)
    for extension in extensions.only("item_id", "user_id", "group_id", "kind", "due_at", "due_date", "days"):
        if extension.user_id is not None:
            own[(extension.user_id, extension.item_id)] = extension.as_extension()
        elif extension.group_id is not None:
            group_extensions.setdefault(extension.item_id, []).append((extension.group_id, extension.as_extension()))
    result: dict[int, dict[int, datetime]] = {}
    for user in users:
        for item in with_deadline:
            membership = memberships.get((user.pk, item.course_id))
            mine = groups_of.get((user.pk, item.course_id), set())
            due = learner_deadline(
                DeadlineSpec.of(item),
                zone=user.time_zone,
                joined_at=membership.joined_at if membership else None,
                own_extension=own.get((user.pk, item.pk)),
                group_extensions=[e for g, e in group_extensions.get(item.pk, ()) if g in mine],
                standing_days=membership.effective_accommodation.extension_days if membership else 0,
            )
            if due is not None:
                result.setdefault(user.pk, {})[item.pk] = due
    return result


def deadline_for(user: User, item: Item) -> datetime | None:
    return deadlines_for(user, [item]).get(item.pk)


def item_deadline_by_learner(learners: Sequence[User], item: Item) -> dict[int, datetime]:
    """Learner id → their own deadline for the item (zone, join date, extensions): three queries for any number."""
    return {uid: due[item.pk] for uid, due in deadlines_for_learners(learners, [item]).items() if item.pk in due}


@dataclass(frozen=True)
class ExtensionRow:
    """An extension as its page shows it: what was asked, and for a learner the deadline it gives them."""

    extension: DeadlineExtension
    learner_due: datetime | None  # the learner's resulting deadline (their zone, accommodation); None for groups
    learner_zone: str


def item_extensions(item: Item) -> list[ExtensionRow]:
    """The item's extensions, groups' first then learners' by name, each learner's with the deadline it gives
    them: four queries however many."""
    rows = sorted(
        DeadlineExtension.objects.filter(item=item).select_related("user", "group", "granted_by"),
        key=lambda r: (r.user_id is not None, r.group.name if r.group else r.user.display_name if r.user else "", r.pk),
    )
    learners = [r.user for r in rows if r.user is not None]
    due = item_deadline_by_learner(learners, item) if learners else {}
    return [
        ExtensionRow(r, due.get(r.user_id) if r.user_id else None, r.user.time_zone if r.user else "") for r in rows
    ]


def learner_zones(course_ids: Iterable[int], *, among: QuerySet[Membership] | None = None) -> dict[int, set[str]]:
    """Course id → the distinct time zones of its learners (of these memberships, when given: the ones a
    viewer may see): one query, one row per (course, zone)."""
    memberships = Membership.objects.all() if among is None else among
    rows = (
        memberships.filter(course_id__in=list(course_ids), role=Role.LEARNER)
        .values_list("course_id", "user__time_zone")
        .order_by()
        .distinct()
    )
    zones: dict[int, set[str]] = {}
    for course_id, zone in rows:
        zones.setdefault(course_id, set()).add(zone or "UTC")
    return zones


def deadline_spread(item: Item) -> Spread | None:
    """For an item due at the end of a day in each learner's zone: when that passes first and last across
    the course's learners (before their extensions and accommodations). One query; None for other kinds."""
    if item.due_date is None:
        return None
    return end_of_day_spread(item.due_date, learner_zones([item.course_id]).get(item.course_id, ()))


# --- Accommodations -------------------------------------------------------------------------------------
def accommodation_for(user: User, course_id: int) -> Effective:
    """What applies to this learner in this course (nothing for anyone else): two queries."""
    return policy.accommodation_of(user, course_id)


def accommodations_by_learner(
    viewer: AnyUser, course: Course, user_ids: Iterable[int] | None = None
) -> dict[int, Effective]:
    """Learner id → what applies to them, for the course's learners (or those among `user_ids`) who have an
    accommodation of their own or through a group and whose accommodations the viewer may see (a group-limited
    TA: their groups' learners). Two queries however many learners."""
    memberships = Membership.objects.filter(course=course, role=Role.LEARNER).filter(
        Q(accommodation__isnull=False) | Q(groups__accommodation__isnull=False)
    )
    if user_ids is not None:
        memberships = memberships.filter(user_id__in=list(user_ids))
    visible = policy.scope(viewer, "view_accommodations", Membership.objects.filter(pk__in=memberships.values("pk")))
    rows = Membership.objects.with_accommodations().filter(pk__in=visible.values("pk"))
    found = {m.user_id: m.effective_accommodation for m in rows}
    return {user_id: effective for user_id, effective in found.items() if effective.is_set}


def course_accommodations(viewer: AnyUser, course: Course) -> list[Accommodation]:
    """The course's accommodations the viewer may see: groups' first, then learners', by name. One query."""
    rows = policy.scope(viewer, "view", Accommodation.objects.filter(course=course))
    return list(
        rows.select_related("membership__user", "group", "granted_by").order_by(
            "membership", "group__name", "membership__user__display_name", "id"
        )
    )
