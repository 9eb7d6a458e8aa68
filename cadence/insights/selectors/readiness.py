"""Reads for the readiness page: for one module and one session date, which of the learners a person may see
have done the pre-work by then (`insights.domain.readiness` says what counts), with quiz scores and the
questions they asked about it.

A page costs the same queries for 5 learners or 5,000: the module's items, the visible learners (with their
zone and last activity from `LearnerStats`), their completions, submitted attempts, submissions and opened
items in that module (narrow rows, one query each), then the questions of the page's learners only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from cadence import policy
from cadence.assessment.domain import scores
from cadence.assessment.models import Attempt, AttemptState, Submission
from cadence.community.models import ForumKind, Thread
from cadence.courses.models import Course, Group, Item, ItemKind, Membership, Module
from cadence.insights.domain import readiness as rules
from cadence.insights.domain.readiness import Status
from cadence.messaging.models import Conversation
from cadence.messaging.models import Kind as ConversationKind
from cadence.policy import AnyUser
from cadence.progress.models import Completion, ItemProgress

# (user id, quiz id, submitted at, score, max score, needs grading)
_AttemptRow = tuple[int, int, datetime | None, Decimal | None, Decimal, bool]


@dataclass(frozen=True)
class PreworkItem:
    pk: int
    title: str
    kind: str


@dataclass(frozen=True)
class QuizScore:
    title: str
    percent: Decimal | None  # the quiz grade as shown (one decimal); None while an answer waits for grading
    attempts: int


@dataclass(frozen=True)
class Question:
    title: str
    is_thread: bool  # a forum thread; otherwise a question to the teachers (a conversation)
    pk: int
    asked_at: datetime


@dataclass(frozen=True)
class LearnerReadiness:
    user_id: int
    name: str
    zone: str
    status: Status
    done: int
    total: int
    opened: bool
    missing: tuple[PreworkItem, ...]
    quiz_scores: tuple[QuizScore, ...]
    last_active_at: datetime | None

    @property
    def status_label(self) -> str:
        return str(rules.STATUS_LABELS[self.status])

    @property
    def is_ready(self) -> bool:
        return self.status is Status.READY


@dataclass(frozen=True)
class Readiness:
    module: Module
    session_date: date
    items: tuple[PreworkItem, ...]
    learners: list[LearnerReadiness]  # every visible learner matching the filter, who needs the teacher first
    counts: dict[Status, int] = field(default_factory=dict)  # over the group, before the status filter

    @property
    def not_ready(self) -> list[LearnerReadiness]:
        return [row for row in self.learners if not row.is_ready]


def modules_for(user: AnyUser, course: Course) -> QuerySet[Module]:
    """The modules offered in the form: the course's modules the person may see, in course order."""
    return policy.scope(user, "view", Module.objects.filter(course=course)).order_by("position", "pk")


def groups_for(user: AnyUser, course: Course) -> QuerySet[Group]:
    return policy.scope(user, "view", Group.objects.filter(course=course)).order_by("name", "pk")


def visible_learners(user: AnyUser, course: Course, group: Group | None = None) -> QuerySet[Membership]:
    """The course's learner memberships whose figures the person may see (a TA limited to groups: those
    groups' learners), optionally in one group."""
    learners = policy.scope(user, "view_insights", Membership.objects.filter(course=course))
    if group is not None:
        learners = learners.filter(
            pk__in=Membership.groups.through.objects.filter(group_id=group.pk).values("membership_id")
        )
    return learners


def prework_items(module: Module) -> list[Item]:
    """The module's pre-work: its published items that count towards progress, in order (quizzes with their
    settings, for the grading method)."""
    items = Item.objects.filter(module=module, is_published=True, is_required=True).select_related("quiz")
    return list(items.order_by("position", "pk"))


def _by_pair(rows: Iterable[tuple[int, int, datetime | None]]) -> dict[tuple[int, int], datetime]:
    """(user, item) → the earliest moment, of rows (user id, item id, moment)."""
    found: dict[tuple[int, int], datetime] = {}
    for user_id, item_id, moment in rows:
        if moment is not None and ((user_id, item_id) not in found or moment < found[(user_id, item_id)]):
            found[(user_id, item_id)] = moment
    return found


def _by(found: Mapping[tuple[int, int], datetime], user_id: int, item_id: int, cutoff: datetime) -> bool:
    moment = found.get((user_id, item_id))
    return moment is not None and moment <= cutoff


