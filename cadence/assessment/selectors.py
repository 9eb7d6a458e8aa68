"""Assessment reads: the bank's lists and exports. Each runs a fixed number of queries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from cadence.assessment import gift
from cadence.assessment.definitions import QuestionDef
from cadence.assessment.models import Concept, Question, QuestionCategory
from cadence.courses.models import Course

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


def csv_rows(course: Course, bank_filter: BankFilter | None = None) -> Iterator[str]:
    """The bank as CSV lines, streamed: one question at a time, whatever the bank's size."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_safe_cell(v) for v in values])
        return buffer.getvalue()

    yield line(list(CSV_HEADER))
    for question in bank_questions(course, bank_filter).iterator(chunk_size=500):
        definition = question.as_def()
        yield line(
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


def _safe_cell(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: such text gets a leading apostrophe."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
