"""Grading: rubrics, grades with feedback for submissions, essays in quiz attempts, and releasing grades.

Grades are given by a course's teachers and TAs. A grade's changes are audited with the old and new
value. A learner sees a grade once it is released: at once, or when the teacher releases the whole
assignment; releasing emails each learner. Turnaround (submitted → released) is read from the rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment.domain import rubric_text, scores
from cadence.assessment.models import (
    Assignment,
    Attempt,
    AttemptQuestion,
    AttemptState,
    FeedbackFile,
    Grade,
    GradeRelease,
    LatePolicy,
    Rubric,
    RubricCriterion,
    RubricLevel,
    Submission,
)
from cadence.assessment.services import attempt_results
from cadence.content.services.library import check_resource_file
from cadence.core import audit, uploads
from cadence.core.errors import InvalidInput, NotAllowed
from cadence.core.uploads import delete_files_if_rolled_back
from cadence.courses.models import CompletionRule, Course
from cadence.insights import services as insights_services
from cadence.notifications.models import Kind
from cadence.notifications.services import notify
from cadence.progress import services as progress_services

CENT = Decimal("0.01")


class GradeInputError(InvalidInput):
    pass


def _require_grader(user: User, course: Course) -> None:
    if not policy.can(user, "grade", course):
        raise NotAllowed(_("Only the course's teachers and teaching assistants grade."))


# --- Rubrics ------------------------------------------------------------------------------------------
@transaction.atomic
def save_rubric(*, actor: User, course: Course, title: str, source: str, rubric: Rubric | None = None) -> Rubric:
    """Create or rewrite a rubric from its text. A rubric already used in a grade cannot be rewritten."""
    policy.require(actor, "edit", course)
    title = " ".join(title.split())[:200]
    if not title:
        raise GradeInputError(_("Give the rubric a title."))
    parsed = rubric_text.parse_rubric(source)
    if parsed.errors:
        raise GradeInputError(" ".join(parsed.errors))
    if rubric is None:
        rubric = Rubric(course=course, created_by=actor)
    else:
        if rubric.course_id != course.pk:
            raise InvalidInput(_("That rubric belongs to another course."))
        if Grade.objects.filter(submission__assignment__rubric=rubric).exclude(criteria={}).exists():
            raise GradeInputError(_("This rubric has been used to grade work: save a copy under a new title instead."))
        rubric.criteria.all().delete()
    rubric.title = title
    rubric.source = source.replace("\r\n", "\n").strip()
    rubric.save()
    for c_pos, spec in enumerate(parsed.criteria, start=1):
        criterion = RubricCriterion.objects.create(
            rubric=rubric, position=c_pos, title=spec.title, description=spec.description
        )
        RubricLevel.objects.bulk_create(
            RubricLevel(criterion=criterion, position=l_pos, points=level.points, title=level.title,
                        description=level.description)
            for l_pos, level in enumerate(spec.levels, start=1)
        )  # fmt: skip
    audit.record(actor=actor, verb="rubric.saved", obj=rubric, course_id=course.pk, title=title)
    return rubric


# --- Grading submissions --------------------------------------------------------------------------------
@dataclass(frozen=True)
class GradeInput:
    points: Decimal | None = None  # by points, when there is no rubric
    levels: Mapping[int, int] | None = None  # by rubric: criterion id → level id
    criterion_comments: Mapping[int, str] | None = None
    comment: str = ""
    release: bool = False  # release now (assignments whose grades are released together)


def late_penalty(points: Decimal, *, assignment: Assignment, late_seconds: int) -> Decimal:
    """Points taken off for lateness: a share per started day late, never more than the points."""
    if assignment.late_policy != LatePolicy.PENALTY or late_seconds <= 0:
        return Decimal(0)
    days = math.ceil(late_seconds / 86400)
    penalty = (points * assignment.penalty_percent_per_day * days / 100).quantize(CENT)
    return min(points, penalty)


def _rubric_points(rubric: Rubric, data: GradeInput, max_points: Decimal) -> tuple[Decimal, dict[str, object]]:
    criteria = list(rubric.criteria.prefetch_related("levels"))
    chosen = dict(data.levels or {})
    comments = dict(data.criterion_comments or {})
    missing = [c.title for c in criteria if c.pk not in chosen]
    if missing:
        raise GradeInputError(_("Choose a level for every criterion: %(names)s.") % {"names": ", ".join(missing)})
    total = Decimal(0)
    record: dict[str, object] = {}
    for criterion in criteria:
        level = next((lv for lv in criterion.levels.all() if lv.pk == chosen[criterion.pk]), None)
        if level is None:
            raise GradeInputError(_("That level is not one of “%(c)s”.") % {"c": criterion.title})
        total += level.points
        record[str(criterion.pk)] = {
            "level": level.pk,
            "points": str(level.points),
            "comment": comments.get(criterion.pk, "").strip()[:5000],
        }
    rubric_max = rubric.max_points
    # The rubric's total is scaled to the assignment's points (a 12-point rubric on a 100-point task).
    points = total if rubric_max == max_points or not rubric_max else (total * max_points / rubric_max)
    return points.quantize(CENT), record


@transaction.atomic
def grade_submission(*, grader: User, submission: Submission, data: GradeInput, now: datetime) -> Grade:
    assignment = submission.assignment
    course = assignment.item.course
    _require_grader(grader, course)
    max_points = assignment.max_points
    if assignment.rubric_id and data.levels is not None:
        rubric = Rubric.objects.get(pk=assignment.rubric_id)
        raw, record = _rubric_points(rubric, data, max_points)
    else:
        if data.points is None:
            raise GradeInputError(_("Give the points."))
        if not Decimal(0) <= data.points <= max_points:
            raise GradeInputError(
                _("Points must be between 0 and %(max)s; %(given)s was given.")
                % {"max": f"{max_points:g}", "given": f"{data.points:g}"}
            )
        raw, record = data.points.quantize(CENT), {}
    penalty = late_penalty(raw, assignment=assignment, late_seconds=submission.late_seconds)
    grade = Grade.objects.select_for_update().filter(submission=submission).first()
    old = None if grade is None else str(grade.points)
    if grade is None:
        grade = Grade(submission=submission)
    grade.grader = grader
    grade.raw_points = raw
    grade.penalty_points = penalty
    grade.points = raw - penalty
    grade.comment = data.comment.strip()[:20000]
    grade.criteria = record
    grade.graded_at = now
    release = assignment.grade_release == GradeRelease.IMMEDIATE or data.release
    newly_released = release and grade.released_at is None
    if newly_released:
        grade.released_at = now
    grade.save()
    audit.record(
        actor=grader,
        verb="grade.changed" if old is not None else "grade.given",
        obj=grade,
        course_id=course.pk,
        old=old,
        new=str(grade.points),
        submission=submission.pk,
    )
    if newly_released:
        _on_release([grade], now=now)
    elif grade.released_at is not None:
        _on_feedback_changed(grade, now=now, key=f"grade:{grade.pk}:changed:{now.isoformat()}")
    if grade.released_at is not None:
        insights_services.learner_changed(course_id=course.pk, user_id=submission.user_id)
    return grade


@transaction.atomic
def release_grades(*, actor: User, assignment: Assignment, now: datetime) -> int:
    """Release every grade of an assignment not released yet; each learner is told by email."""
    policy.require(actor, "edit", assignment.item)
    grades = list(
        Grade.objects.select_for_update()
        .filter(submission__assignment=assignment, released_at__isnull=True)
        .select_related("submission__user", "submission__assignment__item__course")
    )
    for grade in grades:
        grade.released_at = now
    Grade.objects.bulk_update(grades, ["released_at"])
    audit.record(
        actor=actor, verb="grades.released", obj=assignment, course_id=assignment.item.course_id, count=len(grades)
    )
    _on_release(grades, now=now)
    insights_services.learners_changed(
        course_id=assignment.item.course_id, user_ids=[g.submission.user_id for g in grades]
    )
    return len(grades)


def _on_release(grades: list[Grade], *, now: datetime) -> None:
    for grade in grades:
        submission = grade.submission
        item = submission.assignment.item
        learner = submission.user
        if item.completion_rule == CompletionRule.PASSED and scores.reaches(
            scores.percent(grade.points, submission.assignment.max_points), item.completion_threshold
        ):
            progress_services.mark_complete(user=learner, item=item, now=now, source="passed")
        max_points = submission.assignment.max_points
        notify(
            recipients=policy.audience("view", submission, [learner.pk]),
            kind=Kind.GRADE_RELEASED,
            title=_("Your grade for “%(title)s” is released") % {"title": item.title},
            body=_("%(points)s / %(max)s points. Read the feedback on your receipt page.")
            % {"points": f"{grade.points.normalize():f}", "max": f"{max_points.normalize():f}"},
            url=reverse("assessment:receipt", args=[item.course.slug, submission.pk]),
            key=f"grade:{grade.pk}:released",
            course=item.course,
            now=now,
        )


def _on_feedback_changed(grade: Grade, *, now: datetime, key: str) -> None:
    """New or changed feedback on a grade the learner can already see."""
    submission = grade.submission
    item = submission.assignment.item
    notify(
        recipients=policy.audience("view", submission, [submission.user_id]),
        kind=Kind.FEEDBACK_POSTED,
        title=_("New feedback on “%(title)s”") % {"title": item.title},
        url=reverse("assessment:receipt", args=[item.course.slug, submission.pk]),
        key=key,
        actor=grade.grader,
        course=item.course,
        now=now,
    )


@transaction.atomic
def attach_feedback_file(*, grader: User, grade: Grade, upload: UploadedFile) -> FeedbackFile:
    """A file for the learner with the feedback (an annotated copy, a model answer): checked like library files."""
    _require_grader(grader, grade.submission.assignment.item.course)
    fmt = check_resource_file(upload)
    row = FeedbackFile(
        grade=grade,
        filename=uploads.display_name(upload.name or "", fmt.kind, "feedback"),
        content_type=fmt.kind.content_type,
        size=upload.size or 0,
    )
    try:
        row.file.save(row.filename, upload, save=False)
        row.save()
    except BaseException:
        delete_files_if_rolled_back([row.file.name or ""])
        raise
    audit.record(
        actor=grader, verb="feedback.file_added", obj=row, course_id=grade.submission.assignment.item.course_id
    )
    if grade.released_at is not None:
        _on_feedback_changed(grade, now=timezone.now(), key=f"feedback-file:{row.pk}")
    return row


# --- Essays in quiz attempts ----------------------------------------------------------------------------
@transaction.atomic
def grade_essay(*, grader: User, row: AttemptQuestion, points: Decimal, comment: str, now: datetime) -> Attempt:
    """Grade one essay answer; when the attempt has none left to grade, its score is final."""
    attempt = Attempt.objects.select_for_update().select_related("quiz__item__course", "user").get(pk=row.attempt_id)
    _require_grader(grader, attempt.quiz.item.course)
    if attempt.state != AttemptState.SUBMITTED:
        raise InvalidInput(_("Grade the attempt once it is submitted."))
    if not Decimal(0) <= points <= row.points:
        raise GradeInputError(
            _("Points must be between 0 and %(max)s; %(given)s was given.")
            % {"max": f"{row.points:g}", "given": f"{points:g}"}
        )
    row.fraction = (points / row.points).quantize(Decimal("0.00001")) if row.points else Decimal(0)
    row.outcome = scores.outcome_for(row.fraction).value
    row.comment = comment.strip()[:20000]
    row.graded_by = grader
    row.graded_at = now
    row.save(update_fields=["fraction", "outcome", "comment", "graded_by", "graded_at"])
    rows = list(AttemptQuestion.objects.filter(attempt=attempt))
    attempt.score, attempt.needs_grading = scores.attempt_score((r.points, r.fraction) for r in rows)
    attempt.save(update_fields=["needs_grading", "score"])
    audit.record(actor=grader, verb="essay.graded", obj=row, course_id=attempt.quiz.item.course_id, points=str(points))
    insights_services.learner_changed(course_id=attempt.quiz.item.course_id, user_id=attempt.user_id)
    if not attempt.needs_grading:
        attempt_results.record_completion(attempt, now=now)
        item = attempt.quiz.item
        notify(
            recipients=policy.audience("view", attempt, [attempt.user_id]),
            kind=Kind.GRADE_RELEASED,
            title=_("Your attempt at “%(title)s” has been graded") % {"title": item.title},
            url=reverse("assessment:attempt", args=[item.course.slug, attempt.pk]),
            key=f"attempt:{attempt.pk}:graded",
            actor=grader,
            course=item.course,
            now=now,
        )
    return attempt
