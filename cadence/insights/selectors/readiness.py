"""Reads for the readiness page: for one module and one session date, which of the learners a person may see
have done the pre-work by then (`insights.domain.readiness` says what counts), with quiz scores and the
questions they asked about it.

A page costs the same queries for 5 learners or 10,000, and reads no row per learner and item for the whole
class: the module's items; the visible learners with their zone (one cutoff per zone, computed once); then,
grouped by learner and by the first cutoff each row is by, a bit mask of the items completed or submitted
(quiz attempts, assignment submissions) and the first cutoff by which any was opened (one query each); then,
for the page's learners only, their submitted attempts (quiz grades), last activity and questions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, overload

from django.db.models import BigIntegerField, Case, Expression, IntegerField, Min, Q, QuerySet, Sum, Value, When

from cadence import policy
from cadence.assessment.domain import scores
from cadence.assessment.models import Attempt, AttemptState, Submission
from cadence.community.models import ForumKind, Thread
from cadence.courses.models import Course, Group, Item, ItemKind, Membership, Module
from cadence.insights.domain import readiness as rules
from cadence.insights.domain.readiness import Status
from cadence.insights.models import LearnerStats
from cadence.messaging.models import Conversation
from cadence.messaging.models import Kind as ConversationKind
from cadence.policy import AnyUser
from cadence.progress.models import Completion, ItemProgress

# (user id, quiz id, submitted at, score, max score, needs grading)
_AttemptRow = tuple[int, int, datetime | None, Decimal | None, Decimal, bool]
# Items per mask column: a sum of distinct powers of two below 2**62 fits a signed 64-bit integer.
_BITS = 62


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
    cutoff: datetime  # the last moment that counts for this learner (`rules.cutoff`)
    status: Status
    done: int
    total: int
    opened: bool
    missing: tuple[PreworkItem, ...]

    @property
    def status_label(self) -> str:
        return str(rules.STATUS_LABELS[self.status])

    @property
    def is_ready(self) -> bool:
        return self.status is Status.READY


@dataclass(frozen=True)
class ShownLearner(LearnerReadiness):
    """A learner on the page being shown: their readiness with quiz grades and last activity."""

    quiz_scores: tuple[QuizScore, ...]
    last_active_at: datetime | None


@dataclass(frozen=True)
class Standing:
    """What a learner's work by their cutoff comes to; shared by every learner who did the same items."""

    status: Status
    done: int
    opened: bool
    missing: tuple[PreworkItem, ...]


class Learners(Sequence[LearnerReadiness]):
    """Learners in the order shown, kept as the rows read (user id, name, zone) and each one's standing, and
    made into `LearnerReadiness` rows only when read: a page of 50 builds 50, not one per learner."""

    def __init__(
        self,
        people: Sequence[tuple[int, str, str]],
        standings: Mapping[int, Standing],
        *,
        total: int,
        cutoffs: Mapping[str, datetime],
    ) -> None:
        self._people = people
        self._standings = standings
        self._total = total
        self._cutoffs = cutoffs

    def __len__(self) -> int:
        return len(self._people)

    @overload
    def __getitem__(self, index: int) -> LearnerReadiness: ...

    @overload
    def __getitem__(self, index: slice) -> list[LearnerReadiness]: ...

    def __getitem__(self, index: int | slice) -> LearnerReadiness | list[LearnerReadiness]:
        if isinstance(index, slice):
            return [self._row(*person) for person in self._people[index]]
        return self._row(*self._people[index])

    def __iter__(self) -> Iterator[LearnerReadiness]:
        return (self._row(*person) for person in self._people)

    def _row(self, user_id: int, name: str, zone: str) -> LearnerReadiness:
        standing = self._standings[user_id]
        return LearnerReadiness(
            user_id=user_id,
            name=name,
            zone=zone,
            cutoff=self._cutoffs[zone],
            status=standing.status,
            done=standing.done,
            total=self._total,
            opened=standing.opened,
            missing=standing.missing,
        )


@dataclass(frozen=True)
class Readiness:
    module: Module
    session_date: date
    items: tuple[PreworkItem, ...]
    learners: Learners  # every visible learner matching the filter, who needs the teacher first
    counts: dict[Status, int] = field(default_factory=dict)  # over the group, before the status filter
    grading_methods: dict[int, str] = field(default_factory=dict)  # the pre-work's quizzes: item id → method

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


