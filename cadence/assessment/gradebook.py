"""The gradebook: each learner's percent on every quiz and assignment, category averages, weighted total
and letter. Computed for a page (or a chunk) of learners at a time in a fixed number of queries, so
the grid and the CSV export stay fast and flat in memory for any number of learners.

Rules (also in docs/usage.md):
- a quiz counts its grade by the quiz's grading method; an assignment its latest graded submission;
  a teacher's override replaces either;
- work not graded yet (or, for learners, not released) is left out, not counted as zero;
- a category averages its items after dropping each learner's N lowest (at least one stays);
- the total weighs the categories by their weights, re-scaled over the categories that have grades;
  items in no category form one more category weighted by whatever weight the others leave (if any);
- a deleted (archived) quiz or assignment keeps its column, marked archived, with every grade; it counts in
  categories and totals only when the teacher says it still does (default: shown, not counted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from cadence.accounts.models import User
from cadence.assessment import scores
from cadence.assessment.models import (
    DEFAULT_LETTERS,
    Attempt,
    AttemptState,
    Grade,
    GradebookSettings,
    GradeCategory,
    GradeOverride,
    GradingMethod,
    Quiz,
)
from cadence.courses.models import Course, Item, ItemKind, Membership, Role

HUNDRED = Decimal(100)
CHUNK = 500


@dataclass(frozen=True)
class Column:
    item_id: int
    title: str
    kind: str
    category_id: int | None
    archived: bool = False
    counts: bool = True  # in categories and totals: every live item; an archived one if the teacher says so


@dataclass(frozen=True)
class Cell:
    percent: Decimal | None
    overridden: bool = False


@dataclass(frozen=True)
class CategoryResult:
    category_id: int | None
    name: str
    weight: Decimal
    percent: Decimal | None


@dataclass(frozen=True)
class Row:
    user_id: int
    name: str
    email: str
    cells: dict[int, Cell]
    categories: list[CategoryResult]
    total: Decimal | None
    letter: str


@dataclass(frozen=True)
class Book:
    columns: list[Column]
    categories: list[GradeCategory]
    scheme: list[list[object]]

    @cached_property
    def items_by_category(self) -> dict[int | None, list[int]]:
        """Item ids per category id; items in no (or a deleted) category under None."""
        known = {c.pk for c in self.categories}
        grouped: dict[int | None, list[int]] = {}
        for column in self.columns:
            if not column.counts:
                continue
            key = column.category_id if column.category_id in known else None
            grouped.setdefault(key, []).append(column.item_id)
        return grouped

    @cached_property
    def rest_weight(self) -> Decimal:
        return max(Decimal(0), HUNDRED - sum((c.weight for c in self.categories), Decimal(0)))

    @cached_property
    def letters(self) -> list[tuple[Decimal, str]]:
        return scores.letters(self.scheme)


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
        categories=list(GradeCategory.objects.filter(course=course).order_by("position", "id")),
        scheme=(settings.letter_scheme if settings and settings.letter_scheme else DEFAULT_LETTERS),
    )


def _column_heading(column: Column) -> str:
    if not column.archived:
        return column.title
    return f"{column.title} (archived{'' if column.counts else ', not counted'})"


def _quiz_percents(
    quiz_methods: dict[int, str], rows: Sequence[tuple[int, int, int, Decimal, Decimal]]
) -> dict[tuple[int, int], Decimal]:
    """(item, user) → unrounded percent by each quiz's grading method, from (quiz, user, number, score, max) rows."""
    by: dict[tuple[int, int], list[Decimal]] = {}
    for quiz_id, user_id, _number, score, max_score in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        if (percent := scores.percent(score, max_score)) is not None:
            by.setdefault((quiz_id, user_id), []).append(percent)
    result: dict[tuple[int, int], Decimal] = {}
    for key, percents in by.items():
        value = scores.quiz_grade(quiz_methods.get(key[0], GradingMethod.HIGHEST), percents)
        if value is not None:
            result[key] = value
    return result


def _cells(course: Course, user_ids: Sequence[int], *, released_only: bool) -> dict[tuple[int, int], Cell]:
    """(item, user) → cell for these learners: four queries."""
    methods = dict(Quiz.objects.filter(item__course=course).values_list("item_id", "grading_method"))
    attempts = Attempt.objects.filter(
        quiz__item__course=course, user_id__in=user_ids, state=AttemptState.SUBMITTED, needs_grading=False
    ).exclude(score__isnull=True)
    cells = {
        key: Cell(value)
        for key, value in _quiz_percents(
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


def _row(the_book: Book, user_id: int, name: str, email: str, cells: dict[tuple[int, int], Cell]) -> Row:
    empty = Cell(None)
    mine = {c.item_id: cells.get((c.item_id, user_id), empty) for c in the_book.columns}
    grouped = the_book.items_by_category
    results: list[CategoryResult] = []
    for category in the_book.categories:
        values = [p for i in grouped.get(category.pk, ()) if (p := mine[i].percent) is not None]
        results.append(
            CategoryResult(
                category.pk, category.name, category.weight, scores.mean_after_dropping(values, category.drop_lowest)
            )
        )
    loose = grouped.get(None)
    if loose and (the_book.rest_weight > 0 or not the_book.categories):
        values = [p for i in loose if (p := mine[i].percent) is not None]
        results.append(CategoryResult(None, "", the_book.rest_weight or HUNDRED, scores.mean_after_dropping(values, 0)))
    total = scores.weighted_mean((r.weight, r.percent) for r in results)
    letter = scores.letter_for(total, the_book.letters)
    return Row(user_id, name, email, mine, results, total, letter)


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
    return [_row(the_book, uid, name, email, cells) for uid, name, email in people]


def learner_row(course: Course, user: User) -> tuple[Book, Row]:
    """A learner's own grades, counting only what has been released to them."""
    the_book = book(course)
    return the_book, rows_for(course, the_book, [(user.pk, user.display_name, user.email)], released_only=True)[0]


def csv_rows(course: Course, *, group_id: int | None = None) -> Iterator[list[object]]:
    """The whole gradebook's rows for CSV (`core.csv_export` writes them), streamed: learners are read and
    computed 500 at a time. Percents are as shown on the grid."""
    the_book = book(course)
    shown = scores.shown_or_none

    header: list[object] = ["name", "email", *[_column_heading(c) for c in the_book.columns]]
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
