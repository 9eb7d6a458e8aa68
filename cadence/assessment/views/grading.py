"""Grading pages for teachers and TAs: the queue, grading a submission (by points or rubric), essays in
quiz attempts, releasing an assignment's grades, and the course's rubrics."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, get_item, signed_in
from cadence.assessment import selectors
from cadence.assessment.models import (
    Attempt,
    AttemptQuestion,
    AttemptState,
    Grade,
    GradeRelease,
    Rubric,
    Submission,
)
from cadence.assessment.services import assignments, grading
from cadence.assessment.services.grading import GradeInput
from cadence.core.errors import DomainError
from cadence.core.middleware import arrival_time
from cadence.courses import selectors as course_selectors
from cadence.courses.domain.accommodations import Effective
from cadence.courses.models import Course, Group, Item, ItemKind


def _grading_course(request: HttpRequest, slug: str) -> Course:
    course = get_course(request, slug, "view")
    if not policy.can(request.user, "grade", course):
        raise PermissionDenied
    return course


def _accommodation(request: HttpRequest, course: Course, learner_id: int) -> Effective | None:
    """The learner's accommodation, when they have one and the grader may see it."""
    return course_selectors.accommodations_by_learner(request.user, course, [learner_id]).get(learner_id)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    course = _grading_course(request, slug)
    item_id, group_id = _int(request.GET.get("item")), _int(request.GET.get("group"))
    entries = selectors.grading_queue(course, now=timezone.now(), item_id=item_id, group_id=group_id)
    graded_items = Item.objects.filter(course=course, kind__in=[ItemKind.ASSIGNMENT, ItemKind.QUIZ]).order_by(
        "module__position", "position"
    )
    return render(
        request,
        "assessment/grading_queue.html",
        {
            "course": course,
            "entries": entries,
            "items": list(graded_items),
            "groups": list(Group.objects.filter(course=course)),
            "item_id": item_id,
            "group_id": group_id,
            "turnaround": selectors.feedback_turnaround(course),
            # Beside each learner, for staff who may see it: the accommodation the grader should know about.
            "accommodations": course_selectors.accommodations_by_learner(
                request.user, course, {e.learner_id for e in entries}
            ),
        },
    )


