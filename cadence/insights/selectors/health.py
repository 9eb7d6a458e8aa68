"""Course health (issue 12): how a course is going, read from aggregate tables in a fixed number of queries.

Every figure is about the learners the viewer may see (`policy.scope(user, "view_insights", memberships)`: all of
a course's learners for its teachers, a group-limited TA's groups only). Nothing here reads `progress.Event`: the
funnel reads `Completion` and `ItemProgress`, weekly activity `DailyActivity`, drop-off the position kept on
`ItemProgress`, forum questions the thread rows, feedback turnaround the grades.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import Cast, Floor, Least, TruncWeek
from django.utils.formats import date_format

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment import selectors as assessment_selectors
from cadence.community import selectors as community_selectors
from cadence.community.models import Thread
from cadence.courses.models import Course, Item, ItemKind, Membership, Module
from cadence.insights.domain import health as rules
from cadence.insights.models import HealthSnapshot
from cadence.progress.models import Completion, DailyActivity, ItemProgress

REVISIT_GAP = timedelta(hours=1)  # opened again at least an hour after the first time: a return, not a reload
TOP_REVISITED = 10
OLDEST_QUESTIONS = 10
ANSWER_SAMPLE = 500  # the median time to first answer is over the latest answered questions


class _SecondsBetween(Func):
    """Seconds from `start` to `end` (two datetime columns) in each database's own arithmetic: on SQLite with
    `julianday`, rather than Django's datetime arithmetic, which calls a Python function for every row."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s)) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)


def visible_learners(user: User, course: Course) -> QuerySet[Membership]:
    """The course's learner memberships whose figures the user may see."""
    return policy.scope(user, "view_insights", Membership.objects.filter(course=course))


@dataclass(frozen=True)
class ModuleStep:
    module_id: int
    title: str
    is_published: bool
    required: int  # required items in the module
    started: int  # learners who opened anything in it
    completed: int | None  # learners who completed every required item (None: nothing required)
    started_percent: int
    completed_percent: int


@dataclass(frozen=True)
class WeekActive:
    week_start: date
    learners: int
    percent: int


@dataclass(frozen=True)
class VideoDropoff:
    item_id: int
    title: str
    viewers: int
    bars: list[rules.Bar]
    biggest_drop: str  # the bucket where most stopped early, or ""

    @property
    def columns(self) -> list[rules.Column]:
        return rules.columns(self.bars)

    @property
    def chart_id(self) -> str:
        return f"video-{self.item_id}-chart"


@dataclass(frozen=True)
class Revisited:
    item_id: int
    title: str
    kind: str
    learners: int


@dataclass(frozen=True)
class ForumQuestions:
    unanswered_count: int
    oldest: list[Thread]
    answered_count: int  # questions with a first answer, in the median's sample
    median_first_answer: timedelta | None

    @property
    def median_hours(self) -> float | None:
        wait = self.median_first_answer
        return round(wait.total_seconds() / 3600, 1) if wait is not None else None


@dataclass(frozen=True)
class Figures:
    """The figures that read the large aggregate tables (every learner's progress rows): computed by the hourly
    task (or a teacher's "Refresh now") and kept as a snapshot, so the page reads them in one query."""

    learners: int
    funnel: list[ModuleStep]
    weeks: list[WeekActive]
    videos: list[VideoDropoff]
    revisited: list[Revisited]
    computed_at: datetime

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["computed_at"] = self.computed_at.isoformat()
        for week in data["weeks"]:
            week["week_start"] = week["week_start"].isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        return cls(
            learners=data["learners"],
            funnel=[ModuleStep(**step) for step in data["funnel"]],
            weeks=[WeekActive(**(w | {"week_start": date.fromisoformat(w["week_start"])})) for w in data["weeks"]],
            videos=[VideoDropoff(**(v | {"bars": [rules.Bar(**bar) for bar in v["bars"]]})) for v in data["videos"]],
            revisited=[Revisited(**r) for r in data["revisited"]],
            computed_at=datetime.fromisoformat(data["computed_at"]),
        )


