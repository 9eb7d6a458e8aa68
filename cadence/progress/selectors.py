"""Progress reads for pages: each runs a fixed number of queries whatever the course's size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from cadence.accounts.models import User
from cadence.courses import selectors as course_selectors
from cadence.courses.models import Course, Item, Module, Visibility
from cadence.progress import release
from cadence.progress.models import Completion, DailyActivity, Event, ItemProgress, ReleaseOverride, ReleaseRule
from cadence.progress.release import Availability, Lock
from cadence.progress.release import availability as availability  # read by the course page
from cadence.progress.release import learner_availability as learner_availability  # read by content and the policy


@dataclass(frozen=True)
class ModuleProgress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else self.done * 100 // self.total


@dataclass(frozen=True)
class CourseProgress:
    done: int
    total: int
    completed_item_ids: frozenset[int]
    review_item_ids: frozenset[int]
    modules: dict[int, ModuleProgress] = field(default_factory=dict)
    ordered_item_ids: tuple[int, ...] = ()
    module_of: dict[int, int] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else self.done * 100 // self.total


LearnerItems = Sequence[tuple[int, int, bool]]


def _learner_items(course: Course) -> LearnerItems:
    """(item id, module id, required) of every item learners see, in course order."""
    rows = (
        Item.objects.filter(course=course, is_published=True, module__is_published=True)
        .order_by("module__position", "module_id", "position", "id")
        .values_list("pk", "module_id", "is_required")
    )
    return list(rows)


def course_progress(user: User, course: Course, items: LearnerItems | None = None) -> CourseProgress:
    """Share of required items complete, for the course and each module (3 queries, 2 given `items`).

    `items` are (item id, module id, required) of what learners see, in course order, when the page has
    loaded them already (the course outline); otherwise they are read here.
    """
    items = _learner_items(course) if items is None else items
    completed = frozenset(Completion.objects.filter(user=user, course=course).values_list("item_id", flat=True))
    review = frozenset(
        ItemProgress.objects.filter(user=user, course=course, marked_for_review=True).values_list("item_id", flat=True)
    )
    per_module: dict[int, list[int]] = {}
    done = total = 0
    for item_id, module_id, required in items:
        counts = per_module.setdefault(module_id, [0, 0])
        if required:
            counts[1] += 1
            total += 1
            if item_id in completed:
                counts[0] += 1
                done += 1
    return CourseProgress(
        done=done,
        total=total,
        completed_item_ids=completed,
        review_item_ids=review,
        modules={m: ModuleProgress(done=c[0], total=c[1]) for m, c in per_module.items()},
        ordered_item_ids=tuple(item_id for item_id, _m, _r in items),
        module_of={item_id: module_id for item_id, module_id, _r in items},
    )


@dataclass(frozen=True)
class NextStep:
    item: Item
    position_seconds: float
    started: bool


def next_step(
    user: User,
    course: Course,
    progress: CourseProgress | None = None,
    availability: Availability | None = None,
) -> NextStep | None:
    """Where to continue: the last item viewed if unfinished, else the first unfinished open item in order.

    Pass the learner's `course_progress` and `availability` when the page has them, to save queries.
    """
    progress = progress or course_progress(user, course)
    completed = set(progress.completed_item_ids)
    if availability is not None:
        completed |= set(availability.item_locks)  # locked items are not a next step
        completed |= {i for i, m in progress.module_of.items() if m in availability.module_locks}
    recent = (
        ItemProgress.objects.filter(user=user, course=course, last_viewed_at__isnull=False)
        .order_by("-last_viewed_at")
        .values_list("item_id", "position_seconds")
        .first()
    )
    if recent and recent[0] in progress.ordered_item_ids and recent[0] not in completed:
        target, position, started = recent[0], float(recent[1]), True
    else:
        pending = [item_id for item_id in progress.ordered_item_ids if item_id not in completed]
        if not pending:
            return None
        target, position, started = pending[0], 0.0, False
    item = Item.objects.select_related("module").get(pk=target)
    return NextStep(item=item, position_seconds=position, started=started)


def resume_position(user: User, item: Item) -> float:
    saved = ItemProgress.objects.filter(user=user, item=item).values_list("position_seconds", flat=True).first()
    return float(saved or 0.0)


@dataclass(frozen=True)
class ItemState:
    completed_at: datetime | None
    marked_for_review: bool
    position_seconds: float
    watched_percent: int


def item_state(user: User, item: Item) -> ItemState:
    completed_at = Completion.objects.filter(user=user, item=item).values_list("completed_at", flat=True).first()
    row = (
        ItemProgress.objects.filter(user=user, item=item)
        .values("marked_for_review", "position_seconds", "watched_percent")
        .first()
    )
    return ItemState(
        completed_at=completed_at,
        marked_for_review=bool(row and row["marked_for_review"]),
        position_seconds=float(row["position_seconds"]) if row else 0.0,
        watched_percent=int(row["watched_percent"]) if row else 0,
    )


def week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


def seconds_studied_this_week(user: User, *, now: datetime) -> int:
    today = now.astimezone(ZoneInfo(user.time_zone)).date()
    total = DailyActivity.objects.filter(user=user, day__gte=week_start(today), day__lte=today).aggregate(
        s=Sum("active_seconds")
    )["s"]
    return int(total or 0)


@dataclass(frozen=True)
class RecentActivity:
    verb: str
    item_id: int
    item_title: str
    course_slug: str
    course_title: str
    timestamp: datetime


def recent_activity(user: User, *, limit: int = 6) -> list[RecentActivity]:
    """The learner's latest item views and completions, newest first (one query)."""
    rows = (
        Event.objects.filter(actor=user, verb__in=["viewed", "completed"], item__isnull=False)
        .filter(item__in=Item.objects.all())  # nothing in the course archive
        .order_by("-timestamp", "-id")
        .values_list("verb", "item_id", "item__title", "course__slug", "course__title", "timestamp")[: limit * 3]
    )
    seen: set[tuple[str, int]] = set()
    result: list[RecentActivity] = []
    for verb, item_id, title, slug, course_title, when in rows:
        if (verb, item_id) in seen:
            continue  # a page opened three times is one line
        seen.add((verb, item_id))
        result.append(RecentActivity(verb, item_id, title, slug, course_title, when))
        if len(result) == limit:
            break
    return result


