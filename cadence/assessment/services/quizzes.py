"""Quizzes: settings and slots, and attempts from start to grade.

An attempt copies its questions when it starts. Each answer is saved as it is given, with the time its
request arrived. A timed attempt ends on the server's clock: answers that arrive after the end plus
the grace period are refused and the attempt is closed then (by the next request about it, by the
task scheduled for its end, or by the minute-by-minute sweep), so a closed tab or a stopped browser
never keeps it open.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment import tasks
from cadence.assessment.domain import availability, question_views
from cadence.assessment.domain.scoring import grade
from cadence.assessment.models import (
    Attempt,
    AttemptQuestion,
    AttemptState,
    Concept,
    Question,
    QuestionCategory,
    Quiz,
    QuizSlot,
)
from cadence.assessment.services import attempt_results
from cadence.assessment.services.attempt_results import (
    TIME_RAN_OUT,
    is_expired,
)
from cadence.core import audit
from cadence.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from cadence.courses import selectors as course_selectors
from cadence.courses.domain import accommodations
from cadence.courses.models import Item, ItemKind
from cadence.progress import services as progress_services
from cadence.progress.models import Verb

MAX_SLOTS = 200
MAX_RESPONSE_CHARS = 20_000


class AttemptClosed(Conflict):
    """The attempt ended (submitted, or its time ran out): nothing more can be saved in it."""


# --- Settings and slots -------------------------------------------------------------------------------
def quiz_for(item: Item) -> Quiz:
    """The quiz of a quiz item, created with default settings the first time it is needed."""
    if item.kind != ItemKind.QUIZ:
        raise InvalidInput(_("“%(title)s” is not a quiz.") % {"title": item.title})
    quiz, _created = Quiz.objects.get_or_create(item=item)
    quiz.item = item
    return quiz


def quiz_settings(item: Item) -> Quiz:
    """For reading: the quiz, or its default settings unsaved (a page view never writes)."""
    quiz = Quiz.objects.filter(item=item).first() or Quiz(item=item)
    quiz.item = item
    return quiz


QUIZ_SETTINGS = (
    "attempts_allowed", "grading_method", "time_limit_minutes", "opens_at", "closes_at", "shuffle_questions",
    "shuffle_options", "feedback_timing", "show_right_answers", "grace_seconds",
)  # fmt: skip


@transaction.atomic
def save_settings(*, actor: User, item: Item, data: Mapping[str, Any]) -> Quiz:
    policy.require(actor, "edit", item)
    quiz = quiz_for(item)
    unknown = set(data) - set(QUIZ_SETTINGS)
    if unknown:
        raise InvalidInput(_("Unknown quiz settings: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    for name, value in data.items():
        setattr(quiz, name, value)
    if quiz.opens_at and quiz.closes_at and quiz.closes_at <= quiz.opens_at:
        raise InvalidInput(_("The quiz must close after it opens."))
    quiz.full_clean(exclude=["item"])
    quiz.save()
    audit.record(actor=actor, verb="quiz.settings", obj=quiz, course_id=item.course_id)
    return quiz


@transaction.atomic
def add_slot(
    *,
    actor: User,
    quiz: Quiz,
    question: Question | None = None,
    category: QuestionCategory | None = None,
    concept: Concept | None = None,
    draw: int = 1,
) -> QuizSlot:
    """Add a fixed question, or a draw of `draw` random questions from a category and/or concept."""
    item = quiz.item
    policy.require(actor, "edit", item)
    course_id = item.course_id
    for thing in (question, category, concept):
        if thing is not None and thing.course_id != course_id:
            raise InvalidInput(_("That belongs to another course."))
    if question is None and category is None and concept is None:
        raise InvalidInput(_("Choose a question, or a category or concept to draw from."))
    if question is not None and question.is_archived:
        raise InvalidInput(_("That question is archived; restore it first."))
    if not 1 <= draw <= 50:
        raise InvalidInput(_("Draw between 1 and 50 questions."))
    if QuizSlot.objects.filter(quiz=quiz).count() >= MAX_SLOTS:
        raise InvalidInput(_("A quiz holds at most %(n)s slots.") % {"n": MAX_SLOTS})
    position = (QuizSlot.objects.filter(quiz=quiz).aggregate(m=Max("position"))["m"] or 0) + 1
    slot = QuizSlot.objects.create(
        quiz=quiz,
        position=position,
        question=question,
        category=category if question is None else None,
        concept=concept if question is None else None,
        draw=1 if question is not None else draw,
    )
    audit.record(actor=actor, verb="quiz.slot_added", obj=slot, course_id=course_id)
    return slot


@transaction.atomic
def remove_slot(*, actor: User, slot: QuizSlot) -> None:
    policy.require(actor, "edit", slot.quiz.item)
    audit.record(actor=actor, verb="quiz.slot_removed", obj=slot, course_id=slot.quiz.item.course_id)
    slot.delete()


@transaction.atomic
def move_slot(*, actor: User, slot: QuizSlot, offset: int) -> None:
    policy.require(actor, "edit", slot.quiz.item)
    slots = list(QuizSlot.objects.select_for_update().filter(quiz_id=slot.quiz_id).order_by("position", "id"))
    index = next(i for i, s in enumerate(slots) if s.pk == slot.pk)
    target = max(0, min(len(slots) - 1, index + offset))
    slots.insert(target, slots.pop(index))
    for position, row in enumerate(slots, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


# --- When a quiz can be taken ---------------------------------------------------------------------------
def attempts_left(quiz: Quiz, user: User) -> int | None:
    """None when there is no limit; counts the extra attempts of the learner's accommodation."""
    if not quiz.attempts_allowed:
        return None
    allowed = accommodations.attempts_allowed(
        quiz.attempts_allowed, course_selectors.accommodation_for(user, quiz.item.course_id)
    )
    return availability.attempts_left(allowed, Attempt.objects.filter(quiz=quiz, user=user).count())


