"""What quiz pages show: the quiz on its item page, an attempt being taken, an attempt reviewed.

Which questions' feedback a page may show is `assessment.selectors.attempt_views`'s rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from cadence import policy
from cadence.assessment.domain import availability, scores
from cadence.assessment.models import Attempt, AttemptState, Quiz, QuizSlot
from cadence.assessment.services import attempt_results, quizzes
from cadence.courses import item_types
from cadence.courses import selectors as course_selectors
from cadence.courses.domain import accommodations
from cadence.courses.models import Item, ItemKind


@dataclass(frozen=True)
class AttemptSummary:
    attempt: Attempt
    url: str
    percent: Decimal | None  # as shown: one decimal


@dataclass(frozen=True)
class QuizSummary:
    quiz: Quiz
    question_count: int
    attempts: list[AttemptSummary]
    open_attempt: Attempt | None
    attempts_left: int | None
    attempts_allowed: int  # for this person: the quiz's, with their accommodation's extra attempts (0: no limit)
    time_limit_minutes: int | None  # for this person: the quiz's, times their accommodation's multiplier
    grade: Decimal | None  # as shown: one decimal, the same figure as the gradebook's
    may_start: bool
    reason: str  # why one cannot start now, if not: a code of policy.START_REASONS
    refusal: str | Promise  # ... and the sentence that says so, the same as the service's refusal
    start_url: str
    is_taker: bool


def quiz_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    user: Any = request.user
    quiz = quizzes.quiz_settings(item)
    now = timezone.now()
    slots = QuizSlot.objects.filter(quiz_id=item.pk).values_list("draw", flat=True)
    question_count = sum(slots)
    is_taker = policy.can(user, "take", quiz)
    saved = not quiz._state.adding and is_taker
    attempts = list(Attempt.objects.filter(quiz=quiz, user_id=user.pk or 0).order_by("number")) if saved else []
    open_attempt = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
    # A learner sees only the effect of an accommodation: their own time limit and number of attempts.
    accommodation = (
        course_selectors.accommodation_for(user, item.course_id)
        if saved and (quiz.attempts_allowed or quiz.time_limit_minutes)
        else accommodations.NONE
    )
    allowed = accommodations.attempts_allowed(quiz.attempts_allowed, accommodation)
    left = availability.attempts_left(allowed, len(attempts))
    # The item page shows a locked item's notice instead of this block, so release is already settled here.
    decision = policy.may_start_attempt(
        user,
        quiz,
        now=now,
        attempts=attempts,
        question_count=question_count,
        check_release=False,
        accommodation=accommodation,
    )
    summaries = [
        AttemptSummary(a, reverse("assessment:attempt", args=[item.course.slug, a.pk]), a.shown_percent)
        for a in attempts
    ]
    return {
        "summary": QuizSummary(
            quiz=quiz,
            question_count=question_count,
            attempts=summaries,
            open_attempt=open_attempt,
            attempts_left=left,
            attempts_allowed=allowed,
            time_limit_minutes=accommodations.time_limit_minutes(quiz.time_limit_minutes, accommodation),
            grade=scores.shown_or_none(attempt_results.quiz_grade(quiz, user)) if attempts else None,
            may_start=decision.allowed,
            reason=decision.reason,
            refusal=decision.message,
            start_url=reverse("assessment:attempt-start", args=[item.course.slug, item.pk]),
            is_taker=is_taker,
        )
    }


def quiz_edit_url(item: Item) -> str:
    return reverse("assessment:quiz-edit", args=[item.course.slug, item.pk])


def register_item_types() -> None:
    item_types.register(
        item_types.ItemType(
            kind=ItemKind.QUIZ, template="assessment/item_quiz.html", context=quiz_context, edit_url=quiz_edit_url
        )
    )