@dataclass(frozen=True)
class CourseHealth:
    figures: Figures
    snapshot: bool  # read from the kept snapshot (else computed for this request)
    questions: ForumQuestions
    turnaround: assessment_selectors.Turnaround
    quizzes: list[Item]

    @property
    def learners(self) -> int:
        return self.figures.learners

    @property
    def funnel(self) -> list[ModuleStep]:
        return self.figures.funnel

    @property
    def weeks(self) -> list[WeekActive]:
        return self.figures.weeks

    @property
    def videos(self) -> list[VideoDropoff]:
        return self.figures.videos

    @property
    def revisited(self) -> list[Revisited]:
        return self.figures.revisited

    @property
    def week_columns(self) -> list[rules.Column]:
        bars = [rules.Bar(date_format(w.week_start, "j M"), w.learners, w.percent) for w in self.weeks]
        return rules.columns(bars)


def scope_key(user: User, course: Course) -> str:
    """Which learners' figures the user sees: "all", or a group-limited TA's groups ("groups:3,7")."""
    return scope_of_groups(policy.insight_groups(user, course.pk))


def scope_of_groups(groups: Iterable[int] | None) -> str:
    """The snapshot key of a scope: "all" (None), or the groups' ids in order ("groups:3,7")."""
    return "all" if groups is None else "groups:" + ",".join(str(g) for g in sorted(groups))


def course_health(user: User, course: Course, *, today: date, now: datetime) -> CourseHealth:
    """Everything the course health page shows, in a fixed number of queries whatever the course's size: the
    heavy figures from the snapshot kept for the user's scope, or computed now when none is kept yet."""
    learners = visible_learners(user, course)
    learner_ids = learners.values("user_id")
    items = list(Item.objects.filter(course=course).select_related("module").order_by("module__position", "position"))
    kept = HealthSnapshot.objects.filter(course=course, scope=scope_key(user, course)).first()
    figures = (
        Figures.from_json(kept.figures) if kept else compute_figures(course, learners, items, today=today, now=now)
    )
    return CourseHealth(
        figures=figures,
        snapshot=kept is not None,
        questions=_forum_questions(user, course, learner_ids),
        turnaround=assessment_selectors.feedback_turnaround(course, learners=learner_ids)[0],
        quizzes=[i for i in items if i.kind == ItemKind.QUIZ],
    )


def compute_figures(
    course: Course, learners: QuerySet[Membership], items: list[Item], *, today: date, now: datetime
) -> Figures:
    """The heavy figures for these learners: six queries over the aggregate tables."""
    learner_ids = learners.values("user_id")
    count = learners.count()
    return Figures(
        learners=count,
        funnel=_funnel(course, learner_ids, count),
        weeks=_weeks(course, learner_ids, count, today=today),
        videos=_videos(course, learner_ids, [i for i in items if i.kind == ItemKind.VIDEO]),
        revisited=_revisited(course, learner_ids, {i.pk: i for i in items}),
        computed_at=now,
    )


