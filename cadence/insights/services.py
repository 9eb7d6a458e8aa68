"""Keeping `LearnerStats` current, and changing a course's risk settings.

- `learner_changed(course_id=, user_id=)` is the one hook: the services that change a learner's inputs
  (completion, submission, grading and release, posting, asking) call it inside their transaction, and
  the learner's row is refreshed once that commits. `activity_recorded` is the same for the activity
  heartbeat, at most once per learner and course every `ACTIVITY_REFRESH_SECONDS`.
- `refreshes_deferred()`: inside it, those hooks collect the learners and refresh them once at its end.
- `refresh_learners(course=, user_ids=, now=)` recomputes rows set-based: a few hundred learners at a
  time, a fixed number of queries per batch (never a query per learner), from other apps' aggregates
  and selectors (completions, item progress, daily activity, the gradebook, submissions, posts), never
  from raw events. `refresh_active_courses` (hourly, `insights.tasks`) runs it for every live course.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment.selectors import learner_work
from cadence.community.models import ForumKind, Post, Thread
from cadence.core import audit
from cadence.core.errors import InvalidInput
from cadence.courses import selectors as course_selectors
from cadence.courses.models import Course, Item, Membership, Pacing, Role, Visibility
from cadence.insights import risk_alerts
from cadence.insights.checkins_log import record_check_in as record_check_in  # the check-in log's writer
from cadence.insights.domain import risk, risk_model, stats
from cadence.insights.models import LearnerStats, RiskModel, RiskObservation, RiskSettings
from cadence.messaging.models import Conversation
from cadence.messaging.models import Kind as ConversationKind
from cadence.progress.models import Completion, DailyActivity, ItemProgress

logger = logging.getLogger(__name__)
_deferred: ContextVar[dict[int, set[int]] | None] = ContextVar("insights_refreshes_deferred", default=None)

BATCH = 500
ACTIVITY_REFRESH_SECONDS = 300
DAY = timedelta(days=1)
ACTIVE_WINDOW_DAYS = 7
FORUM_WINDOW_DAYS = 14
_UPDATED = [
    "display_name",
    "last_active_at",
    "required_count",
    "required_done",
    "progress_percent",
    "active_seconds_7d",
    "weekly_minutes",
    "weekly_active_days",
    "average_score",
    "overdue_count",
    "pace",
    "pace_items",
    "pace_days",
    "posts_14d",
    "questions_14d",
    "last_submission_at",
    "started_modules",
    "risk_score",
    "risk_level",
    "risk_reasons",
    "risk_high_since",
    "refreshed_at",
]


# --- The hook other apps call ------------------------------------------------------------------------
def learner_changed(*, course_id: int, user_id: int) -> None:
    """Something that feeds the learner's figures changed: refresh their row once the transaction commits.

    A failed refresh is logged, never raised (the learner's work is already committed; the hourly
    refresh catches up)."""
    learners_changed(course_id=course_id, user_ids=(user_id,))


def learners_changed(*, course_id: int, user_ids: Iterable[int]) -> None:
    """The same for many learners at once (releasing an assignment's grades): one set-based refresh."""
    ids = tuple(sorted(set(user_ids)))
    if not ids:
        return
    deferred = _deferred.get()
    if deferred is not None:
        deferred.setdefault(course_id, set()).update(ids)
        return
    transaction.on_commit(partial(_refresh_after_commit, course_id, ids), robust=True)


@contextmanager
def refreshes_deferred() -> Iterator[None]:
    """For bulk writers (the demo's eight weeks of history, an import): the learners whose inputs change inside
    the block are refreshed once when it ends, set-based per course after the commit, instead of once per
    change (a refresh is a few dozen queries: hundreds of them made the demo's seed take minutes)."""
    pending: dict[int, set[int]] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for course_id, ids in sorted(pending.items()):
        learners_changed(course_id=course_id, user_ids=ids)


def activity_recorded(*, course_id: int, user_id: int) -> None:
    """The activity heartbeat: refresh at most once per learner and course every few minutes."""
    if cache.add(f"insights:activity:{course_id}:{user_id}", 1, ACTIVITY_REFRESH_SECONDS):
        learner_changed(course_id=course_id, user_id=user_id)


def _refresh_after_commit(course_id: int, user_ids: Sequence[int] | None) -> None:
    course = Course.objects.filter(pk=course_id).first()
    if course is not None:
        refresh_learners(course=course, user_ids=user_ids, now=timezone.now())


# --- Refreshing ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _CourseFacts:
    course: Course
    required: list[Item]  # published required items in course order
    rules: risk.RiskSettings
    planned_weeks: int | None
    model: risk_model.FittedModel | None  # the course's statistical model when it is the one in use


def _course_facts(course: Course) -> _CourseFacts:
    required = list(
        Item.objects.filter(course=course, is_published=True, is_required=True, module__is_published=True).order_by(
            "module__position", "module_id", "position", "id"
        )
    )
    stored = RiskSettings.objects.filter(course=course).first()
    trained = RiskModel.objects.filter(course=course).first()
    return _CourseFacts(
        course=course,
        required=required,
        rules=stored.rules() if stored else risk.RiskSettings(),
        planned_weeks=stored.planned_weeks if stored else None,
        model=trained.model() if trained else None,
    )


def score(facts: risk.RiskFacts, rules: risk.RiskSettings, model: risk_model.FittedModel | None) -> risk.Risk:
    """The learner's score and level by the course's model in use (the rules' in a learner's first days, see
    `risk_model.in_scope`); the reasons are always the rules' words."""
    assessed = risk.assess(facts, rules)
    if model is None:
        return assessed
    values = risk_model.observed_values(facts)
    if not risk_model.in_scope(values):
        return assessed
    p = risk_model.probability(model, values)
    return risk.Risk(
        score=risk_model.score_for_probability(p),
        level=risk_model.level_for_probability(model, p),
        reasons=assessed.reasons,
    )


def _window(facts: _CourseFacts, membership: Membership) -> tuple[datetime | None, datetime | None]:
    """The span over which required items without their own deadline are expected to be done."""
    course = facts.course
    if course.pacing == Pacing.COHORT:
        return course.starts_at, course.ends_at
    if facts.planned_weeks:
        return membership.joined_at, membership.joined_at + timedelta(weeks=facts.planned_weeks)
    return None, None


def _by_user(rows: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for user_id, value in rows:
        out.setdefault(user_id, set()).add(value)
    return out


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _whole_days_towards_zero(days: float) -> int:
    return int(days)


def _batch_rows(
    facts: _CourseFacts, memberships: Sequence[Membership], now: datetime
) -> tuple[list[LearnerStats], dict[int, risk.RiskFacts]]:
    """The rows for one batch of learner memberships (users loaded), and each one's risk facts by membership:
    a fixed number of queries."""
    course = facts.course
    user_ids = [m.user_id for m in memberships]
    required_ids = {i.pk for i in facts.required}
    deadlines = course_selectors.deadlines_for_learners([m.user for m in memberships], facts.required)
    completed = _by_user(
        Completion.objects.filter(course=course, user_id__in=user_ids, item_id__in=required_ids).values_list(
            "user_id", "item_id"
        )
    )
    last_completion = dict(
        Completion.objects.filter(course=course, user_id__in=user_ids)
        .values("user_id")
        .annotate(last=Max("completed_at"))
        .values_list("user_id", "last")
    )
    viewed = {
        row["user_id"]: _latest(row["viewed"], row["beat"])
        for row in ItemProgress.objects.filter(course=course, user_id__in=user_ids)
        .values("user_id")
        .annotate(viewed=Max("last_viewed_at"), beat=Max("last_heartbeat_at"))
    }
    started = _by_user(
        ItemProgress.objects.filter(course=course, user_id__in=user_ids)
        .values_list("user_id", "item__module_id")
        .distinct()
    )
    earliest_day = (now - timedelta(days=ACTIVE_WINDOW_DAYS * risk.TREND_WEEKS + 1)).date()
    daily: dict[int, list[tuple[date, int]]] = {}
    for user_id, day, seconds in DailyActivity.objects.filter(
        course=course, user_id__in=user_ids, day__gte=earliest_day
    ).values_list("user_id", "day", "active_seconds"):
        daily.setdefault(user_id, []).append((day, seconds))
    work = learner_work.learners_work(course, user_ids)
    since = now - timedelta(days=FORUM_WINDOW_DAYS)
    visible_posts = Post.objects.filter(course=course, author_id__in=user_ids, deleted_at__isnull=True)
    posts = dict(
        visible_posts.filter(created_at__gte=since)
        .values("author_id")
        .annotate(n=Count("pk"))
        .values_list("author_id", "n")
    )
    last_post = dict(
        visible_posts.values("author_id").annotate(last=Max("created_at")).values_list("author_id", "last")
    )
    qa_threads = dict(
        Thread.objects.filter(course=course, author_id__in=user_ids, forum__kind=ForumKind.QA, created_at__gte=since)
        .values("author_id")
        .annotate(n=Count("pk"))
        .values_list("author_id", "n")
    )
    asked = {
        row["started_by_id"]: row
        for row in Conversation.objects.filter(
            course=course, started_by_id__in=user_ids, kind=ConversationKind.QUESTION
        )
        .values("started_by_id")
        .annotate(recent=Count("pk", filter=Q(created_at__gte=since)), last=Max("created_at"))
    }

    rows: list[LearnerStats] = []
    risk_facts: dict[int, risk.RiskFacts] = {}
    for membership in memberships:
        uid = membership.user_id
        mine = work.get(uid, learner_work.LearnerWork())
        done = (completed.get(uid, set()) | set(mine.done_item_ids)) & required_ids
        my_deadlines = deadlines.get(uid, {})
        window_start, window_end = _window(facts, membership)
        targets = stats.targets(
            [my_deadlines.get(i.pk) for i in facts.required], window_start=window_start, window_end=window_end
        )
        pace = stats.pace(targets, done=len(done), now=now)
        overdue = stats.overdue(my_deadlines, done=done, now=now)
        question = asked.get(uid, {})
        last_active = _latest(
            viewed.get(uid),
            last_completion.get(uid),
            mine.last_submission_at,
            last_post.get(uid),
            question.get("last"),
        )
        if last_active is not None and last_active > now:
            last_active = now
        today = now.astimezone(ZoneInfo(membership.user.time_zone)).date()
        first_day = today - timedelta(days=ACTIVE_WINDOW_DAYS - 1)
        active_7d = sum(seconds for day, seconds in daily.get(uid, []) if first_day <= day <= today)
        joined_day = membership.joined_at.astimezone(ZoneInfo(membership.user.time_zone)).date()
        weeks = stats.weekly_activity(daily.get(uid, []), today=today, since=joined_day, weeks=risk.TREND_WEEKS)
        posts_14d = posts.get(uid, 0)
        questions_14d = qa_threads.get(uid, 0) + int(question.get("recent", 0))
        facts_for_risk = risk.RiskFacts(
            days_inactive=None if last_active is None else max(0.0, (now - last_active) / DAY),
            days_in_course=max(0.0, (now - membership.joined_at) / DAY),
            overdue=overdue,
            days_behind=pace.days_behind,
            recent_scores=mine.recent_scores,
            has_posted_or_asked=uid in last_post or bool(question),
            final_hour_streak=stats.final_hour_streak(mine.submissions),
            weekly_minutes=[w.minutes for w in weeks],
            weekly_active_days=[w.days for w in weeks],
        )
        assessed = score(facts_for_risk, facts.rules, facts.model)
        risk_facts[membership.pk] = facts_for_risk
        sign = -1 if pace.status is stats.PaceStatus.BEHIND else 1
        rows.append(
            LearnerStats(
                membership=membership,
                course=course,
                user_id=uid,
                display_name=membership.user.display_name[:150],
                last_active_at=last_active,
                required_count=len(facts.required),
                required_done=len(done),
                progress_percent=stats.progress_percent(len(done), len(facts.required)),
                active_seconds_7d=active_7d,
                weekly_minutes=[w.minutes for w in weeks],
                weekly_active_days=[w.days for w in weeks],
                average_score=mine.average,
                overdue_count=overdue,
                pace=pace.status.value,
                pace_items=sign * pace.items,
                pace_days=sign * _whole_days_towards_zero(pace.days),
                posts_14d=posts_14d,
                questions_14d=questions_14d,
                last_submission_at=mine.last_submission_at,
                started_modules="," + "".join(f"{m}," for m in sorted(started.get(uid, set()))),
                risk_score=assessed.score,
                risk_level=assessed.level.value,
                risk_reasons=[r.text for r in assessed.reasons],
                refreshed_at=now,
            )
        )
    return rows, risk_facts


def _observe(course: Course, risk_facts: Mapping[int, risk.RiskFacts], now: datetime) -> None:
    """This week's observation of each learner, written by the week's first refresh (later ones keep it)."""
    week = (now.astimezone(UTC) - timedelta(days=now.astimezone(UTC).weekday())).date()
    RiskObservation.objects.bulk_create(
        [
            RiskObservation(
                membership_id=membership_id,
                course=course,
                week=week,
                observed_at=now,
                values={name: round(value, 3) for name, value in risk_model.observed_values(f).items()},
            )
            for membership_id, f in risk_facts.items()
        ],
        ignore_conflicts=True,
    )


def refresh_learners(*, course: Course, now: datetime, user_ids: Sequence[int] | None = None) -> int:
    """Recompute the rows of the course's learners (all, or these), in batches; rows of people who are no
    longer learners there, or whose account is closed or erased, are removed. Returns rows written."""
    facts = _course_facts(course)
    learners = Membership.objects.filter(course=course, role=Role.LEARNER, user__is_active=True)
    stale = LearnerStats.objects.filter(course=course).exclude(membership__role=Role.LEARNER, user__is_active=True)
    if user_ids is not None:
        learners = learners.filter(user_id__in=list(user_ids))
        stale = stale.filter(user_id__in=list(user_ids))
    stale.delete()
    written = 0
    last_pk = 0
    while True:
        batch = list(learners.filter(pk__gt=last_pk).select_related("user").order_by("pk")[:BATCH])
        if not batch:
            break
        last_pk = batch[-1].pk
        rows, risk_facts = _batch_rows(facts, batch, now)
        with transaction.atomic():  # the new levels and the notices of rises to high: both or neither
            rises = risk_alerts.mark_rises(rows, now=now)
            LearnerStats.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["membership"], update_fields=_UPDATED
            )
            _observe(course, risk_facts, now)
            risk_alerts.notify_rises(
                course=course, rises=rises, memberships={m.pk: m for m in batch}, facts=risk_facts, rules=facts.rules
            )
        written += len(rows)
    return written


def refresh_active_courses(*, now: datetime) -> int:
    """The hourly refresh: every live, published course that has learners. Returns rows written."""
    courses = Course.objects.filter(visibility=Visibility.PUBLISHED, memberships__role=Role.LEARNER).distinct()
    written = 0
    for course in courses.order_by("pk").iterator():
        try:
            written += refresh_learners(course=course, now=now)
        except Exception:  # one course's failure must not stop the others
            logger.exception("refreshing learner stats of course %s failed", course.pk)
    return written


# --- Risk settings -------------------------------------------------------------------------------------
def risk_settings_for(course: Course) -> tuple[risk.RiskSettings, int | None]:
    """The course's rule settings and planned weeks; the defaults (unsaved) when it has none."""
    stored = RiskSettings.objects.filter(course=course).first()
    if stored is None:
        return risk.RiskSettings(), None
    return stored.rules(), stored.planned_weeks


PLANNED_WEEKS_MAX = 104


@transaction.atomic
def save_risk_settings(
    *, actor: User, course: Course, rules: risk.RiskSettings, planned_weeks: int | None, now: datetime
) -> RiskSettings:
    """Store a course's weights, thresholds, levels and planned duration, then re-score its learners
    after the commit. Anything out of range is refused with the reason and nothing changes."""
    policy.require(actor, "configure_insights", course)
    errors = risk.settings_errors(rules)
    if planned_weeks is not None and not 1 <= planned_weeks <= PLANNED_WEEKS_MAX:
        errors["planned_weeks"] = f"Must be between 1 and {PLANNED_WEEKS_MAX} weeks."
    if errors:
        raise InvalidInput("; ".join(f"{name}: {message}" for name, message in sorted(errors.items())))
    values: Mapping[str, object] = {
        "weights": {i.value: rules.weights[i] for i in risk.Indicator},
        "thresholds": {i.value: rules.thresholds[i] for i in risk.Indicator},
        "medium_at": rules.medium_at,
        "high_at": rules.high_at,
        "planned_weeks": planned_weeks,
        "updated_by": actor,
    }
    stored, _created = RiskSettings.objects.update_or_create(course=course, defaults=dict(values))
    audit.record(
        actor=actor,
        verb="insights.risk_settings_changed",
        obj=stored,
        course_id=course.pk,
        **{k: v for k, v in values.items() if k != "updated_by"},
    )
    transaction.on_commit(partial(_refresh_after_commit, course.pk, None), robust=True)
    return stored
