"""An attempt's questions as a page may show them.

Feedback, credits and right answers are put on a page only when `feedback_visible` says so:
immediately for a checked question, after the attempt, or after the due date, as the quiz is set.
"""

from __future__ import annotations

from datetime import datetime

from cadence.assessment.domain import question_views
from cadence.assessment.models import Attempt, AttemptQuestion, AttemptState, FeedbackTiming, Quiz
from cadence.courses import selectors as course_selectors


def release_time(attempt: Attempt) -> datetime | None:
    """For "after the due date": the learner's own deadline (zone, extensions), else the quiz's closing."""
    quiz = attempt.quiz
    return course_selectors.deadline_for(attempt.user, quiz.item) or quiz.closes_at


def feedback_visible(
    quiz: Quiz, attempt: Attempt, row: AttemptQuestion | None, now: datetime, due: datetime | None = None
) -> bool:
    submitted = attempt.state == AttemptState.SUBMITTED
    if quiz.feedback_timing == FeedbackTiming.IMMEDIATE:
        return submitted or bool(row and row.checked)
    if quiz.feedback_timing == FeedbackTiming.AFTER_SUBMIT:
        return submitted
    return submitted and (due is None or now >= due)


def attempt_question_views(
    attempt: Attempt, rows: list[AttemptQuestion], *, now: datetime, staff: bool = False
) -> list[question_views.QuestionView]:
    quiz = attempt.quiz
    views = []
    open_attempt = attempt.state == AttemptState.IN_PROGRESS
    due = release_time(attempt) if quiz.feedback_timing == FeedbackTiming.AFTER_DUE else None
    for row in rows:
        definition = row.as_def()
        reveal = None
        if staff or feedback_visible(quiz, attempt, row, now, due):
            reveal = question_views.reveal_for(definition, row.response, right_answers=staff or quiz.show_right_answers)
        views.append(
            question_views.question_view(
                definition,
                key=f"q{row.position}",
                number=row.position,
                order=row.option_order,
                response=row.response,
                points=f"{row.points:g}",
                locked=not open_attempt or row.checked,
                reveal=reveal,
            )
        )
    return views
