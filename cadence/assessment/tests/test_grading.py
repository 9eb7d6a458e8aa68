"""Grading of every question type, with properties checked by hypothesis over generated questions and answers."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType, Scoring
from cadence.assessment.domain.scoring import Outcome, grade, normalise_text, parse_number, right_response

D = Decimal
ONE = D(1)

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÀéß ", min_size=1, max_size=12).filter(lambda s: s.strip())
credits = st.integers(min_value=-100, max_value=100).map(lambda n: D(n) / 100)


def single(right: int = 0, n: int = 3) -> QuestionDef:
    options = tuple(Option(f"choice {i}", ONE if i == right else D(0), f"feedback {i}") for i in range(n))
    return QuestionDef(QuestionType.SINGLE, "Pick one", options)


@st.composite
def any_question(draw: st.DrawFn) -> QuestionDef:
    qtype = draw(st.sampled_from(list(QuestionType)))
    n = draw(st.integers(min_value=2, max_value=6))
    texts = draw(st.lists(words, min_size=n, max_size=n, unique_by=lambda s: normalise_text(s, case_sensitive=False)))
    options: tuple[Option, ...]
    if qtype == QuestionType.TRUE_FALSE:
        truth = draw(st.booleans())
        options = (Option("True", D(int(truth))), Option("False", D(int(not truth))))
    elif qtype == QuestionType.NUMERIC:
        values = draw(st.lists(st.integers(-1000, 1000), min_size=n, max_size=n, unique=True))
        options = tuple(Option(str(v), draw(credits), tolerance=D(draw(st.integers(0, 3)))) for v in values)
    elif qtype == QuestionType.MATCHING:
        matches = draw(st.lists(words, min_size=n, max_size=n, unique=True))
        options = tuple(Option(t, ONE, match=m) for t, m in zip(texts, matches, strict=True))
    else:
        options = tuple(Option(t, draw(credits), f"fb {t}") for t in texts)
    if qtype == QuestionType.SINGLE:
        options = (Option(options[0].text, ONE), *options[1:])
    return QuestionDef(qtype, "Q", options, scoring=draw(st.sampled_from(list(Scoring))))


responses = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["choice", "choices", "text", "pairs", "order", "junk"]),
        st.one_of(
            st.integers(-3, 8),
            st.text(max_size=20),
            st.lists(st.one_of(st.integers(-3, 8), st.text(max_size=3)), max_size=8),
            st.dictionaries(st.text(max_size=2), st.one_of(st.integers(-3, 8), st.none()), max_size=6),
            st.booleans(),
            st.none(),
        ),
        max_size=4,
    ),
)


# --- Properties for every type ---------------------------------------------------------------------------
@settings(max_examples=300)
@given(any_question(), responses)
def test_any_response_grades_between_nothing_and_full_credit_without_error(question: QuestionDef, response):
    graded = grade(question, response)
    if question.qtype == QuestionType.ESSAY and graded.outcome == Outcome.MANUAL:
        assert graded.fraction is None
    else:
        assert graded.fraction is not None and D(0) <= graded.fraction <= ONE


@settings(max_examples=200)
@given(any_question())
def test_the_right_response_earns_the_most_possible(question: QuestionDef):
    assume(question.qtype != QuestionType.ESSAY)
    best = grade(question, right_response(question))
    if question.qtype == QuestionType.MULTIPLE and question.scoring == Scoring.PARTIAL:
        expected = min(ONE, sum((o.fraction for o in question.options if o.fraction > 0), D(0)))
    elif question.qtype in (QuestionType.SHORT, QuestionType.NUMERIC):
        expected = max(D(0), max(o.fraction for o in question.options))
    elif question.qtype == QuestionType.MULTIPLE:
        expected = ONE if any(o.fraction > 0 for o in question.options) else D(0)
    else:
        expected = ONE
    assert best.fraction == expected


@given(any_question())
def test_no_answer_is_unanswered(question: QuestionDef):
    assert grade(question, {}).outcome == Outcome.UNANSWERED
    assert grade(question, None).outcome == Outcome.UNANSWERED


# --- Single choice and true/false ----------------------------------------------------------------------
@given(st.integers(0, 4), st.integers(0, 4))
def test_single_choice_gives_the_chosen_options_credit_and_feedback(right: int, chosen: int):
    graded = grade(single(right, 5), {"choice": chosen})
    assert graded.fraction == (ONE if chosen == right else D(0))
    assert graded.feedback == (f"feedback {chosen}",)
    assert graded.outcome == (Outcome.RIGHT if chosen == right else Outcome.WRONG)


def test_negative_credit_never_goes_below_zero_and_out_of_range_is_unanswered():
    question = QuestionDef(QuestionType.SINGLE, "Q", (Option("a", ONE), Option("b", D("-0.5"))))
    assert grade(question, {"choice": 1}).fraction == 0
    assert grade(question, {"choice": 7}).outcome == Outcome.UNANSWERED
    assert grade(question, {"choice": True}).outcome == Outcome.UNANSWERED  # a bool is not an index


def test_true_false():
    question = QuestionDef(
        QuestionType.TRUE_FALSE, "The median resists outliers.", (Option("True", ONE), Option("False", D(0)))
    )
    assert grade(question, {"choice": 0}).outcome == Outcome.RIGHT
    assert grade(question, {"choice": 1}).outcome == Outcome.WRONG


# --- Multiple response -----------------------------------------------------------------------------------
MULTI = QuestionDef(
    QuestionType.MULTIPLE,
    "Which are averages?",
    (Option("mean", D("0.5")), Option("median", D("0.5")), Option("range", D("-1")), Option("mode", D(0))),
)


@given(st.permutations([0, 1, 2, 3]), st.integers(0, 4))
def test_multiple_response_partial_credit_ignores_order_and_repeats(order: list[int], k: int):
    chosen = order[:k]
    expected = max(D(0), min(ONE, sum((MULTI.options[i].fraction for i in set(chosen)), D(0))))
    graded = grade(MULTI, {"choices": chosen + chosen[:1]})
    if not chosen:
        assert graded.outcome == Outcome.UNANSWERED
    else:
        assert graded.fraction == expected


def test_multiple_response_all_or_nothing():
    strict = MULTI.with_changes(scoring=Scoring.ALL_OR_NOTHING)
    assert grade(strict, {"choices": [0, 1]}).fraction == ONE
    assert grade(strict, {"choices": [0]}).fraction == 0
    assert grade(strict, {"choices": [0, 1, 3]}).fraction == 0
    assert grade(MULTI, {"choices": [0]}).outcome == Outcome.PARTLY


# --- Short answer ----------------------------------------------------------------------------------------
SHORT = QuestionDef(
    QuestionType.SHORT,
    "Name the middle value",
    (Option("median", ONE, "Yes."), Option("the median", ONE), Option("middle", D("0.5"), "Its name, please.")),
)


@given(st.sampled_from(["median", "MEDIAN", "  Median ", "the   median", "The\tMedian"]))
def test_short_answer_ignores_case_and_extra_whitespace(typed: str):
    assert grade(SHORT, {"text": typed}).fraction == ONE


def test_short_answer_case_sensitive_partial_and_wrong():
    assert grade(SHORT.with_changes(case_sensitive=True), {"text": "Median"}).fraction == 0
    graded = grade(SHORT, {"text": "middle"})
    assert graded.fraction == D("0.5") and graded.feedback == ("Its name, please.",)
    assert grade(SHORT, {"text": "mean"}).outcome == Outcome.WRONG
    assert grade(SHORT, {"text": "   "}).outcome == Outcome.UNANSWERED


def test_short_answer_patterns_match_the_whole_answer():
    question = QuestionDef(QuestionType.SHORT, "Colour?", (Option(r"colou?r", ONE, is_regex=True),))
    assert grade(question, {"text": "Color"}).fraction == ONE
    assert grade(question, {"text": "colours"}).fraction == 0
    broken = QuestionDef(QuestionType.SHORT, "Q", (Option("(", ONE, is_regex=True),))
    assert grade(broken, {"text": "("}).fraction == 0  # a bad pattern in an old snapshot never crashes


def test_unicode_forms_are_the_same_answer():
    question = QuestionDef(QuestionType.SHORT, "Q", (Option("café", ONE),))
    assert grade(question, {"text": "cafe\u0301"}).fraction == ONE  # e + combining accent


# --- Numeric --------------------------------------------------------------------------------------------
@given(st.integers(-(10**6), 10**6), st.integers(0, 50), st.integers(-100, 100))
def test_numeric_accepts_exactly_within_the_absolute_tolerance(value: int, tolerance: int, offset: int):
    question = QuestionDef(QuestionType.NUMERIC, "Q", (Option(str(value), ONE, tolerance=D(tolerance)),))
    graded = grade(question, {"text": str(value + offset)})
    assert graded.fraction == (ONE if abs(offset) <= tolerance else D(0))


@given(st.integers(1, 10**6), st.integers(0, 20))
def test_numeric_relative_tolerance_scales_with_the_answer(value: int, percent_off: int):
    question = QuestionDef(
        QuestionType.NUMERIC, "Q", (Option(str(value), ONE, tolerance=D("0.05")),), tolerance_relative=True
    )
    typed = D(value) * (1 + D(percent_off) / 100)
    assert grade(question, {"text": str(typed)}).fraction == (ONE if percent_off <= 5 else D(0))


def test_numeric_reads_people_numbers_and_refuses_the_rest():
    assert parse_number("3,5") == D("3.5") and parse_number(" -2 ") == D(-2) and parse_number("1e3") == D(1000)
    for bad in ("", "abc", "NaN", "Infinity", "1.2.3"):
        assert parse_number(bad) is None
    question = QuestionDef(
        QuestionType.NUMERIC, "Pi?", (Option("3.14", ONE, tolerance=D("0.01")), Option("3", D("0.5")))
    )
    assert grade(question, {"text": "3.141"}).fraction == ONE
    assert grade(question, {"text": "3"}).fraction == D("0.5")
    assert grade(question, {"text": "pi"}).outcome == Outcome.WRONG


# --- Matching and ordering --------------------------------------------------------------------------------
MATCHING = QuestionDef(
    QuestionType.MATCHING,
    "Match",
    (
        Option("mean", ONE, match="sum / n"),
        Option("median", ONE, match="middle"),
        Option("mode", ONE, match="most often"),
    ),
)


@given(st.permutations([0, 1, 2]))
def test_matching_credit_is_the_share_of_right_pairs(assignment: list[int]):
    right = sum(1 for left, chosen in enumerate(assignment) if left == chosen)
    graded = grade(MATCHING, {"pairs": {str(left): chosen for left, chosen in enumerate(assignment)}})
    assert graded.fraction == D(right) / 3
    strict = grade(MATCHING.with_changes(scoring=Scoring.ALL_OR_NOTHING), {"pairs": dict(enumerate(assignment))})
    assert strict.outcome == Outcome.UNANSWERED or strict.fraction in (0, 1)


def test_matching_with_the_same_right_side_twice_accepts_either():
    question = QuestionDef(
        QuestionType.MATCHING,
        "Q",
        (Option("2", ONE, match="even"), Option("4", ONE, match="even"), Option("3", ONE, match="odd")),
    )
    assert grade(question, {"pairs": {"0": 1, "1": 0, "2": 2}}).fraction == ONE


ORDERING = QuestionDef(
    QuestionType.ORDERING, "Order", tuple(Option(t, ONE) for t in ("ask", "collect", "clean", "analyse"))
)


@given(st.permutations([0, 1, 2, 3]))
def test_ordering_credit_is_the_share_in_place(order: list[int]):
    in_place = sum(1 for position, index in enumerate(order) if position == index)
    assert grade(ORDERING, {"order": order}).fraction == D(in_place) / 4
    strict = grade(ORDERING.with_changes(scoring=Scoring.ALL_OR_NOTHING), {"order": order}).fraction
    assert strict == (ONE if order == [0, 1, 2, 3] else D(0))


def test_ordering_needs_a_full_arrangement():
    for bad in ([0, 1, 2], [0, 0, 1, 2], [0, 1, 2, 9], "0123"):
        assert grade(ORDERING, {"order": bad}).outcome == Outcome.UNANSWERED


# --- Essay -----------------------------------------------------------------------------------------------
def test_essays_wait_for_a_person():
    essay = QuestionDef(QuestionType.ESSAY, "Explain")
    graded = grade(essay, {"text": "Because the median ignores extremes."})
    assert graded.outcome == Outcome.MANUAL and graded.fraction is None and graded.score(D(5)) is None
    assert grade(essay, {"text": "  "}).outcome == Outcome.UNANSWERED


def test_score_is_points_times_credit_to_the_cent():
    graded = grade(MULTI, {"choices": [0]})
    assert graded.score(D(3)) == D("1.50")


@given(
    st.lists(st.tuples(words, credits, words), min_size=1, max_size=6),
    st.sampled_from(list(QuestionType)),
    st.lists(words, max_size=3),
)
def test_a_snapshot_is_plain_json_and_reads_back_as_the_same_question(
    options: list[tuple[str, Decimal, str]], qtype: QuestionType, tags: list[str]
) -> None:
    definition = QuestionDef(
        qtype,
        "Text",
        tuple(
            Option(text, credit, feedback, match=text[::-1], tolerance=D("0.5")) for text, credit, feedback in options
        ),
        points=D("2.5"),
        scoring=Scoring.ALL_OR_NOTHING,
        tags=tuple(tags),
    )
    snapshot = definition.to_json()
    assert QuestionDef.from_json(json.loads(json.dumps(snapshot))) == definition
    whole = asdict(definition)  # the shape snapshots always had
    assert snapshot == {
        **whole,
        "points": "2.5",
        "options": [{**o, "fraction": str(o["fraction"]), "tolerance": "0.5"} for o in whole["options"]],
        "tags": list(tags),
    }
