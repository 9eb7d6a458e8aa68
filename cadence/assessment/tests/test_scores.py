"""One source for the arithmetic of grades: quiz grades by method, attempt scores and outcomes, letters.

The pure functions are checked by hypothesis; the regression tests show the item page, the "passed"
completion rule and the gradebook (grid and CSV) agreeing on the same attempts.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cadence.assessment.domain import gradebook, scores
from cadence.assessment.domain.scores import Outcome
from cadence.assessment.models import Attempt, AttemptState, Quiz
from cadence.assessment.services import attempt_results
from cadence.assessment.tests.factories import question, quiz_item
from cadence.courses.models import Item
from cadence.progress.models import Completion
from conftest import CourseWorld

D = Decimal
METHODS = ("highest", "last", "average", "first")

percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
fractions = st.decimals(min_value=0, max_value=1, places=5, allow_nan=False, allow_infinity=False)
points = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


# --- The pure functions ------------------------------------------------------------------------------------
@given(st.sampled_from(METHODS), st.lists(percents, min_size=1, max_size=8))
def test_a_quiz_grade_is_one_of_the_attempts_or_their_exact_mean(method: str, values: list[D]) -> None:
    grade = scores.quiz_grade(method, values)
    assert grade is not None and min(values) <= grade <= max(values)
    expected = {"highest": max(values), "last": values[-1], "first": values[0]}.get(
        method, sum(values, D(0)) / len(values)
    )
    assert grade == expected


@given(st.sampled_from(METHODS))
def test_no_attempts_no_grade(method: str) -> None:
    assert scores.quiz_grade(method, []) is None


@given(
    st.dictionaries(
        st.tuples(st.integers(1, 3), st.integers(1, 3)),
        st.lists(st.tuples(points, st.decimals(min_value=1, max_value=100, places=2)), min_size=1, max_size=5),
        max_size=6,
    ),
    st.dictionaries(st.integers(1, 3), st.sampled_from(METHODS)),
)
def test_the_gradebook_takes_each_quiz_grade_from_the_same_function(
    attempts: dict[tuple[int, int], list[tuple[D, D]]], methods: dict[int, str]
) -> None:
    rows = [
        (quiz_id, user_id, number, min(score, max_score), max_score)
        for (quiz_id, user_id), tries in attempts.items()
        for number, (score, max_score) in enumerate(tries, start=1)
    ]
    cells = gradebook.quiz_percents(methods, rows)
    for (quiz_id, user_id), tries in attempts.items():
        unrounded = [D(min(s, m)) * 100 / m for s, m in tries]
        assert cells[(quiz_id, user_id)] == scores.quiz_grade(methods.get(quiz_id, "highest"), unrounded)


@given(st.lists(st.tuples(points, st.one_of(st.none(), fractions)), max_size=12))
def test_an_attempt_score_is_the_sum_of_its_questions_points_to_the_cent(
    questions: list[tuple[D, D | None]],
) -> None:
    total, pending = scores.attempt_score(questions)
    assert pending == any(f is None for _p, f in questions)
    assert total == sum((p * f).quantize(D("0.01"), "ROUND_HALF_UP") for p, f in questions if f is not None)
    assert total == total.quantize(D("0.01"))


@given(fractions)
def test_the_outcome_follows_the_share_of_the_points(fraction: D) -> None:
    outcome = scores.outcome_for(fraction)
    assert outcome == (Outcome.RIGHT if fraction == 1 else Outcome.WRONG if fraction == 0 else Outcome.PARTLY)


@given(st.decimals(min_value=0, max_value=100, places=4), st.integers(1, 100))
def test_a_threshold_is_reached_by_the_figure_as_shown(value: D, threshold: int) -> None:
    assert scores.reaches(value, threshold) == (scores.shown(value) >= threshold)
    assert scores.shown(value) == value.quantize(D("0.1"), "ROUND_HALF_UP")


@given(st.decimals(min_value=0, max_value=100, places=4), st.decimals(min_value=0, max_value=100, places=4))
def test_a_higher_percent_never_earns_a_lower_letter(low: D, high: D) -> None:
    low, high = min(low, high), max(low, high)
    scheme = scores.letters([[90, "A"], [80, "B"], [70, "C"], [60, "D"], [0, "F"]])
    order = "FDCBA"
    assert order.index(scores.letter_for(low, scheme)) <= order.index(scores.letter_for(high, scheme))
    assert scores.letter_for(low, scheme) == scores.letter_for(scores.shown(low), scheme)


def test_a_letter_goes_by_the_total_as_shown() -> None:
    scheme = scores.letters([[90, "A"], [80, "B"]])
    assert scores.letter_for(D("89.96"), scheme) == "A"  # shown as 90.0
    assert scores.letter_for(D("89.94"), scheme) == "B"
    assert scores.letter_for(D("79"), scheme) == ""
    assert scores.letter_for(None, scheme) == ""


@given(st.lists(percents, max_size=8), st.integers(0, 10))
def test_dropping_the_lowest_always_keeps_one(values: list[D], drop: int) -> None:
    mean = scores.mean_after_dropping(values, drop)
    if not values:
        assert mean is None
    else:
        kept = sorted(values)[min(drop, len(values) - 1) :]
        assert mean == sum(kept, D(0)) / len(kept)


# --- The pages agree -----------------------------------------------------------------------------------------
def _attempts(world: CourseWorld, percents_out_of_100: list[str], **settings: object) -> tuple[Item, Quiz]:
    item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course), **settings)
    now = timezone.now()
    for number, score in enumerate(percents_out_of_100, start=1):
        Attempt.objects.create(
            quiz=quiz, user=world.learner, number=number, state=AttemptState.SUBMITTED, started_at=now,
            submitted_at=now, score=D(score), max_score=D(100),
        )  # fmt: skip
    return item, quiz


def _item_page_grade(client: Client, world: CourseWorld, item: Item) -> str:
    client.force_login(world.learner)
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, item.pk])).content.decode()
    match = re.search(r"Your grade: ([\d.]+) %", page)
    assert match, "the item page shows no grade"
    return match.group(1)


def _gradebook_grade(client: Client, world: CourseWorld) -> str:
    client.force_login(world.teacher)
    export = client.get(reverse("assessment:gradebook-export", args=[world.course.slug]))
    lines = b"".join(export.streaming_content).decode().splitlines()
    header, row = lines[0].split(","), next(line for line in lines if line.startswith("Learner,")).split(",")
    grid = client.get(reverse("assessment:gradebook", args=[world.course.slug])).content.decode()
    cell = row[header.index("Check yourself")]
    assert f">{cell}</a></td>" in grid  # the grid shows the figure the export has
    return cell


@pytest.mark.django_db
def test_the_item_page_and_the_gradebook_show_the_same_average_of_10_04_and_10_08(
    client: Client, world: CourseWorld
) -> None:
    item, _quiz = _attempts(world, ["10.04", "10.08"], grading_method="average")
    assert _item_page_grade(client, world, item) == _gradebook_grade(client, world) == "10.1"


@pytest.mark.django_db
def test_the_passed_rule_agrees_with_the_grade_the_pages_show(client: Client, world: CourseWorld) -> None:
    """69.94, 69.94 and 69.97 average 69.95: shown as 70.0, which reaches a 70 % threshold."""
    item, quiz = _attempts(world, ["69.94", "69.94", "69.97"], grading_method="average")
    Item.objects.filter(pk=item.pk).update(completion_rule="passed", completion_threshold=70)
    last = Attempt.objects.select_related("quiz__item", "user").get(quiz=quiz, number=3)
    attempt_results.record_completion(last, now=timezone.now())
    assert Completion.objects.filter(user=world.learner, item=item).exists()
    assert _item_page_grade(client, world, item) == _gradebook_grade(client, world) == "70.0"


@pytest.mark.django_db
def test_the_attempt_list_shows_each_attempt_as_the_gradebook_would(client: Client, world: CourseWorld) -> None:
    item, _quiz = _attempts(world, ["10.05"], grading_method="highest")
    client.force_login(world.learner)
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, item.pk])).content.decode()
    assert "(10.1 %)" in page  # half up, like every other figure (not 10.0 by half-even)
    assert _gradebook_grade(client, world) == "10.1"