@dataclass(frozen=True)
class Cutoffs:
    """A session's cutoffs: each zone's (`rules.cutoff`, once per zone), and the distinct moments, earliest
    first. A row's moment is sorted to the first of those moments it is by, so that a learner whose cutoff is
    the j-th counts the rows sorted to j or before: no row needs its learner's zone."""

    of_zone: dict[str, datetime]
    moments: tuple[datetime, ...]

    @classmethod
    def of(cls, session_date: date, zones: Iterable[str]) -> Cutoffs:
        of_zone = {zone: rules.cutoff(session_date, zone) for zone in set(zones)}
        return cls(of_zone, tuple(sorted(set(of_zone.values()))))

    def index(self, zone: str) -> int:
        """The position of the zone's cutoff among `moments`."""
        return self.moments.index(self.of_zone[zone])

    def by_latest(self, moment: str) -> Q:
        """Rows whose `moment` is by the latest cutoff (the others count for nobody)."""
        return Q(**{f"{moment}__lte": self.moments[-1]}) if self.moments else Q(pk__in=[])

    def first_by(self, moment: str) -> Expression | None:
        """The position of the first cutoff a row's `moment` is by (for rows by the latest); None when there
        is one cutoff (every row is by it)."""
        if len(self.moments) < 2:
            return None
        return Case(
            *(When(**{f"{moment}__lte": at}, then=Value(n)) for n, at in enumerate(self.moments[:-1])),
            default=Value(len(self.moments) - 1),
            output_field=IntegerField(),
        )


