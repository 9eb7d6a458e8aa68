"""Assessment reads: the bank's lists and exports. Each runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from cadence.assessment.domain import gift
from cadence.assessment.domain.definitions import QuestionDef
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
    learner_id: int
    submitted_at: datetime
    waiting_hours: int
    url: str
    late: bool = False
    regrade: bool = False  # a new submission after an earlier one was graded


def waiting_submissions(items: QuerySet[Item, Any]) -> QuerySet[Submission]:
    """Each learner's latest submission to these items' assignments that has no grade yet: what waits for grading."""
    later = Submission.objects.filter(
        assignment=OuterRef("assignment"), user=OuterRef("user"), number__gt=OuterRef("number")
    )
    return Submission.objects.filter(assignment__item__in=items, grade__isnull=True).exclude(Exists(later))


def waiting_attempts(items: QuerySet[Item, Any]) -> QuerySet[Attempt]:
    """Submitted attempts at these items' quizzes with essays waiting for a person."""
    return Attempt.objects.filter(quiz__item__in=items, state=AttemptState.SUBMITTED, needs_grading=True)


def grading_queue(
    course: Course, *, now: datetime, item_id: int | None = None, group_id: int | None = None
) -> list[QueueEntry]:
    """Work waiting for a person, oldest first: each learner's latest submission without a grade, and
    quiz attempts with essays to grade. Three queries whatever the number of submissions."""
    live = Item.objects.filter(course=course).values("pk")  # nothing in the course archive waits for grading
    submissions = (
        waiting_submissions(live)
        .annotate(earlier_graded=Exists(Grade.objects.filter(submission__assignment=OuterRef("assignment"),
                                                              submission__user=OuterRef("user"))))
        .select_related("assignment__item", "user")
    )  # fmt: skip
    attempts = waiting_attempts(live).select_related("quiz__item", "user")
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
            learner_id=s.user_id,
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
            learner_id=a.user_id,
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


def feedback_turnaround(course: Course, *, learners: QuerySet[Any, Any] | None = None) -> list[Turnaround]:
    """Submitted → feedback released, for the course and per grader (one query); `learners` (user ids) narrows it
    to some learners' work."""
    grades = Grade.objects.filter(submission__assignment__item__course=course, released_at__isnull=False)
    if learners is not None:
        grades = grades.filter(submission__user_id__in=learners)
    rows = grades.values_list("grader__display_name", "submission__submitted_at", "released_at")
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
