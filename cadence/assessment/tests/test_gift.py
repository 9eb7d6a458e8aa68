"""GIFT reading and writing: each construct, each error with its line, a realistic file, and round trips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType, Scoring
from cadence.assessment.domain.gift import GiftError, parse_gift, to_gift

D = Decimal
ONE, ZERO = D(1), D(0)


def read_one(text: str) -> QuestionDef:
    parsed = parse_gift(text)
    assert parsed.errors == []
    assert len(parsed.questions) == 1
    return parsed.questions[0].definition


def only_error(text: str) -> GiftError:
    parsed = parse_gift(text)
    assert len(parsed.errors) == 1, parsed
    return parsed.errors[0]


# --- Question types ------------------------------------------------------------------------------------
def test_choices_with_one_right_answer_read_as_single_choice() -> None:
    question = read_one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert question == QuestionDef(
        QuestionType.SINGLE,
        "Who's buried in Grant's tomb?",
        (Option("Grant", ZERO), Option("Jefferson", ZERO), Option("no one", ONE)),
    )
    assert question.points == ONE


def test_feedback_after_hash_belongs_to_its_answer() -> None:
    question = read_one("What colour is the sky?{=blue#Right, on a clear day. ~green#Try again. ~red}")
    assert [(o.text, o.feedback) for o in question.options] == [
        ("blue", "Right, on a clear day."),
        ("green", "Try again."),
        ("red", ""),
    ]


def test_weights_give_partial_and_negative_credit() -> None:
    question = read_one("Pick the best.{=%100%best ~%50%partly right ~%-33.33333%wrong ~plain wrong}")
    assert question.qtype == QuestionType.SINGLE
    assert [(o.text, o.fraction) for o in question.options] == [
        ("best", ONE),
        ("partly right", D("0.5")),
        ("wrong", D("-0.3333333")),
        ("plain wrong", ZERO),
    ]


def test_weighted_choices_without_equals_read_as_multiple_response() -> None:
    question = read_one("Which are prime?{~%50%2 ~%50%3#Yes ~%-100%4 ~1}")
    assert question.qtype == QuestionType.MULTIPLE
    assert question.scoring == Scoring.PARTIAL
    assert question.options == (
        Option("2", D("0.5")),
        Option("3", D("0.5"), "Yes"),
        Option("4", D(-1)),
        Option("1", ZERO),
    )


@pytest.mark.parametrize(("answer", "truth"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false_answers(answer: str, truth: bool) -> None:
    question = read_one(f"Grant is buried in Grant's tomb.{{{answer}}}")
    assert question.qtype == QuestionType.TRUE_FALSE
    assert question.options == (Option("True", D(int(truth))), Option("False", D(int(not truth))))


def test_true_false_first_feedback_goes_to_the_wrong_option_second_to_the_right_one() -> None:
    question = read_one("The sun rises in the west.{FALSE#It rises in the east.#Well done.}")
    assert question.options == (
        Option("True", ZERO, "It rises in the east."),
        Option("False", ONE, "Well done."),
    )
    question = read_one("Water is wet.{T#Think again.#Yes.}")
    assert question.options == (Option("True", ONE, "Yes."), Option("False", ZERO, "Think again."))


def test_equals_answers_alone_read_as_short_answer() -> None:
    question = read_one("Who's buried in Grant's tomb?{=no one =nobody =%50%Grant#Half marks: he is entombed.}")
    assert question.qtype == QuestionType.SHORT
    assert question.case_sensitive is False
    assert question.options == (
        Option("no one", ONE),
        Option("nobody", ONE),
        Option("Grant", D("0.5"), "Half marks: he is entombed."),
    )


def test_numeric_answer_with_tolerance() -> None:
    question = read_one("What is pi to two places?{#3.140:0.005}")
    assert question.qtype == QuestionType.NUMERIC
    assert question.tolerance_relative is False
    assert question.options == (Option("3.14", ONE, tolerance=D("0.005")),)


def test_numeric_range_reads_as_midpoint_and_half_width() -> None:
    assert read_one("Pick a number from 1 to 5.{#1..5}").options == (Option("3", ONE, tolerance=D(2)),)
    assert read_one("Between -1.5 and 2.5?{#-1.5..2.5}").options == (Option("0.5", ONE, tolerance=D(2)),)


def test_numeric_answers_with_weights_and_feedback() -> None:
    question = read_one("What is pi?{# =3.14159:0#Exactly. =%50%3.1:0.1#Close enough. =%25%1e1#Far off.}")
    assert question.options == (
        Option("3.14159", ONE, "Exactly.", tolerance=ZERO),
        Option("3.1", D("0.5"), "Close enough.", tolerance=D("0.1")),
        Option("10", D("0.25"), "Far off.", tolerance=ZERO),
    )


def test_single_numeric_answer_takes_feedback_after_the_leading_hash() -> None:
    assert read_one("When was Grant born?{#1822:5#He was born in 1822.}").options == (
        Option("1822", ONE, "He was born in 1822.", tolerance=D(5)),
    )


def test_matching_pairs() -> None:
    question = read_one("Match the capitals.{=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo}")
    assert question.qtype == QuestionType.MATCHING
    assert question.options == (
        Option("Canada", ONE, match="Ottawa"),
        Option("Italy", ONE, match="Rome"),
        Option("Japan", ONE, match="Tokyo"),
    )
    assert len(read_one("Two pairs are enough.{=a -> 1 =b -> 2}").options) == 2


def test_empty_answer_block_is_an_essay() -> None:
    assert read_one("Write about your holiday.{}") == QuestionDef(QuestionType.ESSAY, "Write about your holiday.")


def test_general_feedback_comes_last_in_the_block() -> None:
    question = read_one("Who's buried in Grant's tomb?{~Grant =no one ####He is entombed, not buried.}")
    assert question.general_feedback == "He is entombed, not buried."
    assert [o.text for o in question.options] == ["Grant", "no one"]
    assert read_one("Describe a cell.{####A model answer.}").general_feedback == "A model answer."
    assert read_one("Is it?{T#No.#Yes.####Because.}").options[0].feedback == "Yes."


def test_text_after_the_block_makes_a_missing_word_question() -> None:
    question = read_one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.text == "Grant is _____ in Grant's tomb."
    assert question.qtype == QuestionType.SINGLE
    assert read_one("Grant is entombed in Grant's tomb.{T}").text == "Grant is entombed in Grant's tomb."


def test_title_is_optional_and_trimmed() -> None:
    assert read_one("::  Grant's tomb  :: Who is buried there?{=nobody}").title == "Grant's tomb"
    assert read_one("Who is buried there?{=nobody}").title == ""


def test_escapes_in_title_text_answers_and_feedback() -> None:
    question = read_one(
        r"::Ratio 1\:2:: Is \{x\} \= 3 \~ 4 \# 5?\nA second line, a \\ backslash.{=a\=b#Yes\: a\#1 ~c\~d\}#No \{}"
    )
    assert question.title == "Ratio 1:2"
    assert question.text == "Is {x} = 3 ~ 4 # 5?\nA second line, a \\ backslash."
    assert question.options == (Option("a=b", ONE, "Yes: a#1"), Option("c~d}", ZERO, "No {"))


def test_a_backslash_before_other_characters_stays() -> None:
    assert read_one(r"What is \(x^2\)?{=\(4\)}").options == (Option(r"\(4\)", ONE),)


@pytest.mark.parametrize(
    ("gift", "text"),
    [
        ("[markdown]What is **2+2**?{#4}", "What is **2+2**?"),
        ("[plain]What is 2+2?{#4}", "What is 2+2?"),
        ("[moodle]What is 2+2?{#4}", "What is 2+2?"),
        ("::Sum::[html]<p>What is <b>2+2</b>?</p>{#4}", "<p>What is <b>2+2</b>?</p>"),
        ("[markdown] [html] stays{#4}", "[html] stays"),
    ],
)
def test_format_markers_are_stripped(gift: str, text: str) -> None:
    assert read_one(gift).text == text


def test_format_markers_on_answers_and_feedback_are_stripped() -> None:
    question = read_one("Pick.{=[html]<b>yes</b>#[html]<i>right</i> ~[moodle]no ####[markdown]*why*}")
    assert question.options == (Option("<b>yes</b>", ONE, "<i>right</i>"), Option("no", ZERO))
    assert question.general_feedback == "*why*"


def test_category_comes_from_the_last_category_line() -> None:
    parsed = parse_gift(
        "First?{T}\n\n"
        "$CATEGORY: $course$/top/Statistics/Week 1\n\n"
        "Second?{T}\n\n"
        "$CATEGORY: Week 2\n"
        "Third?{T}\n\n"
        "$CATEGORY: $course$/top\n\n"
        "Fourth?{T}\n\n"
        "$CATEGORY: $cat1$/top/Names with a // slash\n\n"
        "Fifth?{T}\n"
    )
    assert parsed.errors == []
    assert [q.definition.category for q in parsed.questions] == ["", "Week 1", "Week 2", "", "Names with a / slash"]
    assert [q.line for q in parsed.questions] == [1, 5, 8, 12, 16]


def test_tags_come_from_comment_lines_before_the_question() -> None:
    question = read_one(
        "// question: 12  name: Mean\n// [tag:Statistics] [tag:mean]\n// [tag:with \\] bracket]\n::Mean::What?{T}"
    )
    assert question.tags == ("statistics", "mean", "with ] bracket")
    assert parse_gift("// [tag:lost]\n\nNo tags here.{T}").questions[0].definition.tags == ()


def test_comments_are_skipped_and_questions_may_span_lines() -> None:
    parsed = parse_gift(
        "// Week 1 quiz\n\n\n::Capitals::\nMatch each country\nwith its capital.\n{\n"
        "// a comment inside\n\t=Canada -> Ottawa\n\t=Italy -> Rome\n}\n\n\n\nLast?{F}"
    )
    assert parsed.errors == []
    assert [q.line for q in parsed.questions] == [4, 15]
    assert parsed.questions[0].definition.text == "Match each country\nwith its capital."
    assert len(parsed.questions[0].definition.options) == 2


def test_windows_line_endings_and_a_byte_order_mark_are_read() -> None:
    parsed = parse_gift("\ufeffFirst?{T}\r\n\r\nSecond?{\r\n=yes\r\n}\r\n")
    assert parsed.errors == []
    assert [(q.line, q.definition.qtype) for q in parsed.questions] == [
        (1, QuestionType.TRUE_FALSE),
        (3, QuestionType.SHORT),
    ]


# --- Errors --------------------------------------------------------------------------------------------
def test_text_without_an_answer_block_is_reported_not_dropped() -> None:
    error = only_error("Fine?{T}\n\n// a note\nThe following questions are about Grant.\n\nAlso fine?{F}")
    assert error == GiftError(
        4,
        "The following questions are about Grant.",
        "This has no answer block {…}; Cadence imports questions only. Add the answers in braces, or remove it.",
    )


def test_unclosed_answer_block() -> None:
    error = only_error("Fine?{T}\n\n::Tomb::\nWho is buried?{=nobody\n~Grant\n")
    assert (error.line, error.question) == (3, "Tomb")
    assert error.message == "On line 4: The answer block is not closed: add a “}” (or write \\{ for a literal brace)."


def test_a_second_opening_brace_inside_the_block_means_it_was_not_closed() -> None:
    error = only_error("Who is {=nobody ~Grant buried in {Grant's} tomb?")
    assert error.line == 1
    assert "not closed" in error.message


def test_unclosed_title() -> None:
    error = only_error("\n\n::Grant's tomb\nWho is buried there?{=nobody}")
    assert error.line == 3
    assert error.question == "Grant's tomb Who is buried there?"
    assert error.message == "The title is not closed: end it with “::” (write \\: for a colon inside it)."


def test_empty_question_text() -> None:
    error = only_error("::Only a title::{T}")
    assert (error.line, error.question) == (1, "Only a title")
    assert error.message == "The question has no text: write it before the answer block."


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("{T =yes}", "The answer block mixes true/false with other answers: write T or F alone, or only answers."),
        ("{maybe =yes ~no}", "“maybe” comes before the first answer: start every answer with “=” or “~”."),
        (
            "{#3 ~#Any other answer}",
            "Cadence cannot read “~” in a numeric answer block (feedback for any other answer): remove it, or move "
            "its text to the general feedback after “####”.",
        ),
        (
            "{Paris}",
            "Cannot read the answer block “Paris”: start each answer with “=” (right or accepted) or “~” (wrong), "
            "or write T or F for a true/false question.",
        ),
    ],
)
def test_answer_blocks_that_cannot_be_read(block: str, message: str) -> None:
    error = only_error(f"Fine?{{T}}\n\nWhat is it?{block}")
    assert error == GiftError(3, "What is it?", message)


def test_single_choice_without_a_right_answer() -> None:
    error = only_error("Pick one.{~a ~b ~c}")
    assert error.line == 1
    assert error.message == (
        "No choice is marked right: start the right choice with “=”, or give choices weights like ~%50%."
    )


def test_multiple_choice_needs_two_choices() -> None:
    assert "at least two choices" in only_error("Pick.{~%100%only}").message


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("#abc", "“abc” is not a number: write numeric answers like 3.14, 3.14:0.01 or 3..4."),
        ("#3.14:x", "“x” is not a number: write numeric answers like 3.14, 3.14:0.01 or 3..4."),
        ("#5..1", "The range “5..1” runs backwards: write the smaller number first."),
        ("#3:-1", "The tolerance in “3:-1” is negative: write how far off is allowed."),
        ("#1e99999", "“1e99999” is not a number: write numeric answers like 3.14, 3.14:0.01 or 3..4."),
        ("#NaN", "“NaN” is not a number: write numeric answers like 3.14, 3.14:0.01 or 3..4."),
        ("#1e40", "“1e40” is too long a number: use at most 28 digits."),
        ("#", "The numeric answer block has no answer: write one like {#3.14:0.01}."),
    ],
)
def test_numeric_answers_that_are_not_numbers(answer: str, message: str) -> None:
    error = only_error(f"// intro\n\nHow much?{{{answer}}}")
    assert error == GiftError(3, "How much?", message)


def test_matching_pair_without_arrow_names_its_line() -> None:
    error = only_error("Match the capitals.{\n=Canada -> Ottawa\n=Italy Rome\n=Japan -> Tokyo\n}")
    assert error.line == 1
    assert error.message == "On line 3: The pair “Italy Rome” has no “->”: write matching pairs as =left -> right."


def test_matching_pair_needs_a_left_side() -> None:
    error = only_error("Match.{=a -> 1 = -> 2 =c -> 3}")
    assert error.message == "The pair “-> 2” has no left side: Cadence has no extra right-hand answers."


@pytest.mark.parametrize("weight", ["abc", "150", "-101", "1,5", ""])
def test_weight_must_be_a_number_between_minus_100_and_100(weight: str) -> None:
    error = only_error(f"Pick.{{=right ~%{weight}%wrong}}")
    assert error.line == 1
    assert error.message.startswith(f"The weight “%{weight}%” is not a number between -100 and 100")


def test_weight_keeps_at_most_five_decimal_places() -> None:
    error = only_error("Pick.{=right ~%33.333333%wrong}")
    assert error.message == "The weight “%33.333333%” has more than 5 decimal places: round it."


def test_stray_closing_brace_and_second_block() -> None:
    assert "“}” without a “{”" in only_error("What } is it?{T}").message
    error = only_error("What {=is} it, {=then}?")
    assert error.message == (
        "There is a second answer block: Cadence reads one per question (write \\{ for a literal brace)."
    )


def test_one_bad_question_does_not_stop_the_others() -> None:
    parsed = parse_gift("One?{T}\n\nTwo?{=a ~b\n\nThree?{F}\n\nFour\n\nFive?{}")
    assert [q.line for q in parsed.questions] == [1, 5, 9]
    assert [(e.line, e.question) for e in parsed.errors] == [(3, "Two?"), (7, "Four")]


# --- A realistic file ----------------------------------------------------------------------------------
SAMPLE = """\
// Exported from Moodle, then edited by hand.

