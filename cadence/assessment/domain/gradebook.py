"""Gradebook arithmetic: a learner's row (category averages, weighted total, letter) from their cells.

No database here: `assessment.selectors.gradebook` loads the columns, categories and cells (for a page or a
chunk of learners at a time, in a fixed number of queries) and calls `row` for each learner.

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

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from cadence.assessment.domain import scores

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Category:
    pk: int
    name: str
    weight: Decimal
    drop_lowest: int


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
    categories: list[Category]
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


def column_heading(column: Column) -> str:
    if not column.archived:
        return column.title
    return f"{column.title} (archived{'' if column.counts else ', not counted'})"


def quiz_percents(
    quiz_methods: dict[int, str], rows: Iterable[tuple[int, int, int, Decimal, Decimal]]
) -> dict[tuple[int, int], Decimal]:
    """(item, user) → unrounded percent by each quiz's grading method, from (quiz, user, number, score, max) rows."""
    by: dict[tuple[int, int], list[Decimal]] = {}
    for quiz_id, user_id, _number, score, max_score in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        if (percent := scores.percent(score, max_score)) is not None:
            by.setdefault((quiz_id, user_id), []).append(percent)
    result: dict[tuple[int, int], Decimal] = {}
    for key, percents in by.items():
        value = scores.quiz_grade(quiz_methods.get(key[0], scores.HIGHEST), percents)
        if value is not None:
            result[key] = value
    return result


def row(the_book: Book, user_id: int, name: str, email: str, cells: dict[tuple[int, int], Cell]) -> Row:
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
