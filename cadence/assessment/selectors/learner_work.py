"""Each learner's assessed work in a course, summarised for the insights app's figures: as the gradebook shows
it to them (released and auto-graded results only), many learners at a time in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cadence.assessment.domain import scores
from cadence.assessment.models import Attempt, AttemptState, Grade, Submission
from cadence.assessment.selectors import gradebook
from cadence.courses.models import Course

RECENT_SCORES = 5


@dataclass(frozen=True)
class LearnerWork:
    """One learner's assessed work in a course, as the gradebook shows it to them (released and
    auto-graded results only)."""

    average: Decimal | None = None  # the gradebook's total for the learner, as shown (one decimal)
    recent_scores: tuple[Decimal, ...] = ()  # shown percents of the latest graded attempts and grades, oldest first
    done_item_ids: frozenset[int] = frozenset()  # quizzes with a submitted attempt, assignments with a submission
    last_submission_at: datetime | None = None  # the latest submission or submitted attempt
    submissions: tuple[tuple[datetime, datetime | None], ...] = ()  # (time of record, deadline then), newest first


def learners_work(course: Course, user_ids: Sequence[int]) -> dict[int, LearnerWork]:
    """Each learner's `LearnerWork` (learners without any work are left out): ten queries for any number of
    learners (pass a few hundred at a time). Percents and totals come from the gradebook and
    `scores`, so they are the figures the learner's own "My grades" page shows."""
    the_book = gradebook.book(course)
    people = [(uid, "", "") for uid in user_ids]
    totals = {row.user_id: row.total for row in gradebook.rows_for(course, the_book, people, released_only=True)}
    points: dict[int, list[tuple[datetime, Decimal]]] = {}
    done: dict[int, set[int]] = {}
    last: dict[int, datetime] = {}
    submissions: dict[int, list[tuple[datetime, datetime | None]]] = {}

    def seen(user_id: int, item_id: int, when: datetime | None) -> None:
        done.setdefault(user_id, set()).add(item_id)
        if when is not None and (user_id not in last or when > last[user_id]):
            last[user_id] = when

    attempts = Attempt.objects.filter(quiz__item__course=course, user_id__in=user_ids, state=AttemptState.SUBMITTED)
    for user_id, quiz_id, submitted_at, score, max_score, needs_grading in attempts.values_list(
        "user_id", "quiz_id", "submitted_at", "score", "max_score", "needs_grading"
    ):
        seen(user_id, quiz_id, submitted_at)
        percent = None if needs_grading else scores.percent(score, max_score)
        if percent is not None and submitted_at is not None:
            points.setdefault(user_id, []).append((submitted_at, scores.shown(percent)))
    rows = Submission.objects.filter(assignment__item__course=course, user_id__in=user_ids)
    for user_id, item_id, submitted_at, deadline_at in rows.values_list(
        "user_id", "assignment_id", "submitted_at", "deadline_at"
    ):
        seen(user_id, item_id, submitted_at)
        submissions.setdefault(user_id, []).append((submitted_at, deadline_at))
    grades = Grade.objects.filter(
        submission__assignment__item__course=course, submission__user_id__in=user_ids, released_at__isnull=False
    )
    for user_id, submitted_at, earned, possible in grades.values_list(
        "submission__user_id", "submission__submitted_at", "points", "submission__assignment__max_points"
    ):
        if (percent := scores.percent(earned, possible)) is not None:
            points.setdefault(user_id, []).append((submitted_at, scores.shown(percent)))
    result: dict[int, LearnerWork] = {}
    for user_id in user_ids:
        total = totals.get(user_id)
        if total is None and user_id not in done:
            continue
        mine = sorted(points.get(user_id, []), key=lambda p: p[0])[-RECENT_SCORES:]
        result[user_id] = LearnerWork(
            average=scores.shown_or_none(total),
            recent_scores=tuple(p for _when, p in mine),
            done_item_ids=frozenset(done.get(user_id, ())),
            last_submission_at=last.get(user_id),
            submissions=tuple(sorted(submissions.get(user_id, []), key=lambda s: s[0], reverse=True)),
        )
    return result
