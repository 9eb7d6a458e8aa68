"""Item analysis: the statistics on hand-computed data and hypothesis properties, then the selector on real attempts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType
from cadence.assessment.domain.item_analysis import (
    Answer,
    Distribution,
    OptionCount,
    facility,
    looks_miskeyed,
    option_distribution,
    point_biserial,
)
from cadence.assessment.models import AttemptQuestion, Quiz
from cadence.assessment.selectors.item_analysis import quiz_analysis
from cadence.assessment.services import quizzes
from cadence.assessment.services.quizzes import AnswerInput
from cadence.assessment.tests.factories import CAPITAL, ESSAY, MEAN, question, quiz_item
from cadence.courses.models import Course
from cadence.courses.tests.factories import MembershipFactory
from conftest import CourseWorld

D = Decimal

# The key says "the mean"; the strongest learners rightly answer "the median".
MISKEYED = QuestionDef(
    QuestionType.SINGLE,
    "Which average is the middle value of sorted data?",
    (Option("The mean", D(1)), Option("The median", D(0)), Option("The mode", D(0))),
    title="Middle of sorted data",
)


def answer(definition: QuestionDef, response: Mapping[str, Any] | None, fraction: float | None = None) -> Answer:
    return Answer(definition, response, fraction, rest_score=0.5)


# --- facility and point-biserial on hand-computed data ------------------------------------------------------
def test_facility_is_the_mean_credit():
    assert facility([1, 0, 0.5, 1]) == 0.625
    assert facility([0, 0, 0]) == 0


def test_facility_of_no_answers_is_none():
    assert facility([]) is None


@pytest.mark.parametrize(
    ("items", "rests", "expected"),
    [
        # x̄ = ½, ȳ = 2: Σdxdy = 1, Σdx² = 1, Σdy² = 2, so r = 1/√2
        ([1, 1, 0, 0], [3, 2, 1, 2], 1 / math.sqrt(2)),
        # x̄ = 0.6, ȳ = 2: the products cancel, Σdxdy = 0
        ([1, 0, 1, 0, 1], [4, 3, 2, 1, 0], 0.0),
        # the rest score falls exactly as the credit rises
        ([0, 0, 1], [2, 2, 0], -1.0),
        # partial credit: x̄ = ½, ȳ = ⅔, Σdxdy = ½, Σdx² = ½, Σdy² = ⅔, so r = ½/√(⅓) = √3/2
        ([1, 0.5, 0], [1, 1, 0], math.sqrt(3) / 2),
    ],
)
def test_point_biserial_matches_hand_computed_values(items, rests, expected):
    assert point_biserial(items, rests) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("items", "rests"),
    [
        ([1, 0], [2, 1]),  # fewer than three learners
        ([1, 1, 1, 1], [3, 2, 1, 0]),  # everyone right: the credit does not vary
        ([1, 0, 1, 0], [2, 2, 2, 2]),  # the rest score does not vary
        ([0.1, 0.1, 0.1], [1, 2, 3]),  # constant, though its float mean is not exactly 0.1
        ([], []),
    ],
)
def test_point_biserial_is_none_without_enough_spread(items, rests):
    assert point_biserial(items, rests) is None


def test_point_biserial_refuses_unpaired_scores():
    with pytest.raises(ValueError, match="one rest score per learner"):
        point_biserial([1, 0, 1], [1, 2])


# --- hypothesis properties -----------------------------------------------------------------------------------
credits = st.integers(0, 100_000).map(lambda n: n / 100_000)  # as stored: five decimal places
rest_points = st.integers(0, 10_000).map(lambda n: n / 100)  # points with two decimal places


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1000)), max_size=40))
def test_point_biserial_is_always_a_correlation(pairs):
    r = point_biserial([x for x, _y in pairs], [y for _x, y in pairs])
    assert r is None or -1 <= r <= 1


@given(st.lists(st.floats(0, 1), min_size=1))
def test_facility_is_always_a_share(fractions):
    value = facility(fractions)
    assert value is not None and 0 <= value <= 1


@given(st.lists(st.tuples(credits, rest_points), min_size=3, max_size=40), st.integers(-1000, 1000))
def test_point_biserial_ignores_a_constant_added_to_the_rest_scores(pairs, shift):
    items, rests = [x for x, _y in pairs], [y for _x, y in pairs]
    before = point_biserial(items, rests)
    after = point_biserial(items, [y + shift for y in rests])
    assert (before is None and after is None) or after == pytest.approx(before, abs=1e-9)


# --- option distribution and the miskey flag ----------------------------------------------------------------
def test_the_distribution_counts_options_by_the_definitions_index_and_the_unanswered():
    answers = [answer(MEAN, {"choice": c}) for c in (0, 1, 1, "2")] + [answer(MEAN, None), answer(MEAN, {"choice": 9})]
    assert option_distribution(answers) == Distribution(
        (
            OptionCount("The mean", True, 1, 1 / 6),
            OptionCount("The median", False, 2, 2 / 6),
            OptionCount("The mode", False, 1, 1 / 6),
        ),
        unanswered=2,
    )


def test_multiple_response_counts_each_option_chosen():
    multiple = QuestionDef(
        QuestionType.MULTIPLE,
        "Which resist outliers?",
        (Option("median", D("0.5")), Option("mean"), Option("IQR", D("0.5"))),
    )
    answers = [answer(multiple, {"choices": c}) for c in ([0, 2], [0, 1], [0, 0], [])]
    distribution = option_distribution(answers)
    assert [(row.text, row.is_right, row.count) for row in distribution.rows] == [
        ("median", True, 3),
        ("mean", False, 1),
        ("IQR", True, 1),
    ]
    assert distribution.unanswered == 1 and distribution.rows[0].share == 0.75


def test_typed_answers_are_normalised_and_the_commonest_listed():
    answers = [answer(CAPITAL, {"text": t}) for t in (" Median ", "median", "mean", "", "MEAN", "mode")]
    distribution = option_distribution(answers)
    assert [(row.text, row.is_right, row.count) for row in distribution.rows] == [
        ("median", True, 2),
        ("mean", False, 2),
        ("mode", False, 1),
    ]
    assert distribution.unanswered == 1


def test_an_edited_key_shows_both_versions_of_the_option():
    fixed = MISKEYED.with_changes(options=(Option("The mean", D(0)), Option("The median", D(1)), Option("The mode")))
    rows = option_distribution([answer(MISKEYED, {"choice": 1}), answer(fixed, {"choice": 1})]).rows
    assert [(row.text, row.is_right, row.count) for row in rows] == [
        ("The mean", True, 0),
        ("The median", False, 1),
        ("The mode", False, 0),
        ("The mean", False, 0),
        ("The median", True, 1),
    ]


def test_essays_only_count_the_unanswered():
    distribution = option_distribution([answer(ESSAY, {"text": "Because…"}), answer(ESSAY, {"text": " "})])
    assert distribution == Distribution((), unanswered=1)


def _top_third(chosen: Mapping[int, int]) -> Distribution:
    return option_distribution([answer(MISKEYED, {"choice": c}) for c, n in chosen.items() for _i in range(n)])


def test_negative_discrimination_flags_the_key():
    reason = looks_miskeyed(qtype=QuestionType.SINGLE, discrimination=-0.3, graded=12, top_third=_top_third({0: 4}))
    assert reason == "Stronger learners do worse on this question: check the key."


def test_a_wrong_option_the_strongest_prefer_flags_the_key():
    reason = looks_miskeyed(
        qtype=QuestionType.SINGLE, discrimination=0.05, graded=12, top_third=_top_third({0: 1, 1: 3})
    )
    assert reason == "The strongest learners mostly chose “The median”, which is marked wrong: check the key."


@pytest.mark.parametrize(
    ("qtype", "discrimination", "graded", "chosen"),
    [
        (QuestionType.SINGLE, -0.5, 9, {1: 3}),  # too few answers to judge
        (QuestionType.SINGLE, -0.05, 12, {0: 3, 1: 1}),  # slightly negative is noise; the strongest chose the key
        (QuestionType.SINGLE, None, 12, {0: 2, 1: 2}),  # a tie with the key is no evidence
        (QuestionType.SHORT, 0.2, 12, {1: 4}),  # the second sign is for choice questions only
    ],
)
def test_no_flag_without_evidence(qtype, discrimination, graded, chosen):
    assert (
        looks_miskeyed(qtype=qtype, discrimination=discrimination, graded=graded, top_third=_top_third(chosen)) is None
    )


# --- the selector on real attempts ------------------------------------------------------------------------------
def _learners(course: Course, n: int) -> list[User]:
    people = [UserFactory() for _i in range(n)]
    for person in people:
        MembershipFactory(user=person, course=course, role="learner")
    return people


def _take(learner: User, quiz: Quiz, responses: Mapping[int, Mapping[str, Any]], *, submit: bool = True) -> None:
    """One attempt answering bank question id → response, wherever the shuffle put each question."""
    now = timezone.now()
    attempt = quizzes.start_attempt(user=learner, quiz=quiz, now=now)
    positions = {row.question_id: row.position for row in attempt.questions.all()}
    answers = [AnswerInput(positions[qid], response) for qid, response in responses.items()]
    quizzes.save_answers(user=learner, attempt_id=attempt.pk, answers=answers, now=now)
    if submit:
        quizzes.submit_attempt(user=learner, attempt_id=attempt.pk, now=now)


def _q3_choice(k: int) -> int:
    """The miskeyed question: the weaker learners (and learner 6) pick the keyed "mean"; the strongest, the median."""
    if k <= 3 or k == 6:
        return 0
    return 2 if k in (4, 5) else 1


@pytest.mark.django_db
def test_the_analysis_of_a_quiz_with_a_miskeyed_question(world: CourseWorld):
    q1 = question(world.teacher, world.course, MEAN.with_changes(points=D(2)))
    q2 = question(world.teacher, world.course, CAPITAL.with_changes(points=D(2)))
    q3 = question(world.teacher, world.course, MISKEYED)
    _item, quiz = quiz_item(world.teacher, world.modules[0], q1, q2, q3, shuffle_questions=True)
    learners = [world.learner, *_learners(world.course, 12)]  # ordered weakest to strongest; the last never submits
    for k, learner in enumerate(learners[:12]):
        q1_choice = 0 if k >= 4 else {0: 2, 1: None}.get(k, 1)
        _take(
            learner,
            quiz,
            {
                q1.pk: {} if q1_choice is None else {"choice": q1_choice},
                q2.pk: {"text": " Median " if k >= 6 else ("mean" if k % 2 else "mode")},
                q3.pk: {"choice": _q3_choice(k)},
            },
        )
    _take(world.learner, quiz, {q1.pk: {"choice": 0}, q2.pk: {"text": "median"}, q3.pk: {"choice": 1}})  # a retake
    _take(learners[12], quiz, {q1.pk: {"choice": 0}}, submit=False)

    analysis = quiz_analysis(quiz)

    assert analysis.attempts == 12  # first submitted attempts only
    # 20 % (k 0–3), 40 % (k 4–5), 100 % (k 6), 80 % (k 7–11)
    assert analysis.mean_score_percent == pytest.approx(55.0)
    by_id = {q.question_id: q for q in analysis.questions}  # shuffled: each may first appear anywhere
    first, second, third = by_id[q1.pk], by_id[q2.pk], by_id[q3.pk]
    assert len(analysis.questions) == 3
    assert (first.title, first.qtype, first.responses, first.ungraded) == (MEAN.title, QuestionType.SINGLE, 12, 0)
    assert first.facility == pytest.approx(8 / 12) and first.unanswered == 1
    assert [(row.text, row.is_right, row.count) for row in first.options] == [
        ("The mean", True, 8),
        ("The median", False, 2),
        ("The mode", False, 1),
    ]
    assert first.discrimination is not None and first.discrimination > 0.3 and first.miskey_reason is None
    # Rest scores ×3: 1 (k 0–3), 2 (k 4–5), 3 (k 6), 2 (k 7–11): Σdxdy = 2.5, Σdx² = 3, Σdy² = 4.25.
    assert second.facility == 0.5 and second.discrimination == pytest.approx(2.5 / math.sqrt(3 * 4.25))
    assert [(row.text, row.count) for row in second.options] == [("median", 6), ("mode", 3), ("mean", 3)]
    assert second.miskey_reason is None
    assert third.facility == pytest.approx(5 / 12)
    assert third.discrimination is not None and third.discrimination < -0.5
    assert third.miskey_reason == "Stronger learners do worse on this question: check the key."


@pytest.mark.django_db
def test_essays_waiting_for_a_grade_are_counted_but_left_out(world: CourseWorld):
    mcq, essay = question(world.teacher, world.course), question(world.teacher, world.course, ESSAY)
    _item, quiz = quiz_item(world.teacher, world.modules[0], mcq, essay)
    for k, learner in enumerate([world.learner, *_learners(world.course, 2)]):
        _take(learner, quiz, {mcq.pk: {"choice": k % 2}, essay.pk: {"text": "Because every value counts."}})
    analysis = quiz_analysis(quiz)
    first, second = analysis.questions
    assert (second.responses, second.ungraded, second.facility, second.discrimination) == (3, 3, None, None)
    assert first.facility == pytest.approx(2 / 3) and first.discrimination is None  # no graded rest to correlate with
    assert analysis.mean_score_percent is None  # every attempt waits for its essay


@pytest.mark.django_db
def test_a_deleted_bank_question_is_grouped_by_its_snapshot(world: CourseWorld):
    q = question(world.teacher, world.course)
    _item, quiz = quiz_item(world.teacher, world.modules[0], q)
    for learner in [world.learner, *_learners(world.course, 1)]:
        _take(learner, quiz, {q.pk: {"choice": 0}})
    AttemptQuestion.objects.update(question=None)  # as on_delete=SET_NULL leaves it
    (only,) = quiz_analysis(quiz).questions
    assert (only.question_id, only.position, only.responses, only.facility) == (None, 1, 2, 1.0)


@pytest.mark.django_db
def test_a_quiz_nobody_submitted_has_an_empty_analysis(world: CourseWorld):
    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course))
    _take(world.learner, quiz, {}, submit=False)
    analysis = quiz_analysis(quiz)
    assert (analysis.attempts, analysis.questions, analysis.mean_score_percent) == (0, (), None)


@pytest.mark.django_db
def test_the_analysis_reads_in_one_query_whatever_the_number_of_attempts(
    world: CourseWorld, django_assert_max_num_queries
):
    q1, q2 = question(world.teacher, world.course), question(world.teacher, world.course, CAPITAL)
    _item, quiz = quiz_item(world.teacher, world.modules[0], q1, q2)
    learners = _learners(world.course, 15)
    for count, batch in ((5, learners[:5]), (15, learners[5:])):
        for k, learner in enumerate(batch):
            _take(learner, quiz, {q1.pk: {"choice": k % 3}, q2.pk: {"text": "median" if k % 2 else "mode"}})
        with django_assert_max_num_queries(1):
            analysis = quiz_analysis(quiz)
        assert analysis.attempts == count
