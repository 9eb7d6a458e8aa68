"""The demo course's question bank (imported from GIFT, as a teacher moving from Moodle would) and quizzes."""

from __future__ import annotations

from datetime import datetime

from cadence.accounts.models import User
from cadence.assessment.models import QuestionCategory
from cadence.assessment.services import assignments, bank, grading, quizzes
from cadence.courses.models import Course, Item

BANK = """// The demo bank: two categories, every automatically graded type GIFT can express.
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

// [tag:correlation]
::Ice cream::Ice cream sales and sunburn rise together, so ice cream causes sunburn. {F#A third variable, sunshine, drives both.#Right: sunshine drives both.}
"""


def add_bank(*, actor: User, course: Course) -> None:
    bank.import_gift(actor=actor, course=course, text=BANK)


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
        quizzes.add_slot(actor=actor, quiz=quiz, category=categories["Reading data"], draw=2)
        quizzes.add_slot(actor=actor, quiz=quiz, category=categories["Summaries"], draw=3)
    else:
        quizzes.add_slot(actor=actor, quiz=quiz, category=categories["Reading data"], draw=4)


CHART_INSTRUCTIONS = """Pick **two cities** from the rainfall data set and make **one chart** that compares them.

1. Choose the chart type on purpose: time on the x-axis usually means a line chart.
2. Label both axes, with units.
3. In about 100 words, say why you chose this chart and what it shows.

Hand in the chart as an image or PDF and your explanation as text. You can resubmit until the due date;
your teacher sees every version.
"""


def add_assignment(*, actor: User, item: Item) -> None:
    assignments.save_settings(
        actor=actor,
        item=item,
        data={"instructions": CHART_INSTRUCTIONS, "accept_text": True, "accept_files": True, "max_files": 2},
    )


def add_graded_submission(*, teacher: User, learner: User, course: Course, now: datetime) -> None:
    """The first learner hands in the course's first assignment and the teacher grades it, with feedback and
    released: the demo parent (who follows that learner) then sees a true released grade on the family page."""
    item = (
        Item.objects.filter(course=course, kind="assignment", is_published=True)
        .order_by("module__position", "position")
        .first()
    )
    if item is None:
        return
    assignment = assignments.assignment_settings(item)
    text = "My chart of weekly rainfall uses a bar per week, with the axis starting at zero."
    submission = assignments.submit(
        user=learner, assignment=assignment, data=assignments.SubmissionInput(key="demo-graded", text=text), now=now
    )
    grading.grade_submission(
        grader=teacher,
        submission=submission,
        data=grading.GradeInput(
            points=assignment.max_points * 8 / 10,
            comment="A clear chart: the axis starts at zero and each bar is labelled. Next time, add a title.",
            release=True,
        ),
        now=now,
    )
