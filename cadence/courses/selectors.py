"""Course reads: catalogue, outline, roster. Each is query-budgeted and filtered by the policy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from cadence import policy
from cadence.accounts.models import User
from cadence.courses import deadlines
from cadence.courses.models import (
    STAFF_ROLES,
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


def learners_deadlines(items: Sequence[Item], memberships: Sequence[Membership]) -> dict[int, dict[int, datetime]]:
    """user id → item id → that learner's deadline, for many learners of one course at once (items without
    a deadline are left out): two queries, however many learners. The same rules as
    `deadlines.deadlines_for` (the learner's own extension, else the latest of their groups', else the
    item's own deadline in the learner's zone); memberships need their `user` loaded."""
    with_deadline = [i for i in items if i.has_deadline]
    if not with_deadline or not memberships:
        return {}
    through = Membership.groups.through
    groups: dict[int, set[int]] = {}
    for membership_id, group_id in through.objects.filter(membership_id__in=[m.pk for m in memberships]).values_list(
        "membership_id", "group_id"
    ):
        groups.setdefault(membership_id, set()).add(group_id)
    all_groups = {g for gs in groups.values() for g in gs}
    user_ids = [m.user_id for m in memberships]
    own: dict[tuple[int, int], datetime] = {}
    by_group: dict[tuple[int, int], datetime] = {}
    rows = DeadlineExtension.objects.filter(item_id__in=[i.pk for i in with_deadline]).filter(
        Q(user_id__in=user_ids) | Q(group_id__in=all_groups)
    )
    for item_id, user_id, group_id, due_at in rows.values_list("item_id", "user_id", "group_id", "due_at"):
        if user_id is not None:
            own[(item_id, user_id)] = due_at
        elif group_id is not None:
            by_group[(item_id, group_id)] = due_at
    result: dict[int, dict[int, datetime]] = {}
    for membership in memberships:
        mine: dict[int, datetime] = {}
        my_groups = groups.get(membership.pk, set())
        for item in with_deadline:
            due = deadlines.learner_deadline(
                deadlines.DeadlineSpec.of(item),
                zone=membership.user.time_zone,
                joined_at=membership.joined_at,
                own_extension=own.get((item.pk, membership.user_id)),
                group_extensions=[d for g in my_groups if (d := by_group.get((item.pk, g))) is not None],
            )
            if due is not None:
                mine[item.pk] = due
        result[membership.user_id] = mine
    return result
