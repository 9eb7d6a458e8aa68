"""Assessment reads: the bank's lists and exports. Each runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from cadence.assessment import gift, gradebook, scores
from cadence.assessment.definitions import QuestionDef
from cadence.assessment.models import (
    Attempt,
    AttemptState,
    Concept,
    Grade,
    Question,
    QuestionCategory,
    Submission,
)
from cadence.courses.models import Course, Item, Membership

MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class BankFilter:
    query: str = ""
    category_id: int | None = None
    concept: str = ""
    qtype: str = ""
    archived: bool = False


def bank_questions(course: Course, bank_filter: BankFilter | None = None) -> QuerySet[Question]:
    """The course's questions, filtered; concepts and category loaded with them."""
    f = bank_filter or BankFilter()
    rows = Question.objects.filter(course=course, is_archived=f.archived)
    for word in f.query[:MAX_QUERY_CHARS].split()[:8]:
        rows = rows.filter(Q(title__icontains=word) | Q(text__icontains=word))
    if f.category_id:
        rows = rows.filter(category_id=f.category_id)
    if f.concept:
        rows = rows.filter(concepts__name=f.concept.lower())
    if f.qtype:
        rows = rows.filter(qtype=f.qtype)
    return rows.select_related("category").prefetch_related("concepts").order_by("category__name", "id")


def categories(course: Course) -> list[QuestionCategory]:
    return list(QuestionCategory.objects.filter(course=course).order_by("name"))


def concepts(course: Course) -> list[Concept]:
    return list(Concept.objects.filter(course=course).order_by("name"))


def question_in_course(course: Course, question_id: int) -> Question | None:
    return Question.objects.filter(course=course, pk=question_id).select_related("category").first()


def _definitions(questions: QuerySet[Question]) -> Iterator[QuestionDef]:
    for question in questions.iterator(chunk_size=500):
        yield question.as_def()


def gift_export(course: Course, bank_filter: BankFilter | None = None) -> gift.GiftExport:
    return gift.to_gift(_definitions(bank_questions(course, bank_filter)))


CSV_HEADER = ["id", "type", "category", "concepts", "title", "question", "points", "answers", "explanation", "version"]


def _answers(definition: QuestionDef) -> str:
    parts = []
    for option in definition.options:
        text = f"{option.text} -> {option.match}" if option.match else option.text
        parts.append(f"{text} ({option.fraction * 100:g} %)")
    return " | ".join(parts)


def csv_rows(course: Course, bank_filter: BankFilter | None = None) -> Iterator[list[object]]:
    """The bank's rows for CSV (`core.csv_export` writes them), streamed: one question at a time."""
    yield list(CSV_HEADER)
    for question in bank_questions(course, bank_filter).iterator(chunk_size=500):
        definition = question.as_def()
        yield (
            [
                question.pk,
                question.qtype,
                question.category.name if question.category else "",
                "; ".join(definition.tags),
                question.title,
                question.text,
                question.points,
                _answers(definition),
                definition.general_feedback,
                question.version,
            ]
        )


# --- Grading ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueEntry:
    kind: str  # "submission" or "essay"
    item_title: str
    item_id: int
    learner: str
    submitted_at: datetime
    waiting_hours: int
    url: str
    late: bool = False
    regrade: bool = False  # a new submission after an earlier one was graded