def _refusal(decision: policy.Decision) -> DomainError:
    message = str(decision.message)
    return InvalidInput(message) if decision.reason == availability.EMPTY else NotAllowed(message)


# --- Starting ---------------------------------------------------------------------------------------
def _draw(slot: QuizSlot, used: set[int], rng: random.Random) -> list[Question]:
    if slot.question_id is not None:
        return [slot.question] if slot.question is not None else []
    pool = Question.objects.filter(course_id=slot.quiz.item.course_id, is_archived=False).exclude(pk__in=used)
    if slot.category_id:
        pool = pool.filter(category_id=slot.category_id)
    if slot.concept_id:
        pool = pool.filter(concepts=slot.concept_id)
    candidates = list(pool.order_by("pk").distinct())
    return rng.sample(candidates, min(slot.draw, len(candidates)))


def _questions_for(quiz: Quiz, rng: random.Random) -> list[Question]:
    chosen: list[Question] = []
    used: set[int] = set()
    slots = QuizSlot.objects.filter(quiz=quiz).select_related("question").order_by("position", "id")
    for slot in slots:
        slot.quiz = quiz
        for question in _draw(slot, used, rng):
            if question.pk not in used:
                used.add(question.pk)
                chosen.append(question)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def _attempts_of(quiz: Quiz, user: User) -> list[Attempt]:
    return list(Attempt.objects.filter(quiz=quiz, user=user))