def readiness(
    user: AnyUser,
    course: Course,
    module: Module,
    session_date: date,
    *,
    group: Group | None = None,
    status: Status | None = None,
) -> Readiness:
    """Every visible learner's readiness for the module by the session's date (see `domain.readiness`)."""
    items = prework_items(module)
    item_ids = [i.pk for i in items]
    quiz_items = [i for i in items if i.kind == ItemKind.QUIZ]
    learners = visible_learners(user, course, group)
    people = list(
        learners.order_by("user__display_name", "user_id").values_list(
            "user_id", "user__display_name", "user__time_zone", "insight_stats__last_active_at"
        )
    )
    user_ids = learners.values("user_id")
    done = _by_pair(
        Completion.objects.filter(item_id__in=item_ids, user_id__in=user_ids).values_list(
            "user_id", "item_id", "completed_at"
        )
    )
    attempts = list(
        Attempt.objects.filter(quiz_id__in=item_ids, user_id__in=user_ids, state=AttemptState.SUBMITTED)
        .order_by("number")
        .values_list("user_id", "quiz_id", "submitted_at", "score", "max_score", "needs_grading")
    )
    submitted = _by_pair((u, q, at) for u, q, at, *_rest in attempts)
    submitted |= {
        pair: at
        for pair, at in _by_pair(
            Submission.objects.filter(assignment_id__in=item_ids, user_id__in=user_ids).values_list(
                "user_id", "assignment_id", "submitted_at"
            )
        ).items()
        if pair not in submitted or at < submitted[pair]
    }
    opened = _by_pair(
        ItemProgress.objects.filter(item_id__in=item_ids, user_id__in=user_ids).values_list(
            "user_id", "item_id", "first_viewed_at"
        )
    )
    methods = {i.pk: i.quiz.grading_method for i in quiz_items}
    attempts_of: dict[int, list[_AttemptRow]] = {}
    for row in attempts:
        attempts_of.setdefault(row[0], []).append(row)
    rows: list[LearnerReadiness] = []
    for user_id, name, zone, last_active_at in people:
        by = rules.cutoff(session_date, zone)
        done_ids = {i for i in item_ids if _by(done, user_id, i, by) or _by(submitted, user_id, i, by)}
        any_opened = any(_by(opened, user_id, i, by) for i in item_ids)
        missing = tuple(PreworkItem(i.pk, i.title, i.kind) for i in items if i.pk not in done_ids)
        mine = [a for a in attempts_of.get(user_id, []) if a[2] is not None and a[2] <= by]
        rows.append(
            LearnerReadiness(
                user_id=user_id,
                name=name,
                zone=zone,
                status=rules.status(done=len(done_ids), total=len(items), opened=any_opened),
                done=len(done_ids),
                total=len(items),
                opened=any_opened,
                missing=missing,
                quiz_scores=_quiz_scores(quiz_items, methods, mine),
                last_active_at=last_active_at,
            )
        )
    rows.sort(key=lambda r: rules.ORDER[r.status])  # stable: by name within a status
    counts = rules.counts([r.status for r in rows])
    shown = rows if status is None else [r for r in rows if r.status is status]
    return Readiness(
        module=module,
        session_date=session_date,
        items=tuple(PreworkItem(i.pk, i.title, i.kind) for i in items),
        learners=shown,
        counts=counts,
    )


def _quiz_scores(
    quizzes: Sequence[Item], methods: Mapping[int, str], attempts: Sequence[_AttemptRow]
) -> tuple[QuizScore, ...]:
    """The learner's grade on each of the module's quizzes they submitted, by the quiz's grading method."""
    found = []
    for quiz in quizzes:
        mine = [a for a in attempts if a[1] == quiz.pk]
        if not mine:
            continue
        pending = any(a[5] for a in mine)
        percents = [p for a in mine if not a[5] and (p := scores.percent(a[3], a[4])) is not None]
        grade = None if pending else scores.quiz_grade(methods[quiz.pk], percents)
        found.append(QuizScore(quiz.title, scores.shown_or_none(grade), len(mine)))
    return tuple(found)


def questions_about(
    user: AnyUser, course: Course, module: Module, cutoffs: Mapping[int, datetime]
) -> dict[int, list[Question]]:
    """The questions the given learners (user id → their cutoff) asked about the module by their cutoff,
    newest first: threads they started in its discussions, and questions in the course's Q&A forums or to
    the teachers whose title names the module or one of its items. Three queries, whatever the number of
    learners."""
    user_ids = list(cutoffs)
    titles = [module.title, *Item.objects.filter(module=module).values_list("title", flat=True)]
    names = [t for t in titles if t.strip()]
    found: dict[int, list[Question]] = {}
    if not user_ids:
        return found
    until = max(cutoffs.values())
    in_title = reduce(or_, (Q(title__icontains=t) for t in names), Q(pk__in=[]))
    threads = policy.scope(user, "view", Thread.objects.filter(course=course, author_id__in=user_ids)).filter(
        Q(forum__item__module=module) | (Q(forum__kind=ForumKind.QA) & in_title), created_at__lte=until
    )
    for author_id, pk, title, at in threads.values_list("author_id", "pk", "title", "created_at"):
        if at <= cutoffs[author_id]:
            found.setdefault(author_id, []).append(Question(title, True, pk, at))
    in_subject = reduce(or_, (Q(subject__icontains=t) for t in names), Q(pk__in=[]))
    asked = policy.scope(
        user,
        "view",
        Conversation.objects.filter(course=course, kind=ConversationKind.QUESTION, started_by_id__in=user_ids),
    ).filter(in_subject, created_at__lte=until)
    for asker_id, pk, subject, at in asked.values_list("started_by_id", "pk", "subject", "created_at"):
        if at <= cutoffs[asker_id]:
            found.setdefault(asker_id, []).append(Question(subject, False, pk, at))
    for questions in found.values():
        questions.sort(key=lambda q: q.asked_at, reverse=True)
    return found