def _funnel(course: Course, learner_ids: QuerySet[Any, Any], count: int) -> list[ModuleStep]:
    """Per module: learners who started it (opened any item) and who completed every required item. Three queries."""
    live_required = Q(items__removed_at__isnull=True, items__is_required=True)
    modules = list(Module.objects.filter(course=course).annotate(required=Count("items", filter=live_required)))
    started = dict(
        ItemProgress.objects.filter(course=course, user_id__in=learner_ids, item__in=Item.objects.filter(course=course))
        .values_list("item__module_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    needed = {m.pk: m.required for m in modules if m.required}
    completed: Counter[int] = Counter()
    if needed:
        enough = Q()
        for module_id, required in needed.items():
            enough |= Q(item__module_id=module_id, n__gte=required)
        rows = (
            Completion.objects.filter(
                course=course,
                user_id__in=learner_ids,
                item__in=Item.objects.filter(course=course, is_required=True),
            )
            .values("item__module_id", "user_id")
            .annotate(n=Count("pk"))
            .filter(enough)
            .values_list("item__module_id", flat=True)
        )
        completed.update(rows)
    return [
        ModuleStep(
            module_id=m.pk,
            title=m.title,
            is_published=m.is_published,
            required=m.required,
            started=started.get(m.pk, 0),
            completed=completed[m.pk] if m.required else None,
            started_percent=rules.share(started.get(m.pk, 0), count),
            completed_percent=rules.share(completed[m.pk], count) if m.required else 0,
        )
        for m in modules
    ]


def _weeks(course: Course, learner_ids: QuerySet[Any, Any], count: int, *, today: date) -> list[WeekActive]:
    """Learners active in each of the last eight weeks (Monday to Sunday, by the learners' own days). One query."""
    starts = rules.week_starts(today)
    rows = (
        DailyActivity.objects.filter(
            course=course, user_id__in=learner_ids, day__gte=starts[0], day__lte=today, active_seconds__gt=0
        )
        .annotate(week=TruncWeek("day"))
        .values_list("week")
        .annotate(n=Count("user_id", distinct=True))
    )
    per_week = {_as_date(week): n for week, n in rows}
    return [WeekActive(start, per_week.get(start, 0), rules.share(per_week.get(start, 0), count)) for start in starts]


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _videos(course: Course, learner_ids: QuerySet[Any, Any], videos: list[Item]) -> list[VideoDropoff]:
    """Per video, where its viewers' players stand, in tenths of the running time. One query."""
    if not videos:
        return []
    tenth = Least(
        Floor(Cast(F("position_seconds"), FloatField()) * rules.BUCKETS / F("duration_seconds")),
        rules.BUCKETS - 1,
        output_field=FloatField(),
    )
    rows = (
        ItemProgress.objects.filter(
            course=course,
            item__in=[v.pk for v in videos],
            user_id__in=learner_ids,
            first_viewed_at__isnull=False,
            duration_seconds__gt=0,
        )
        .annotate(tenth=tenth)
        .values_list("item_id", "tenth")
        .annotate(n=Count("pk"))
    )
    stops: dict[int, Counter[int]] = {}
    for item_id, bucket, n in rows:
        stops.setdefault(item_id, Counter())[max(0, min(rules.BUCKETS - 1, int(bucket or 0)))] += n
    result = []
    for video in videos:
        counts = stops.get(video.pk, Counter())
        drop = rules.biggest_drop(counts)
        result.append(
            VideoDropoff(
                item_id=video.pk,
                title=video.title,
                viewers=sum(counts.values()),
                bars=rules.dropoff(counts),
                biggest_drop=rules.bucket_label(drop) if drop is not None else "",
            )
        )
    return result


def _revisited(course: Course, learner_ids: QuerySet[Any, Any], items: dict[int, Item]) -> list[Revisited]:
    """The items most learners came back to (opened again an hour or more after the first time). One query."""
    rows = (
        ItemProgress.objects.filter(
            course=course,
            item__in=list(items),
            user_id__in=learner_ids,
            first_viewed_at__isnull=False,
            last_viewed_at__isnull=False,
        )
        .annotate(gap=_SecondsBetween("first_viewed_at", "last_viewed_at"))
        .filter(gap__gte=REVISIT_GAP.total_seconds())
        .values_list("item_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "item_id")[:TOP_REVISITED]
    )
    return [Revisited(item_id, items[item_id].title, items[item_id].get_kind_display(), n) for item_id, n in rows]


def _forum_questions(user: User, course: Course, learner_ids: QuerySet[Any, Any]) -> ForumQuestions:
    """Learners' questions in the Q&A forums: how many wait, the oldest, and the median time to a first answer."""
    threads = policy.scope(user, "view", Thread.objects.filter(course=course, author_id__in=learner_ids))
    unanswered = community_selectors.unanswered_questions(threads)
    count = unanswered.count()
    oldest = list(unanswered.select_related("forum").order_by("created_at", "id")[:OLDEST_QUESTIONS]) if count else []
    answered = community_selectors.first_answers(threads, latest=ANSWER_SAMPLE)
    waits = [(answer - asked).total_seconds() for asked, answer in answered]
    middle = rules.median(waits)
    return ForumQuestions(
        unanswered_count=count,
        oldest=oldest,
        answered_count=len(waits),
        median_first_answer=timedelta(seconds=middle) if middle is not None else None,
    )
