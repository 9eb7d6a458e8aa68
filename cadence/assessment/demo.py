"""The demo course's question bank (imported from GIFT, as a teacher moving from Moodle would), its quizzes and
assignments, and the learners' graded work: quiz attempts and submissions through the real services, at the
moments the demo's story gives, graded by the teacher with feedback."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cadence.accounts.models import User
from cadence.assessment.domain.definitions import QuestionDef, QuestionType
from cadence.assessment.models import AttemptQuestion, QuestionCategory, Submission
from cadence.assessment.services import assignments, bank, grading, quizzes
from cadence.courses.models import Course, Item

BANK = """// The demo bank: three categories (four, four and three questions), every automatically graded type GIFT can express.
$CATEGORY: Reading data

// [tag:variables]
::Observation::In a table of cities and their monthly rainfall, one row is {
=one observation#Yes: one city in one month.
~one variable#A variable is a column.
~the whole data set
}

// [tag:variables]
::Tidy::In tidy data, each column is one {=variable =variables}.

// [tag:variables]
::Cells::A tidy table may hold two values in one cell. {F#Each cell holds exactly one value.#Right: one value per cell.}

// [tag:variables]
::Kinds of variable::Match each variable with its kind. {
=Rainfall in mm -> a number
=City -> a category
=Date of the reading -> a time
}

$CATEGORY: Summaries

// [tag:averages]
::Outliers::Which average do a few very large values pull the most? {
=The mean#Yes: every value counts in the mean.
~The median#No: the median only looks at the middle.
~The mode#No: the mode is the most frequent value.
####Reports quote median incomes because a few very large incomes pull the mean up.
}

// [tag:averages]
::Median of five::What is the median of 3, 9, 4, 1 and 7? {#4:0}

// [tag:averages]
::Which are averages::Which of these are averages? {
~%50%the mean
~%50%the median
~%-100%the range#The range measures spread.
}

// [tag:averages]
::Mean of four::What is the mean of 2, 4, 6 and 8? {#5:0}

$CATEGORY: Conclusions

// [tag:correlation]
::Ice cream::Ice cream sales and sunburn rise together, so ice cream causes sunburn. {F#A third variable, sunshine, drives both.#Right: sunshine drives both.}

// [tag:correlation]
::Fire engines::Towns with more fire engines have more fires. What most likely explains it? {
=Bigger towns have more of both#Yes: town size is the third variable.
~Fire engines cause fires#No: think about what drives both.
~It must be chance#Possible, but a third variable is far more likely.
}

// [tag:correlation]
::Could B cause A::People who sleep badly drink more coffee. Which question should you ask before saying coffee causes bad sleep? {
=Could bad sleep cause the coffee drinking?
~Is the chart in colour?
~How many cups are in a pot?
}

"""


CHART = Path(__file__).resolve().parent / "fixtures" / "demo-chart.png"  # Lagos and Oslo, month by month


def add_bank(*, actor: User, course: Course) -> None:
    bank.import_gift(actor=actor, course=course, text=BANK)


# What each quiz draws from the bank; its introduction (in `cadence.demo`) says the same number of questions.
QUIZ_DRAWS: Mapping[str, tuple[tuple[str, int], ...]] = {
    "Check your understanding: variables": (("Reading data", 4),),
    "Check your understanding: averages": (("Summaries", 4),),
    "Final check": (("Reading data", 2), ("Summaries", 2), ("Conclusions", 2)),
}


def add_quiz(*, actor: User, item: Item) -> None:
    """Fill a demo quiz: a practice quiz with immediate feedback, or the timed final check."""
    quiz = quizzes.quiz_for(item)
    categories = {c.name: c for c in QuestionCategory.objects.filter(course_id=item.course_id)}
    if item.title == "Final check":
        quizzes.save_settings(
            actor=actor,
            item=item,
            data={"attempts_allowed": 2, "time_limit_minutes": 20, "feedback_timing": "after_submit"},
        )
    for category, draw in QUIZ_DRAWS.get(item.title, ()):
        quizzes.add_slot(actor=actor, quiz=quiz, category=categories[category], draw=draw)


INSTRUCTIONS = {
    "Describe a data set": """Open the rainfall data set and describe it in about 100 words:

1. What is one observation (one row)?
2. Which variables does it have, and what kind is each (a number, a category, a time)?
3. Is it tidy? If not, what would you change?

Write your answer in the text box. You can resubmit until the due time; your teacher sees every version.
""",
    "Make a chart of your own": """Pick **two cities** from the rainfall data set and make **one chart** that compares them.

1. Choose the chart type on purpose: time on the x-axis usually means a line chart.
2. Label both axes, with units.
3. In about 100 words, say why you chose this chart and what it shows.

Hand in the chart as an image or PDF and your explanation as text. You can resubmit until the due time;
your teacher sees every version.
""",
    "Spot the third variable": """Find a claim that one thing causes another: in the news, an advert, or a
conversation. In about 150 words:

1. State the claim and where you found it.
2. Name a third variable that could drive both, or explain why B could cause A.
3. Say what data would settle it.
""",
}


def add_assignment(*, actor: User, item: Item) -> None:
    files = item.title == "Make a chart of your own"
    assignments.save_settings(
        actor=actor,
        item=item,
        data={
            "instructions": INSTRUCTIONS.get(item.title, ""),
            "accept_text": True,
            "accept_files": files,
            "max_files": 2 if files else 1,
        },
    )


# --- Learners' work -------------------------------------------------------------------------------------------
def right_answer(question: QuestionDef) -> dict[str, Any]:
    """A fully right response to an automatically graded question, in the question's own option order."""
    options = question.options
    best = max(range(len(options)), key=lambda i: options[i].fraction) if options else 0
    if question.qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        return {"choice": best}
    if question.qtype == QuestionType.MULTIPLE:
        return {"choices": [i for i, o in enumerate(options) if o.fraction > 0]}
    if question.qtype in (QuestionType.SHORT, QuestionType.NUMERIC):
        return {"text": options[best].text}
    if question.qtype == QuestionType.MATCHING:
        return {"pairs": {str(i): i for i in range(len(options))}}
    if question.qtype == QuestionType.ORDERING:
        return {"order": list(range(len(options)))}
    return {"text": "My answer."}


def wrong_answer(question: QuestionDef) -> dict[str, Any]:
    """A response that earns nothing: the least credited choice, a wrong number or word, pairs shifted by one."""
    options = question.options
    worst = min(range(len(options)), key=lambda i: options[i].fraction) if options else 0
    if question.qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        return {"choice": worst}
    if question.qtype == QuestionType.MULTIPLE:
        return {"choices": [worst]}
    if question.qtype == QuestionType.MATCHING:
        return {"pairs": {str(i): (i + 1) % len(options) for i in range(len(options))}}
    if question.qtype == QuestionType.ORDERING:
        return {"order": list(reversed(range(len(options))))}
    return {"text": "not sure"}


def take_quiz(*, user: User, item: Item, started: datetime, finished: datetime, share: float) -> Decimal | None:
    """One attempt, started and submitted through the services; the first `share` of the questions answered
    right, the rest wrong. Returns the attempt's score."""
    attempt = quizzes.start_attempt(user=user, quiz=quizzes.quiz_for(item), now=started)
    rows = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))
    right = round(share * len(rows))
    answers = [
        quizzes.AnswerInput(
            position=row.position,
            response=(right_answer if n < right else wrong_answer)(QuestionDef.from_json(row.definition)),
        )
        for n, row in enumerate(rows)
    ]
    return quizzes.submit_attempt(user=user, attempt_id=attempt.pk, now=finished, answers=answers).score


def hand_in(*, user: User, item: Item, text: str, now: datetime, key: str) -> Submission:
    """A submission through the service (the chart task with its chart attached)."""
    assignment = assignments.assignment_settings(item)
    files = (
        [SimpleUploadedFile("rainfall-chart.png", CHART.read_bytes(), content_type="image/png")]
        if assignment.accept_files
        else []
    )
    data = assignments.SubmissionInput(key=key, text=text, files=files)
    return assignments.submit(user=user, assignment=assignment, data=data, now=now)


def grade(*, grader: User, submission: Submission, share: float, comment: str, now: datetime) -> None:
    """The teacher's grade with feedback, released to the learner (and to a family following them)."""
    points = (submission.assignment.max_points * Decimal(str(round(share, 2)))).quantize(Decimal(1))
    grading.grade_submission(
        grader=grader,
        submission=submission,
        data=grading.GradeInput(points=points, comment=comment, release=True),
        now=now,
    )