class ItemsDone:
    """Per learner, the items done (bit masks), by the first cutoff each was done by. Most work is by the
    earliest cutoff, so the items a learner had done by their own take one or two look-ups."""

    def __init__(self) -> None:
        self._earliest: dict[int, int] = {}
        self._later: dict[int, list[tuple[int, int]]] = {}

    def add(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """Rows (user id, first cutoff by, items as a mask) as `item_masks` gives them."""
        earliest, later = self._earliest, self._later
        for user_id, first, mask in rows:
            if first == 0:
                earliest[user_id] = earliest.get(user_id, 0) | mask
            else:
                later.setdefault(user_id, []).append((first, mask))

    def by(self, user_id: int, last: int) -> int:
        """The items the learner had done by the cutoff at position `last` (`Cutoffs.index`)."""
        mask = self._earliest.get(user_id, 0)
        for first, more in self._later.get(user_id, ()):
            if first <= last:
                mask |= more
        return mask


def item_masks(
    rows: QuerySet[Any], item_field: str, item_ids: Sequence[int], first_by: Expression | None, *, distinct: bool
) -> list[tuple[int, int, int]]:
    """(user id, first cutoff by, the items the user has a row of in `rows` sorted there as a bit mask, bit n:
    `item_ids[n]`), summed by the database: a row or two per learner, however many items and rows each has.
    `distinct` when a learner may have several rows of one item (attempts, submissions)."""
    chunks = [item_ids[start : start + _BITS] for start in range(0, len(item_ids), _BITS)]
    columns = {
        f"mask{k}": Sum(
            Case(
                *(When(**{item_field: pk}, then=Value(1 << n)) for n, pk in enumerate(chunk)),
                default=Value(0),
                output_field=BigIntegerField(),
            ),
            distinct=distinct,
        )
        for k, chunk in enumerate(chunks)
    }
    if not columns:
        return []
    if first_by is None:
        keys = ["user_id"]
    else:
        keys, rows = ["user_id", "first_by"], rows.annotate(first_by=first_by)
    masks = rows.order_by().values(*keys).annotate(**columns).values_list(*keys, *columns)
    if len(keys) == 1 and len(columns) == 1:
        return [(user_id, 0, mask) for user_id, mask in masks]
    return [
        (row[0], row[1] if len(keys) == 2 else 0, sum(part << (k * _BITS) for k, part in enumerate(row[len(keys) :])))
        for row in masks
    ]


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
    learners = visible_learners(user, course, group)
    people = list(
        learners.order_by("user__display_name", "user_id").values_list(
            "user_id", "user__display_name", "user__time_zone"
        )
    )
    cutoffs = Cutoffs.of(session_date, (zone for _id, _name, zone in people))
    # Read for everyone with work on the module's items (no join to the visible learners: on SQLite it makes
    # the planner probe each learner's rows); only the visible learners' rows are made below.
    done = _done(item_ids, cutoffs)
    first_opened = _first_opened(item_ids, cutoffs)
    position = {zone: cutoffs.index(zone) for zone in cutoffs.of_zone}
    prework = tuple(PreworkItem(i.pk, i.title, i.kind) for i in items)
    kinds: dict[tuple[int, bool], Standing] = {}  # (items done as a mask, opened) → few, however many learners
    standings: dict[int, Standing] = {}
    by_status: dict[Status, list[tuple[int, str, str]]] = {s: [] for s in rules.ORDER}
    for person in people:  # in name order
        user_id, _name, zone = person
        last = position[zone]
        key = (done.by(user_id, last), first_opened.get(user_id, last + 1) <= last)
        standing = kinds.get(key)
        if standing is None:
            standing = kinds[key] = _standing(*key, prework)
        standings[user_id] = standing
        by_status[standing.status].append(person)
    order = sorted(by_status, key=rules.ORDER.__getitem__)  # who needs the teacher first, by name within
    shown = [person for s in order if status is None or s is status for person in by_status[s]]
    return Readiness(
        module=module,
        session_date=session_date,
        items=prework,
        learners=Learners(shown, standings, total=len(prework), cutoffs=cutoffs.of_zone),
        counts={s: len(by_status[s]) for s in order},
        grading_methods={i.pk: i.quiz.grading_method for i in items if i.kind == ItemKind.QUIZ},
    )


def _done(item_ids: Sequence[int], cutoffs: Cutoffs) -> ItemsDone:
    """The items done (completed, or submitted: an attempt or an assignment) by each cutoff."""
    completed = Completion.objects.filter(cutoffs.by_latest("completed_at"), item_id__in=item_ids)
    attempted = Attempt.objects.filter(
        cutoffs.by_latest("submitted_at"), quiz_id__in=item_ids, state=AttemptState.SUBMITTED
    )
    handed_in = Submission.objects.filter(cutoffs.by_latest("submitted_at"), assignment_id__in=item_ids)
    by_completion, by_submission = cutoffs.first_by("completed_at"), cutoffs.first_by("submitted_at")
    done = ItemsDone()
    done.add(item_masks(completed, "item_id", item_ids, by_completion, distinct=False))  # one per learner, item
    done.add(item_masks(attempted, "quiz_id", item_ids, by_submission, distinct=True))
    done.add(item_masks(handed_in, "assignment_id", item_ids, by_submission, distinct=True))
    return done


def _first_opened(item_ids: Sequence[int], cutoffs: Cutoffs) -> dict[int, int]:
    """user id → the first cutoff by which they had opened one of the items."""
    opened = ItemProgress.objects.filter(cutoffs.by_latest("first_viewed_at"), item_id__in=item_ids).order_by()
    first_by = cutoffs.first_by("first_viewed_at")
    if first_by is None:
        return dict.fromkeys(opened.values_list("user_id", flat=True).distinct(), 0)
    return dict(opened.values("user_id").annotate(first=Min(first_by)).values_list("user_id", "first"))


def _standing(mask: int, opened: bool, items: tuple[PreworkItem, ...]) -> Standing:
    done = mask.bit_count()
    return Standing(
        status=rules.status(done=done, total=len(items), opened=opened),
        done=done,
        opened=opened,
        missing=tuple(item for n, item in enumerate(items) if not mask >> n & 1),
    )


def shown_learners(report: Readiness, learners: Sequence[LearnerReadiness]) -> list[ShownLearner]:
    """The learners of the page being shown, with their grade on each of the pre-work's quizzes (attempts
    submitted by their cutoff) and their last activity: two queries, whatever the page holds."""
    user_ids = [learner.user_id for learner in learners]
    quizzes = [item for item in report.items if item.pk in report.grading_methods]
    attempts = (
        Attempt.objects.filter(quiz_id__in=[q.pk for q in quizzes], user_id__in=user_ids, state=AttemptState.SUBMITTED)
        .order_by("number")
        .values_list("user_id", "quiz_id", "submitted_at", "score", "max_score", "needs_grading")
    )
    attempts_of: dict[int, list[_AttemptRow]] = {}
    for attempt in attempts:
        attempts_of.setdefault(attempt[0], []).append(attempt)
    last_active = dict(
        LearnerStats.objects.filter(course_id=report.module.course_id, user_id__in=user_ids).values_list(
            "user_id", "last_active_at"
        )
    )
    shown = []
    for learner in learners:
        mine = [a for a in attempts_of.get(learner.user_id, []) if a[2] is not None and a[2] <= learner.cutoff]
        shown.append(
            ShownLearner(
                **{f.name: getattr(learner, f.name) for f in fields(LearnerReadiness)},
                quiz_scores=_quiz_scores(quizzes, report.grading_methods, mine),
                last_active_at=last_active.get(learner.user_id),
            )
        )
    return shown


def _quiz_scores(
    quizzes: Sequence[PreworkItem], methods: Mapping[int, str], attempts: Sequence[_AttemptRow]
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