// question: 0  name: Switch category to $course$/top/Descriptive statistics
$CATEGORY: $course$/top/Descriptive statistics


// question: 101  name: Mean of a list
// [tag:Mean] [tag:arithmetic]
::Mean of a list::[markdown]What is the **mean** of 2, 4 and 9?{
\t=5#Right: (2 + 4 + 9) / 3 \\= 5.
\t~4#That is the median.
\t~%-50%15#That is the sum.
\t####Add the values and divide by how many there are.
}

// question: 102  name: Median
::Median::[html]<p>The median of 1, 3, 3, 6, 7, 8, 9 is</p>{#6:0#Yes, the middle value.}

::Range::The range of 4, 8 and 15 is {#11} units.

::Outliers::An outlier always changes the median.{FALSE#The median resists outliers.#Right.}

::Spread::Which of these measure spread?{
\t~%50%Standard deviation
\t~%50%Interquartile range
\t~%-100%Mode#The mode measures the centre.
}

$CATEGORY: $course$/top/Descriptive statistics/Words

::Name it::What do we call the middle value of sorted data?{=median =%50%middle#Close: the word is "median".}

::Pairs::Match each measure with what it describes.{
\t=Mean -> centre, pulled by outliers
\t=Median -> centre, robust
\t=Variance -> spread, in squared units
}

::Reflect::[markdown]In a few sentences, explain when you would prefer the median.{####Look for skewed data.}

::Estimate::Estimate the mean of a fair die's rolls.{#3..4}
"""


def test_realistic_file_reads_in_full() -> None:
    parsed = parse_gift(SAMPLE)
    assert parsed.errors == []
    got = [(q.line, q.definition.title, q.definition.qtype, q.definition.category) for q in parsed.questions]
    assert got == [
        (9, "Mean of a list", QuestionType.SINGLE, "Descriptive statistics"),
        (17, "Median", QuestionType.NUMERIC, "Descriptive statistics"),
        (19, "Range", QuestionType.NUMERIC, "Descriptive statistics"),
        (21, "Outliers", QuestionType.TRUE_FALSE, "Descriptive statistics"),
        (23, "Spread", QuestionType.MULTIPLE, "Descriptive statistics"),
        (31, "Name it", QuestionType.SHORT, "Words"),
        (33, "Pairs", QuestionType.MATCHING, "Words"),
        (39, "Reflect", QuestionType.ESSAY, "Words"),
        (41, "Estimate", QuestionType.NUMERIC, "Words"),
    ]
    mean, median, range_, outliers, spread, name, pairs, reflect, estimate = (q.definition for q in parsed.questions)
    assert mean.text == "What is the **mean** of 2, 4 and 9?"
    assert mean.tags == ("mean", "arithmetic")
    assert mean.options[0] == Option("5", ONE, "Right: (2 + 4 + 9) / 3 = 5.")
    assert mean.options[2].fraction == D("-0.5")
    assert mean.general_feedback == "Add the values and divide by how many there are."
    assert median.text == "<p>The median of 1, 3, 3, 6, 7, 8, 9 is</p>"
    assert median.options == (Option("6", ONE, "Yes, the middle value."),)
    assert range_.text == "The range of 4, 8 and 15 is _____ units."
    assert outliers.options[0].feedback == "The median resists outliers."
    assert [o.fraction for o in spread.options] == [D("0.5"), D("0.5"), D(-1)]
    assert name.options[1] == Option("middle", D("0.5"), 'Close: the word is "median".')
    assert pairs.options[2] == Option("Variance", ONE, match="spread, in squared units")
    assert reflect.general_feedback == "Look for skewed data."
    assert estimate.options == (Option("3.5", ONE, tolerance=D("0.5")),)
    again = parse_gift(to_gift([q.definition for q in parsed.questions]).text)
    assert [q.definition for q in again.questions] == [q.definition for q in parsed.questions]


# --- Writing -------------------------------------------------------------------------------------------
def test_writes_title_text_answers_weights_feedback_and_general_feedback() -> None:
    question = QuestionDef(
        QuestionType.SINGLE,
        "Who's buried in Grant's tomb?",
        (Option("no one", ONE, "Right."), Option("Grant", D("0.5"), "Entombed."), Option("Lee", ZERO)),
        title="Tomb",
        general_feedback="He is entombed.",
    )
    assert to_gift([question]).text == (
        "::Tomb::[markdown]Who's buried in Grant's tomb? {\n"
        "\t=no one#Right.\n"
        "\t~%50%Grant#Entombed.\n"
        "\t~Lee\n"
        "\t####He is entombed.\n"
        "}\n"
    )


def test_writes_each_type_so_that_it_reads_back() -> None:
    questions = [
        QuestionDef(QuestionType.MULTIPLE, "Primes?", (Option("2", D("0.5")), Option("4", D(-1)), Option("9", ZERO))),
        QuestionDef(QuestionType.TRUE_FALSE, "Sky is green.", (Option("True", ZERO), Option("False", ONE, "Yes."))),
        QuestionDef(QuestionType.SHORT, "Capital of France?", (Option("Paris", ONE), Option("paris.", D("0.9")))),
        QuestionDef(QuestionType.NUMERIC, "Pi?", (Option("3.14", ONE, "Yes", tolerance=D("0.01")),)),
        QuestionDef(QuestionType.MATCHING, "Match.", (Option("a", ONE, match="1"), Option("b", ONE, match="2"))),
        QuestionDef(QuestionType.ESSAY, "Discuss.", general_feedback="Model answer."),
    ]
    text = to_gift(questions).text
    assert "[markdown]Sky is green. {FALSE##Yes.}" in text  # no wrong-answer feedback, then the right one
    assert "{#\n\t=3.14:0.01#Yes\n}" in text
    assert "\t~%0%9\n" in text  # multiple response: every choice weighted
    assert "{####Model answer.}" in text
    assert [q.definition for q in parse_gift(text).questions] == questions


def test_writes_special_characters_escaped() -> None:
    question = QuestionDef(QuestionType.SHORT, "a{b}c=d~e#f:g\\h\nnext line", (Option("x=1", ONE, "#1"),), title="1::2")
    text = to_gift([question]).text
    assert text == "::1\\:\\:2::[markdown]a\\{b\\}c\\=d\\~e\\#f\\:g\\\\h\\nnext line {\n\t=x\\=1#\\#1\n}\n"
    assert read_one(text) == question


def test_writes_the_answer_block_where_the_blank_is() -> None:
    question = QuestionDef(QuestionType.SINGLE, "Grant is _____ in his tomb.", (Option("entombed", ONE), Option("x")))
    text = to_gift([question]).text
    assert text.startswith("[markdown]Grant is {\n") and text.endswith("} in his tomb.\n")
    assert read_one(text) == question
    at_end = QuestionDef(QuestionType.ESSAY, "Fill the _____")
    assert to_gift([at_end]).text == "[markdown]Fill the _____ {}\n"
    assert read_one(to_gift([at_end]).text) == at_end


def test_writes_a_category_line_whenever_the_category_changes() -> None:
    questions = [
        QuestionDef(QuestionType.ESSAY, "One", category="Week 1"),
        QuestionDef(QuestionType.ESSAY, "Two", category="Week 1"),
        QuestionDef(QuestionType.ESSAY, "Three", category="Weeks 2/3"),
        QuestionDef(QuestionType.ESSAY, "Four"),
        QuestionDef(QuestionType.ESSAY, "Five", category="top"),
    ]
    text = to_gift(questions).text
    assert text == (
        "$CATEGORY: Week 1\n\n[markdown]One {}\n\n[markdown]Two {}\n\n"
        "$CATEGORY: Weeks 2//3\n\n[markdown]Three {}\n\n"
        "$CATEGORY: $course$/top\n\n[markdown]Four {}\n\n"
        "$CATEGORY: top/top\n\n[markdown]Five {}\n"
    )
    assert [q.definition for q in parse_gift(text).questions] == questions


def test_writes_tags_as_a_comment_line() -> None:
    question = QuestionDef(QuestionType.ESSAY, "Why?", tags=("mean", "odd ] tag"))
    assert to_gift([question]).text == "// [tag:mean] [tag:odd \\] tag]\n[markdown]Why? {}\n"
    assert read_one(to_gift([question]).text) == question


def test_answers_that_look_like_weights_or_format_markers_are_guarded() -> None:
    question = QuestionDef(
        QuestionType.SINGLE,
        "[html] is literal here",
        (Option("%50% off", ONE, "[plain] too"), Option("[html]<b>", ZERO)),
        general_feedback="%gf",
    )
    text = to_gift([question]).text
    assert "\t=[markdown]%50% off#[markdown][plain] too\n" in text
    assert read_one(text) == question


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        (
            QuestionDef(QuestionType.ORDERING, "Order these.", (Option("a"), Option("b"))),
            "GIFT cannot express ordering questions",
        ),
        (
            QuestionDef(QuestionType.SHORT, "Colour?", (Option("colou?r", ONE, is_regex=True),)),
            "GIFT cannot express regular-expression answers",
        ),
        (
            QuestionDef(
                QuestionType.NUMERIC, "g?", (Option("9.81", ONE, tolerance=D("0.05")),), tolerance_relative=True
            ),
            "GIFT cannot express a relative tolerance (only an absolute one)",
        ),
        (
            QuestionDef(QuestionType.SHORT, "Name?", (Option("Ada", ONE),), case_sensitive=True),
            "GIFT cannot express case-sensitive short answers",
        ),
        (
            QuestionDef(QuestionType.MULTIPLE, "All?", (Option("a", ONE), Option("b")), scoring=Scoring.ALL_OR_NOTHING),
            "GIFT cannot express all-or-nothing scoring (Moodle gives partial credit)",
        ),
        (
            QuestionDef(QuestionType.SINGLE, "Half?", (Option("a", D("0.5")), Option("b"))),
            "GIFT marks the right choice with “=” (100 %), and no choice is fully right",
        ),
        (
            QuestionDef(QuestionType.MATCHING, "M", (Option("a", ONE, "fb", match="1"), Option("b", ONE, match="2"))),
            "GIFT cannot express feedback on matching pairs",
        ),
        (
            QuestionDef(QuestionType.SHORT, "Arrow?", (Option("a -> b", ONE),)),
            "GIFT would read “->” in a short answer as a matching pair",
        ),
        (
            QuestionDef(QuestionType.NUMERIC, "N?", (Option("many", ONE),)),
            "“many” is not a number GIFT can hold",
        ),
        (
            QuestionDef(QuestionType.MULTIPLE, "Fine?", (Option("a", D("0.123456789")), Option("b"))),
            "A credit is not between -100 % and 100 % with at most 5 decimal places, so GIFT cannot weight it",
        ),
    ],
)
def test_skips_what_gift_cannot_express(question: QuestionDef, reason: str) -> None:
    fine = QuestionDef(QuestionType.ESSAY, "Fine.")
    export = to_gift([question, fine])
    assert export.skipped == [(question.text, reason)]
    assert export.text == "[markdown]Fine. {}\n"


def test_skipped_questions_are_named_by_title() -> None:
    question = QuestionDef(QuestionType.ORDERING, "Order.", (Option("a"), Option("b")), title="Steps")
    assert to_gift([question]).skipped == [("Steps", "GIFT cannot express ordering questions")]


# --- Properties ----------------------------------------------------------------------------------------
SAFE = "abcxyzAZ09éß .,?!'_-%>[]/$\\~=#{}:\n"


def safe(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(alphabet=SAFE, min_size=min_size, max_size=16).filter(lambda s: s == s.strip())


optional = st.one_of(st.just(""), safe())
no_arrow = safe().filter(lambda s: "->" not in s)
question_texts = st.one_of(
    safe(),
    st.builds(lambda a, b: f"{a} _____ {b}", safe(), safe()),
    safe().map(lambda s: f"_____{s}"),
    safe().map(lambda s: f"{s}_____"),
)
credits = st.integers(-(10**7), 10**7).map(lambda n: D(n).scaleb(-7))


def number_text(value: Decimal) -> str:
    return "0" if value.is_zero() else format(value.normalize(), "f")


@st.composite
def expressible_question(draw: st.DrawFn) -> QuestionDef:
    qtype = draw(st.sampled_from([t for t in QuestionType if t != QuestionType.ORDERING]))
    options: tuple[Option, ...] = ()
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        n = draw(st.integers(2, 5))
        options = tuple(Option(draw(safe()), draw(credits), draw(optional)) for _ in range(n))
        if qtype == QuestionType.SINGLE:
            right = draw(st.integers(0, n - 1))
            options = tuple(o if i != right else Option(o.text, ONE, o.feedback) for i, o in enumerate(options))
    elif qtype == QuestionType.TRUE_FALSE:
        truth = draw(st.booleans())
        options = (Option("True", D(int(truth)), draw(optional)), Option("False", D(int(not truth)), draw(optional)))
    elif qtype == QuestionType.SHORT:
        n = draw(st.integers(1, 4))
        feedback = st.one_of(st.just(""), no_arrow)
        options = tuple(Option(draw(no_arrow), draw(credits), draw(feedback)) for _ in range(n))
    elif qtype == QuestionType.NUMERIC:
        n = draw(st.integers(1, 3))
        values = [D(draw(st.integers(-(10**6), 10**6))).scaleb(-draw(st.integers(0, 4))) for _ in range(n)]
        options = tuple(
            Option(number_text(v), draw(credits), draw(optional), tolerance=D(draw(st.integers(0, 10**4))).scaleb(-3))
            for v in values
        )
    elif qtype == QuestionType.MATCHING:
        n = draw(st.integers(2, 5))
        options = tuple(Option(draw(no_arrow), ONE, match=draw(safe())) for _ in range(n))
    tags = draw(
        st.lists(
            st.text(alphabet="abcxyz -[]\\", min_size=1, max_size=8).filter(lambda s: s == " ".join(s.split())),
            unique=True,
            max_size=3,
        )
    )
    return QuestionDef(
        qtype,
        draw(question_texts),
        options,
        title=draw(optional),
        general_feedback=draw(optional),
        category=draw(st.sampled_from(["", "Week 1", "top", "$course$", "a/b", "Means: #1 {x}"])),
        tags=tuple(tags),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(expressible_question(), min_size=1, max_size=5))
def test_written_questions_read_back_the_same(questions: list[QuestionDef]) -> None:
    export = to_gift(questions)
    assert export.skipped == []
    parsed = parse_gift(export.text)
    assert parsed.errors == []
    assert [q.definition for q in parsed.questions] == questions


GIFT_PIECES = st.sampled_from(
    [
        "{", "}", "=", "~", "#", "####", "->", "::", "%", "%50%", "%-1e5%", "..", ":", "\\", "\\n", "\n", "\n\n",
        "\r", " ", "T", "FALSE", "a", "3.14", "1e9999", "//", "// [tag:x]", "$CATEGORY:", "$course$/top/", "[html]",
        "_____", "-",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.lists(GIFT_PIECES, max_size=40).map("".join)))
def test_reading_never_raises_and_every_line_is_in_the_text(text: str) -> None:
    parsed = parse_gift(text)
    lines = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for item in [*parsed.questions, *parsed.errors]:
        assert 1 <= item.line <= lines
    for error in parsed.errors:
        assert error.message


# Moodle-shaped questions with odd corners: whatever reads, written out again, reads the same.
odd_word = st.text(alphabet="ab %#=~->:.\\n{}[]_T", max_size=6)
odd_answer = st.tuples(
    st.sampled_from(["=", "~", " ="]),
    st.sampled_from(["", "%50%", "%-33.3%", "%100%"]),
    odd_word,
    st.sampled_from(["", "#fb", "#", "#[html]x"]),
).map("".join)
odd_number = st.tuples(
    st.sampled_from(["=", ""]),
    st.sampled_from(["", "%50%"]),
    st.sampled_from(["3", "3.140:0.1", "1..5", "-2..-1", "1e3:0"]),
    st.sampled_from(["", "#ok"]),
).map("".join)
odd_block = st.one_of(
    st.lists(odd_answer, max_size=5).map(" ".join),
    st.lists(odd_number, max_size=3).map(lambda answers: "#" + " ".join(answers)),
    st.sampled_from(["T", "F#a#b", "TRUE##b", "", "FALSE#a"]),
    st.lists(st.tuples(odd_word, odd_word).map(" -> ".join), max_size=4).map(lambda p: "".join(f"\n={x}" for x in p)),
)
odd_question = st.tuples(
    st.sampled_from(["", "::T::", "::a\\:b::"]),
    st.sampled_from(["", "[html]", "[markdown]"]),
    odd_word,
    odd_block.map(lambda block: "{" + block),
    st.sampled_from(["}", "####gf}", "####}"]),
    st.sampled_from(["", " after", "\n"]),
).map("".join)
odd_file = st.lists(st.one_of(odd_question, st.just("$CATEGORY: $course$/top/X"), st.just("// [tag:Q]")), max_size=6)


@settings(max_examples=300, deadline=None)
@given(odd_file.map("\n\n".join))
def test_what_reads_writes_back_and_reads_the_same(text: str) -> None:
    questions = [q.definition for q in parse_gift(text).questions]
    export = to_gift(questions)
    again = parse_gift(export.text)
    assert again.errors == []
    if not export.skipped:  # e.g. {=%50%a ~b}: a single choice with no fully right answer
        assert [q.definition for q in again.questions] == questions