def start_attempt(*, user: User, quiz: Quiz, now: datetime) -> Attempt:
    """Begin an attempt, or return the one already open (a double click or a second tab starts one).

    The reads and the draw happen before the one short transaction that writes: on SQLite a transaction holds
    the database's write lock from its start, and a burst of learners starting at once queues behind it. The
    database keeps the rules: one open attempt per learner and quiz, each number once; a racing twin's insert
    fails and it returns the winner's attempt."""
    accommodation = course_selectors.accommodation_for(user, quiz.item.course_id)
    attempts = _attempts_of(quiz, user)  # read once: the decision, the open one, the number
    decision = policy.may_start_attempt(user, quiz, now=now, accommodation=accommodation, attempts=attempts)
    if not decision:
        raise _refusal(decision)
    open_attempt = next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None)
    if open_attempt is not None:
        open_attempt.quiz = quiz
        if not is_expired(open_attempt, now):
            return open_attempt
        attempt_results.close_if_expired(open_attempt.pk, now=now)  # under the attempt's lock, in its own transaction
    rng = secrets.SystemRandom()  # learners must not be able to predict their draw or order
    questions = _questions_for(quiz, rng)
    if not questions:  # the slots draw from categories or concepts that have no questions now
        raise _refusal(policy.Decision(False, availability.EMPTY, policy.START_REASONS[availability.EMPTY]))
    # The time limit is the learner's own (an accommodation's multiplier); the quiz's closing caps everyone's.
    limit = accommodations.time_limit(quiz.time_limit_minutes, accommodation)
    ends = [t for t in (now + limit if limit else None, quiz.closes_at) if t]
    rows = []
    for position, question in enumerate(questions, start=1):
        definition = question.as_def()
        rows.append(
            AttemptQuestion(
                position=position,
                question=question,
                definition=definition.to_json(),
                option_order=question_views.shown_order(definition, shuffle=quiz.shuffle_options, rng=rng),
                points=definition.points,
            )
        )
    attempt = Attempt(
        quiz=quiz,
        user=user,
        number=max((a.number for a in attempts), default=0) + 1,
        started_at=now,
        ends_at=min(ends) if ends else None,
        max_score=sum((r.points for r in rows), Decimal(0)),
    )
    return _create_attempt(attempt, rows, now=now)


@transaction.atomic
def _create_attempt(attempt: Attempt, rows: Sequence[AttemptQuestion], *, now: datetime) -> Attempt:
    quiz = attempt.quiz
    try:
        with transaction.atomic():
            attempt.save(force_insert=True)
    except IntegrityError:  # another request opened one a moment ago
        existing = Attempt.objects.get(quiz=quiz, user=attempt.user, state=AttemptState.IN_PROGRESS)
        existing.quiz = quiz
        return existing
    for row in rows:
        row.attempt = attempt
    AttemptQuestion.objects.bulk_create(rows)
    if attempt.ends_at is not None:
        _schedule_close(attempt)
    progress_services.record_activity(
        user=attempt.user,
        verb=Verb.STARTED,
        course_id=quiz.item.course_id,
        item=quiz.item,
        object_type="attempt",
        object_id=str(attempt.pk),
        now=now,
    )
    return attempt


def _schedule_close(attempt: Attempt) -> None:
    until = attempt_results.accepts_until(attempt)
    assert until is not None
    transaction.on_commit(lambda: tasks.close_attempt.schedule(args=(attempt.pk,), eta=until + timedelta(seconds=1)))


# --- Answering ------------------------------------------------------------------------------------------
def _require_answerer(user: User, attempt: Attempt | None) -> Attempt:
    if attempt is None or attempt.user_id != user.pk:
        raise NotAllowed(_("That is not your attempt."))
    if not policy.can(user, "answer", attempt):
        raise NotAllowed(_("You no longer take part in this course, so nothing more can be saved in this attempt."))
    return attempt


def _open_attempt(user: User, attempt_id: int, now: datetime) -> Attempt | None:
    """The user's attempt, locked for the change; None when its time had run out, after closing it: the caller
    commits the closing, then refuses the answer (one transaction, one lock, whether or not the time is up)."""
    attempt = Attempt.objects.select_for_update().select_related("quiz__item__course").filter(pk=attempt_id).first()
    if attempt is not None and attempt.state == AttemptState.IN_PROGRESS and is_expired(attempt, now):
        attempt_results.grade_and_close(attempt, now=now, closed_by="time")
        return None
    attempt = _require_answerer(user, attempt)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise AttemptClosed(_("This attempt has been submitted; nothing more can be saved in it."))
    return attempt