def grading_queue(
    course: Course, *, now: datetime, item_id: int | None = None, group_id: int | None = None
) -> list[QueueEntry]:
    """Work waiting for a person, oldest first: each learner's latest submission without a grade, and
    quiz attempts with essays to grade. Three queries whatever the number of submissions."""
    live = Item.objects.filter(course=course).values("pk")  # nothing in the course archive waits for grading
    submissions = (
        Submission.objects.filter(assignment__item__course=course, assignment__item__in=live, grade__isnull=True)
        .exclude(
            Exists(
                Submission.objects.filter(
                    assignment=OuterRef("assignment"), user=OuterRef("user"), number__gt=OuterRef("number")
                )
            )
        )
        .annotate(earlier_graded=Exists(Grade.objects.filter(submission__assignment=OuterRef("assignment"),
                                                              submission__user=OuterRef("user"))))
        .select_related("assignment__item", "user")
    )  # fmt: skip
    attempts = Attempt.objects.filter(
        quiz__item__course=course, quiz__item__in=live, state=AttemptState.SUBMITTED, needs_grading=True
    )
    attempts = attempts.select_related("quiz__item", "user")
    if item_id:
        submissions = submissions.filter(assignment__item_id=item_id)
        attempts = attempts.filter(quiz__item_id=item_id)
    if group_id:
        members = Membership.objects.filter(course=course, groups=group_id).values("user_id")
        submissions = submissions.filter(user_id__in=members)
        attempts = attempts.filter(user_id__in=members)
    entries = [
        QueueEntry(
            kind="submission",
            item_title=s.assignment.item.title,
            item_id=s.assignment.item_id,
            learner=s.user.display_name,
            submitted_at=s.submitted_at,
            waiting_hours=int((now - s.submitted_at).total_seconds() // 3600),
            url=reverse("assessment:grade-submission", args=[course.slug, s.pk]),
            late=s.is_late,
            regrade=bool(getattr(s, "earlier_graded", False)),
        )
        for s in submissions[:MAX_QUEUE]
    ]
    entries += [
        QueueEntry(
            kind="essay",
            item_title=a.quiz.item.title,
            item_id=a.quiz.item_id,
            learner=a.user.display_name,
            submitted_at=a.submitted_at or a.started_at,
            waiting_hours=int((now - (a.submitted_at or a.started_at)).total_seconds() // 3600),
            url=reverse("assessment:grade-attempt", args=[course.slug, a.pk]),
        )
        for a in attempts[:MAX_QUEUE]
    ]
    return sorted(entries, key=lambda e: e.submitted_at)


MAX_QUEUE = 500


@dataclass(frozen=True)
class Turnaround:
    who: str  # a grader's name, or "" for the whole course
    released: int
    median_hours: float | None
    slowest_hours: float | None


def _hours(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return round(median, 1), round(ordered[-1], 1)


def feedback_turnaround(course: Course) -> list[Turnaround]:
    """Submitted → feedback released, for the course and per grader (one query)."""
    rows = Grade.objects.filter(submission__assignment__item__course=course, released_at__isnull=False).values_list(
        "grader__display_name", "submission__submitted_at", "released_at"
    )
    per: dict[str, list[float]] = {}
    everyone: list[float] = []
    for name, submitted, released in rows:
        if released is None:
            continue
        hours = (released - submitted).total_seconds() / 3600
        everyone.append(hours)
        per.setdefault(name or "", []).append(hours)
    result = [Turnaround("", len(everyone), *_hours(everyone))]
    result += [Turnaround(name, len(values), *_hours(values)) for name, values in sorted(per.items())]
    return result


# --- Per-learner summaries (for the insights app) ----------------------------------------------------
RECENT_SCORES = 5


@dataclass(frozen=True)
class LearnerWork:
    """One learner's assessed work in a course, as the gradebook shows it to them (released and
    auto-graded results only)."""

    average: Decimal | None = None  # the gradebook's total for the learner, as shown (one decimal)
    recent_scores: tuple[Decimal, ...] = ()  # shown percents of the latest graded attempts and grades, oldest first
    done_item_ids: frozenset[int] = frozenset()  # quizzes with a submitted attempt, assignments with a submission
    last_submission_at: datetime | None = None  # the latest submission or submitted attempt
    submissions: tuple[tuple[datetime, datetime | None], ...] = ()  # (time of record, deadline then), newest first


def learners_work(course: Course, user_ids: Sequence[int]) -> dict[int, LearnerWork]:
    """Each learner's `LearnerWork` (learners without any work are left out): ten queries for any number of
    learners (pass a few hundred at a time). Percents and totals come from the gradebook and
    `scores`, so they are the figures the learner's own "My grades" page shows."""
    the_book = gradebook.book(course)
    people = [(uid, "", "") for uid in user_ids]
    totals = {row.user_id: row.total for row in gradebook.rows_for(course, the_book, people, released_only=True)}
    points: dict[int, list[tuple[datetime, Decimal]]] = {}
    done: dict[int, set[int]] = {}
    last: dict[int, datetime] = {}
    submissions: dict[int, list[tuple[datetime, datetime | None]]] = {}

    def seen(user_id: int, item_id: int, when: datetime | None) -> None:
        done.setdefault(user_id, set()).add(item_id)
        if when is not None and (user_id not in last or when > last[user_id]):
            last[user_id] = when

    attempts = Attempt.objects.filter(quiz__item__course=course, user_id__in=user_ids, state=AttemptState.SUBMITTED)
    for user_id, quiz_id, submitted_at, score, max_score, needs_grading in attempts.values_list(
        "user_id", "quiz_id", "submitted_at", "score", "max_score", "needs_grading"
    ):
        seen(user_id, quiz_id, submitted_at)
        percent = None if needs_grading else scores.percent(score, max_score)
        if percent is not None and submitted_at is not None:
            points.setdefault(user_id, []).append((submitted_at, scores.shown(percent)))
    rows = Submission.objects.filter(assignment__item__course=course, user_id__in=user_ids)
    for user_id, item_id, submitted_at, deadline_at in rows.values_list(
        "user_id", "assignment_id", "submitted_at", "deadline_at"
    ):
        seen(user_id, item_id, submitted_at)
        submissions.setdefault(user_id, []).append((submitted_at, deadline_at))
    grades = Grade.objects.filter(
        submission__assignment__item__course=course, submission__user_id__in=user_ids, released_at__isnull=False
    )
    for user_id, submitted_at, earned, possible in grades.values_list(
        "submission__user_id", "submission__submitted_at", "points", "submission__assignment__max_points"
    ):
        if (percent := scores.percent(earned, possible)) is not None:
            points.setdefault(user_id, []).append((submitted_at, scores.shown(percent)))
    result: dict[int, LearnerWork] = {}
    for user_id in user_ids:
        total = totals.get(user_id)
        if total is None and user_id not in done:
            continue
        mine = sorted(points.get(user_id, []), key=lambda p: p[0])[-RECENT_SCORES:]
        result[user_id] = LearnerWork(
            average=scores.shown_or_none(total),
            recent_scores=tuple(p for _when, p in mine),
            done_item_ids=frozenset(done.get(user_id, ())),
            last_submission_at=last.get(user_id),
            submissions=tuple(sorted(submissions.get(user_id, []), key=lambda s: s[0], reverse=True)),
        )
    return result