def _submission(course: Course, submission_id: int) -> Submission:
    submission = (
        Submission.objects.filter(pk=submission_id, assignment__item__course=course)
        .select_related("assignment__item__course", "assignment__rubric", "user")
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def _grade_input(request: HttpRequest, rubric: Rubric | None) -> GradeInput:
    release = request.POST.get("release") == "1"
    comment = request.POST.get("comment", "")
    if rubric is not None and request.POST.get("by") != "points":
        levels: dict[int, int] = {}
        comments: dict[int, str] = {}
        for criterion in rubric.criteria.all():
            level = _int(request.POST.get(f"criterion-{criterion.pk}"))
            if level is not None:
                levels[criterion.pk] = level
            comments[criterion.pk] = request.POST.get(f"criterion-{criterion.pk}-comment", "")
        return GradeInput(levels=levels, criterion_comments=comments, comment=comment, release=release)
    try:
        points = Decimal(request.POST.get("points", "").replace(",", ".").strip())
    except InvalidOperation:
        points = None
    return GradeInput(points=points, comment=comment, release=release)


def grade_submission(request: HttpRequest, slug: str, submission_id: int) -> HttpResponse:
    course = _grading_course(request, slug)
    submission = _submission(course, submission_id)
    assignment = submission.assignment
    rubric = assignment.rubric
    error = ""
    if request.method == "POST":
        try:
            with transaction.atomic():
                grade = grading.grade_submission(
                    grader=signed_in(request),
                    submission=submission,
                    data=_grade_input(request, rubric),
                    now=arrival_time(request),
                )
                for upload in request.FILES.getlist("feedback_files"):
                    grading.attach_feedback_file(grader=signed_in(request), grade=grade, upload=upload)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Grade saved for %(name)s.") % {"name": submission.user.display_name})
            return redirect(reverse("assessment:grading-queue", args=[course.slug]))
    current = Grade.objects.filter(submission=submission).first()
    history = list(
        Submission.objects.filter(assignment=assignment, user=submission.user)
        .order_by("-number")
        .select_related("grade")
    )
    return render(
        request,
        "assessment/grade_submission.html",
        {
            "course": course,
            "item": assignment.item,
            "assignment": assignment,
            "submission": submission,
            "files": list(submission.files.all()),
            "rubric": rubric,
            "criteria": list(rubric.criteria.prefetch_related("levels")) if rubric else [],
            "grade": current,
            "history": history,
            "error": error,
            "posted": request.POST,
            "manual_release": assignment.grade_release == GradeRelease.MANUAL,
            "accommodation": _accommodation(request, course, submission.user_id),
        },
        status=400 if error else 200,
    )


def grade_attempt(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    """The essays of one quiz attempt, each graded with points and a comment."""
    course = _grading_course(request, slug)
    attempt = (
        Attempt.objects.filter(pk=attempt_id, quiz__item__course=course, state=AttemptState.SUBMITTED)
        .select_related("quiz__item", "user")
        .first()
    )
    if attempt is None:
        raise Http404
    essays = [
        r for r in AttemptQuestion.objects.filter(attempt=attempt).order_by("position") if r.as_def().qtype == "essay"
    ]
    error = ""
    if request.method == "POST":
        try:
            for row in essays:
                raw = request.POST.get(f"points-{row.position}", "").strip()
                if not raw:
                    continue
                try:
                    points = Decimal(raw.replace(",", "."))
                except InvalidOperation:
                    raise grading.GradeInputError(
                        _("Question %(n)s: write the points as a number.") % {"n": row.position}
                    ) from None
                grading.grade_essay(
                    grader=signed_in(request),
                    row=row,
                    points=points,
                    comment=request.POST.get(f"comment-{row.position}", ""),
                    now=arrival_time(request),
                )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Essays graded for %(name)s.") % {"name": attempt.user.display_name})
            return redirect(reverse("assessment:grading-queue", args=[course.slug]))
    return render(
        request,
        "assessment/grade_attempt.html",
        {
            "course": course,
            "attempt": attempt,
            "essays": essays,
            "error": error,
            "accommodation": _accommodation(request, course, attempt.user_id),
        },
        status=400 if error else 200,
    )


@require_POST
def release(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "edit")
    if item.kind != ItemKind.ASSIGNMENT:
        raise Http404
    count = grading.release_grades(
        actor=signed_in(request), assignment=assignments.assignment_for(item), now=arrival_time(request)
    )
    messages.success(request, _("%(n)s grades released; each learner has been told.") % {"n": count})
    return redirect(reverse("assessment:grading-queue", args=[course.slug]))


def rubrics(request: HttpRequest, slug: str) -> HttpResponse:
    course = _grading_course(request, slug)
    error = ""
    if request.method == "POST":
        if not policy.can(request.user, "edit", course):
            raise PermissionDenied
        rubric_id = _int(request.POST.get("rubric"))
        existing = Rubric.objects.filter(course=course, pk=rubric_id).first() if rubric_id else None
        try:
            saved = grading.save_rubric(
                actor=signed_in(request),
                course=course,
                title=request.POST.get("title", ""),
                source=request.POST.get("source", ""),
                rubric=existing,
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Rubric “%(title)s” saved.") % {"title": saved.title})
            return redirect(reverse("assessment:rubrics", args=[course.slug]) + f"#rubric-{saved.pk}")
    return render(
        request,
        "assessment/rubrics.html",
        {
            "course": course,
            "rubrics": list(Rubric.objects.filter(course=course).prefetch_related("criteria__levels")),
            "may_edit": policy.can(request.user, "edit", course),
            "error": error,
            "posted": request.POST,
        },
        status=400 if error else 200,
    )