def _question(attempt: Attempt, position: int) -> AttemptQuestion:
    row = AttemptQuestion.objects.select_for_update().filter(attempt=attempt, position=position).first()
    if row is None:
        raise InvalidInput(_("Question %(n)s is not part of this attempt.") % {"n": position})
    return row


def _check_response(response: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(response, Mapping) or len(str(response)) > MAX_RESPONSE_CHARS + 1000:
        raise InvalidInput(_("That answer is too long."))
    return dict(response)


@dataclass(frozen=True)
class AnswerInput:
    position: int
    response: Mapping[str, Any]
    sequence: int = 0  # the client's counter; 0 for a plain form post (always the newest)


def save_answers(*, user: User, attempt_id: int, answers: Sequence[AnswerInput], now: datetime) -> Attempt:
    """Save answers as given. An autosave older than one already stored (by its sequence) is ignored;
    a question already checked (immediate feedback) keeps its answer."""
    with transaction.atomic():
        attempt = _open_attempt(user, attempt_id, now)
        if attempt is not None:
            _save_into(attempt, answers, now)
    if attempt is None:
        raise AttemptClosed(str(TIME_RAN_OUT))
    return attempt


def _save_into(attempt: Attempt, answers: Sequence[AnswerInput], now: datetime) -> None:
    for answer in answers:
        row = _question(attempt, answer.position)
        response = _check_response(answer.response)
        if row.checked or (answer.sequence and answer.sequence < row.sequence):
            continue
        row.response = response
        row.answered_at = now
        row.sequence = max(row.sequence, answer.sequence)
        row.save(update_fields=["response", "answered_at", "sequence"])


def check_answer(*, user: User, attempt_id: int, answer: AnswerInput, now: datetime) -> AttemptQuestion:
    """Immediate feedback: save the answer, grade it and lock it (a checked answer cannot be changed)."""
    with transaction.atomic():
        attempt = _open_attempt(user, attempt_id, now)
        row = _check_into(attempt, answer, now) if attempt is not None else None
    if row is None:
        raise AttemptClosed(str(TIME_RAN_OUT))
    return row


def _check_into(attempt: Attempt, answer: AnswerInput, now: datetime) -> AttemptQuestion:
    if attempt.quiz.feedback_timing != "immediate":
        raise NotAllowed(_("This quiz gives feedback after the attempt, not question by question."))
    row = _question(attempt, answer.position)
    if row.checked:
        return row
    row.response = _check_response(answer.response)
    row.answered_at = now
    graded = grade(row.as_def(), row.response)
    row.fraction = graded.fraction
    row.outcome = graded.outcome.value
    row.checked = True
    row.save(update_fields=["response", "answered_at", "fraction", "outcome", "checked"])
    return row


# --- Submitting -----------------------------------------------------------------------------------------
@transaction.atomic
def submit_attempt(*, user: User, attempt_id: int, now: datetime, answers: Sequence[AnswerInput] = ()) -> Attempt:
    """Save the last answers sent with the submit, then grade and close. Submitting twice is harmless."""
    attempt = Attempt.objects.select_for_update().select_related("quiz__item__course").filter(pk=attempt_id).first()
    attempt = _require_answerer(user, attempt)
    if attempt.state == AttemptState.SUBMITTED:
        return attempt  # a retried or double submit
    if attempt_results.is_expired(attempt, now):
        return attempt_results.grade_and_close(attempt, now=now, closed_by="time")
    if answers:
        _save_into(attempt, answers, now)
    return attempt_results.grade_and_close(attempt, now=now, closed_by="learner")