def progress_by_course(user: User, course_ids: Sequence[int]) -> dict[int, ModuleProgress]:
    """Done and total required items for each of the learner's courses, in two queries in all."""
    found = progress_for_learners([(user.pk, cid) for cid in course_ids])
    return {cid: found[(user.pk, cid)] for cid in course_ids}


def progress_for_learners(pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], ModuleProgress]:
    """(learner id, course id) → done and total required items, for many learners at once: two queries,
    each counting in SQL (a course's thousand item ids never travel to Python)."""
    course_ids = {cid for _uid, cid in pairs}
    user_ids = {uid for uid, _cid in pairs}
    required = Item.objects.filter(
        course_id__in=course_ids, is_published=True, module__is_published=True, is_required=True
    )
    counted = required.order_by().values("course_id").annotate(n=Count("pk")).values_list("course_id", "n")
    totals: dict[int, int] = dict.fromkeys(course_ids, 0) | dict(counted)
    done: dict[tuple[int, int], int] = dict.fromkeys(pairs, 0)
    completed = (
        Completion.objects.filter(user_id__in=user_ids, course_id__in=course_ids, item__in=required)
        .order_by()
        .values("user_id", "course_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "course_id", "n")
    )
    for user_id, course_id, count in completed:
        if (user_id, course_id) in done:
            done[(user_id, course_id)] = count
    return {pair: ModuleProgress(done=done[pair], total=totals[pair[1]]) for pair in pairs}


def last_course_viewed(user: User, course_ids: Sequence[int]) -> int | None:
    return (
        ItemProgress.objects.filter(user=user, course_id__in=course_ids, last_viewed_at__isnull=False)
        .order_by("-last_viewed_at")
        .values_list("course_id", flat=True)
        .first()
    )


def item_lock(user: User, item: Item, *, now: datetime) -> Lock | None:
    """Why a learner cannot open this item yet, or None when it is open."""
    return release.learner_availability(user, item.course, now=now).lock_for(item)


def release_rule_for(target: Item | Module) -> ReleaseRule | None:
    return ReleaseRule.objects.filter(**release.target_lookup(target)).prefetch_related("groups").first()


def release_overrides(target: Item | Module) -> QuerySet[ReleaseOverride]:
    rows = ReleaseOverride.objects.filter(**release.target_lookup(target))
    return rows.select_related("user", "granted_by").order_by("-granted_at")


def override_in_course(course: Course, override_id: int) -> ReleaseOverride | None:
    return (
        ReleaseOverride.objects.filter(course=course, pk=override_id)
        .select_related("item", "module", "item__course", "module__course")
        .first()
    )


# --- Deadlines ---------------------------------------------------------------------------------------
DUE_SOON_DAYS = 7
OVERDUE_SHOWN_DAYS = 60  # older unfinished deadlines stop nagging on the dashboard
MAX_DEADLINE_CANDIDATES = 2000  # unfinished items with a deadline across a learner's courses


@dataclass(frozen=True)
class DueItem:
    item_id: int
    title: str
    kind: str
    course_slug: str
    course_title: str
    due_at: datetime


@dataclass(frozen=True)
class DueList:
    overdue: list[DueItem]
    upcoming: list[DueItem]  # due within the next DUE_SOON_DAYS days

    def __bool__(self) -> bool:
        return bool(self.overdue or self.upcoming)


def due_items(user: User, course_ids: Sequence[int], *, now: datetime, limit: int = 20) -> DueList:
    """The learner's unfinished items overdue (for up to OVERDUE_SHOWN_DAYS) or due within a week, soonest
    first, each by the learner's own deadline (their zone, when they joined, their extensions): four queries.
    """
    return due_items_for_learners({user.pk: (user, course_ids)}, now=now, limit=limit, one_learner=True)[user.pk]


def due_items_for_learners(
    learners: Mapping[int, tuple[User, Sequence[int]]], *, now: datetime, limit: int = 20, one_learner: bool = False
) -> dict[int, DueList]:
    """`due_items` for several learners at once (learner id → the learner and their courses): five queries
    however many learners, so the family view of five children asks no more than that of one (four for
    `due_items`' one learner, whose finished items are left out in SQL)."""
    course_ids = {cid for _user, cids in learners.values() for cid in cids}
    user_ids = list(learners)
    rows = Item.objects.filter(
        Q(due_at__isnull=False) | Q(due_date__isnull=False) | Q(due_after_days__isnull=False),
        course_id__in=course_ids,
        course__visibility=Visibility.PUBLISHED,
        is_published=True,
        module__is_published=True,
    )
    if one_learner:  # their finished items are left out in SQL, before the cap (as the dashboard always did)
        assert len(user_ids) == 1
        rows = rows.exclude(Exists(Completion.objects.filter(user_id=user_ids[0], item=OuterRef("pk"))))
    candidates = list(
        rows.select_related("course")
        .only(
            "id", "title", "kind", "course_id", "course__slug", "course__title", "due_at", "due_date", "due_after_days"
        )
        .order_by("id")[:MAX_DEADLINE_CANDIDATES]
    )
    finished: set[tuple[int, int]] = set()
    if not one_learner:
        done = Completion.objects.filter(user_id__in=user_ids, item_id__in=[i.pk for i in candidates])
        finished = set(done.values_list("user_id", "item_id"))
    due_by_learner = course_selectors.deadlines_for_learners([user for user, _cids in learners.values()], candidates)
    earliest, latest = now - timedelta(days=OVERDUE_SHOWN_DAYS), now + timedelta(days=DUE_SOON_DAYS)
    result: dict[int, DueList] = {}
    for user_id, (_user, cids) in learners.items():
        mine, due = set(cids), due_by_learner.get(user_id, {})
        items = sorted(
            (
                DueItem(i.pk, i.title, i.kind, i.course.slug, i.course.title, due[i.pk])
                for i in candidates
                if i.course_id in mine
                and (user_id, i.pk) not in finished
                and i.pk in due
                and earliest <= due[i.pk] <= latest
            ),
            key=lambda d: (d.due_at, d.item_id),
        )[:limit]
        result[user_id] = DueList(
            overdue=[i for i in items if i.due_at < now], upcoming=[i for i in items if i.due_at >= now]
        )
    return result
