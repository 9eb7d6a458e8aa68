"""The gradebook read from the database: columns, categories and each learner's cells, a page (or a chunk)
of learners at a time in a fixed number of queries, so the grid and the CSV export stay fast and flat in
memory for any number of learners. The arithmetic (categories, weighted total, letter) and its rules are
`assessment.domain.gradebook`'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from cadence.accounts.models import User
from cadence.assessment.domain import gradebook as rules
from cadence.assessment.domain import scores
from cadence.assessment.domain.gradebook import Book, Category, Cell, Column, Row
from cadence.assessment.models import (
    DEFAULT_LETTERS,
    Attempt,
    AttemptState,
    Grade,
    GradebookSettings,
    GradeCategory,
    GradeOverride,
    Quiz,
)
from cadence.courses.models import Course, Item, ItemKind, Membership, Role

__all__ = ["Book", "Cell", "Column", "Row", "book", "csv_rows", "learner_row", "learners", "rows_for"]

CHUNK = 500


def book(course: Course) -> Book:
    """The gradebook's columns (graded items in course order, then archived ones), categories and letter
    scheme: 3 queries."""
    items = (
        Item.all_objects.filter(course=course, kind__in=[ItemKind.QUIZ, ItemKind.ASSIGNMENT])
        .select_related("gradebook", "module")
        .order_by("module__position", "module_id", "position", "id")
    )
    columns = []
    for i in items:
        entry = getattr(i, "gradebook", None)
        archived = i.removed_at is not None or i.module.removed_at is not None
        counts = not archived or bool(entry and entry.counts_when_archived)
        columns.append(Column(i.pk, i.title, i.kind, getattr(entry, "category_id", None), archived, counts))
    columns.sort(key=lambda c: c.archived)  # stable: course order, archived columns last
    settings = GradebookSettings.objects.filter(course=course).first()
    return Book(
        columns=columns,
        categories=[
            Category(c.pk, c.name, c.weight, c.drop_lowest)
            for c in GradeCategory.objects.filter(course=course).order_by("position", "id")
        ],
        scheme=(settings.letter_scheme if settings and settings.letter_scheme else DEFAULT_LETTERS),
    )


def _cells(course: Course, user_ids: Sequence[int], *, released_only: bool) -> dict[tuple[int, int], Cell]:
    """(item, user) → cell for these learners: four queries."""
    methods = dict(Quiz.objects.filter(item__course=course).values_list("item_id", "grading_method"))
    attempts = Attempt.objects.filter(
        quiz__item__course=course, user_id__in=user_ids, state=AttemptState.SUBMITTED, needs_grading=False
    ).exclude(score__isnull=True)
    cells = {
        key: Cell(value)
        for key, value in rules.quiz_percents(
            methods,
            [
                (quiz_id, user_id, number, score, max_score)
                for quiz_id, user_id, number, score, max_score in attempts.values_list(
                    "quiz_id", "user_id", "number", "score", "max_score"
                )
                if score is not None
            ],
        ).items()
    }
    grades = Grade.objects.filter(submission__assignment__item__course=course, submission__user_id__in=user_ids)
    if released_only:
        grades = grades.filter(released_at__isnull=False)
    latest: dict[tuple[int, int], tuple[int, Decimal | None]] = {}
    for item_id, user_id, number, points, max_points in grades.values_list(
        "submission__assignment_id",
        "submission__user_id",
        "submission__number",
        "points",
        "submission__assignment__max_points",
    ):
        if (item_id, user_id) not in latest or number > latest[(item_id, user_id)][0]:
            latest[(item_id, user_id)] = (number, scores.percent(points, max_points))
    cells.update({key: Cell(percent) for key, (_n, percent) in latest.items()})
    overrides = GradeOverride.objects.filter(item__course=course, user_id__in=user_ids)
    for item_id, user_id, percent in overrides.values_list("item_id", "user_id", "percent"):
        cells[(item_id, user_id)] = Cell(percent, overridden=True)
    return cells


def learners(course: Course, *, group_id: int | None = None) -> Iterator[tuple[int, str, str]]:
    rows = Membership.objects.filter(course=course, role=Role.LEARNER)
    if group_id:
        rows = rows.filter(groups=group_id)
    yield from (
        rows.order_by("user__display_name", "user_id")
        .values_list("user_id", "user__display_name", "user__email")
        .iterator(chunk_size=CHUNK)
    )


def rows_for(
    course: Course, the_book: Book, people: Sequence[tuple[int, str, str]], *, released_only: bool
) -> list[Row]:
    cells = _cells(course, [p[0] for p in people], released_only=released_only)
    return [rules.row(the_book, uid, name, email, cells) for uid, name, email in people]


def learner_row(course: Course, user: User) -> tuple[Book, Row]:
    """A learner's own grades, counting only what has been released to them."""
    the_book = book(course)
    return the_book, rows_for(course, the_book, [(user.pk, user.display_name, user.email)], released_only=True)[0]


def csv_rows(course: Course, *, group_id: int | None = None) -> Iterator[list[object]]:
    """The whole gradebook's rows for CSV (`core.csv_export` writes them), streamed: learners are read and
    computed 500 at a time. Percents are as shown on the grid."""
    the_book = book(course)
    shown = scores.shown_or_none

    header: list[object] = ["name", "email", *[rules.column_heading(c) for c in the_book.columns]]
    header += [f"{c.name} ({c.weight:g} %)" for c in the_book.categories] + ["total", "letter"]
    yield header
    chunk: list[tuple[int, str, str]] = []

    def flush() -> Iterator[list[object]]:
        for row in rows_for(course, the_book, chunk, released_only=False):
            cells = [shown(row.cells[c.item_id].percent) for c in the_book.columns]
            cats = [shown(r.percent) for r in row.categories if r.category_id is not None]
            yield [row.name, row.email, *cells, *cats, shown(row.total), row.letter]

    for person in learners(course, group_id=group_id):
        chunk.append(person)
        if len(chunk) == CHUNK:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()
