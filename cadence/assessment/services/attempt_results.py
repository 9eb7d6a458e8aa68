"""An attempt's end: grading it, closing it when its time has run out (on the next request about it, by the
task scheduled for its end, or by the minute-by-minute sweep), its quiz grade and the completion it earns.

The background tasks run these; nothing here schedules a task, so `assessment.tasks` imports this module
and nothing imports back.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _lazy

from cadence.accounts.models import User
from cadence.assessment.domain import availability, scores
from cadence.assessment.domain.definitions import QuestionDef
from cadence.assessment.domain.scoring import grade
from cadence.assessment.models import Attempt, AttemptQuestion, AttemptState, Quiz
from cadence.courses.models import CompletionRule
from cadence.insights import services as insights_services
from cadence.progress import services as progress_services
from cadence.progress.models import Verb

TIME_RAN_OUT = _lazy("Time ran out: the attempt was submitted with the answers saved until then.")


def accepts_until(attempt: Attempt) -> datetime | None:
    """The last moment a request may arrive and still be saved in the attempt."""
    return availability.accepts_until(attempt.ends_at, attempt.quiz.grace_seconds)


def is_expired(attempt: Attempt, now: datetime) -> bool:
    return availability.is_expired(attempt.ends_at, attempt.quiz.grace_seconds, now)


def grade_and_close(attempt: Attempt, *, now: datetime, closed_by: str) -> Attempt:
    """Grade every answer and close the attempt (the caller holds the attempt's row lock)."""
    rows = list(AttemptQuestion.objects.select_for_update().filter(attempt=attempt).order_by("position"))
    for row in rows:
        graded = grade(QuestionDef.from_json(row.definition), row.response)
        row.fraction = graded.fraction
        row.outcome = graded.outcome.value
    total, pending = scores.attempt_score((row.points, row.fraction) for row in rows)
    AttemptQuestion.objects.bulk_update(rows, ["fraction", "outcome"])
    attempt.state = AttemptState.SUBMITTED
    # Closed by time: the time of record is the end, not whenever the server noticed.
    attempt.submitted_at = min(now, attempt.ends_at) if closed_by == "time" and attempt.ends_at else now
    attempt.closed_by = closed_by
    attempt.score = total
    attempt.needs_grading = pending
    attempt.save(update_fields=["state", "submitted_at", "closed_by", "score", "needs_grading"])
    record_completion(attempt, now=now)
    insights_services.learner_changed(course_id=attempt.quiz.item.course_id, user_id=attempt.user_id)
    return attempt


@transaction.atomic
def close_if_expired(attempt_id: int, *, now: datetime) -> bool:
    attempt = Attempt.objects.select_for_update().select_related("quiz__item__course").filter(pk=attempt_id).first()
    if attempt is None or attempt.state != AttemptState.IN_PROGRESS or not is_expired(attempt, now):
        return False
    grade_and_close(attempt, now=now, closed_by="time")
    return True


def close_expired_attempts(*, now: datetime) -> int:
    """The sweep: close every attempt whose time (and grace) has run out."""
    candidates = Attempt.objects.filter(state=AttemptState.IN_PROGRESS, ends_at__lt=now).values_list("pk", flat=True)
    return sum(1 for pk in list(candidates) if close_if_expired(pk, now=now))


def quiz_grade(quiz: Quiz, user: User) -> Decimal | None:
    """The learner's unrounded grade for the quiz as a percentage, by the quiz's grading method; None before any.

    The gradebook computes the same figure with the same function (`scores.quiz_grade`)."""
    attempts = (
        Attempt.objects.filter(quiz=quiz, user=user, state=AttemptState.SUBMITTED, needs_grading=False)
        .exclude(score__isnull=True)
        .order_by("number")
        .values_list("score", "max_score")
    )
    percents = [p for score, max_score in attempts if (p := scores.percent(score, max_score)) is not None]
    return scores.quiz_grade(quiz.grading_method, percents)


def record_completion(attempt: Attempt, *, now: datetime) -> None:
    item = attempt.quiz.item
    user = attempt.user
    if not progress_services.is_tracked(user, item):
        return
    progress_services.record_activity(
        user=user,
        verb=Verb.COMPLETED if not attempt.needs_grading else Verb.SUBMITTED,
        course_id=item.course_id,
        item=item,
        object_type="attempt",
        object_id=str(attempt.pk),
        result={"score": str(attempt.score), "max": str(attempt.max_score), "closed_by": attempt.closed_by},
        now=now,
    )
    if item.completion_rule == CompletionRule.SUBMITTED:
        progress_services.mark_complete(user=user, item=item, now=now, source="submitted")
    elif item.completion_rule == CompletionRule.PASSED and scores.reaches(
        quiz_grade(attempt.quiz, user), item.completion_threshold
    ):
        progress_services.mark_complete(user=user, item=item, now=now, source="passed")
