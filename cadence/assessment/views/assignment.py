"""Assignment pages: the teacher's settings; a learner's draft, submission and receipt; submitted files."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, get_item, signed_in
from cadence.assessment.forms import AssignmentSettingsForm
from cadence.assessment.models import FeedbackFile, Grade, RubricCriterion, Submission, SubmissionFile
from cadence.assessment.services import assignments
from cadence.assessment.services.assignments import SubmissionInput
from cadence.core import uploads
from cadence.core.errors import DomainError
from cadence.core.middleware import arrival_time
from cadence.core.work import keeps_work
from cadence.courses.models import Course, Item, ItemKind


def _assignment_item(request: HttpRequest, slug: str, item_id: int, action: str) -> tuple[Course, Item]:
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, action)
    if item.kind != ItemKind.ASSIGNMENT:
        raise Http404
    return course, item


def _item_url(course: Course, item: Item) -> str:
    return reverse("courses:item-detail", args=[course.slug, item.pk])


def assignment_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course, item = _assignment_item(request, slug, item_id, "edit")
    assignment = assignments.assignment_settings(item)  # the row is made when the settings are first saved
    form = AssignmentSettingsForm(request.POST or None, instance=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            assignments.save_settings(
                actor=signed_in(request),
                item=item,
                data={k: form.cleaned_data[k] for k in assignments.ASSIGNMENT_SETTINGS},
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The assignment has been saved."))
            return redirect(_item_url(course, item))
    return render(
        request,
        "assessment/assignment_edit.html",
        {"course": course, "item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@keeps_work
@require_POST
def draft_save(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """Autosave of the text being written (from the page's script), or "Save draft" without it."""
    course, item = _assignment_item(request, slug, item_id, "view")
    autosave = request.headers.get("X-Autosave") == "1"
    now = arrival_time(request)
    try:
        assignments.save_draft(
            user=signed_in(request),
            assignment=assignments.assignment_for(item),
            text=request.POST.get("text", ""),
            url=request.POST.get("url", ""),
            now=now,
        )
    except DomainError as exc:
        if autosave:
            return JsonResponse({"detail": exc.message}, status=exc.status_code)
        messages.error(request, exc.message)
        return redirect(_item_url(course, item))
    if autosave:
        return JsonResponse({"saved_at": timezone.localtime(now).strftime("%H:%M:%S")})
    messages.success(request, _("Your draft is saved. It is not submitted yet."))
    return redirect(_item_url(course, item) + "#submit-heading")


@keeps_work
@require_POST
def submit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course, item = _assignment_item(request, slug, item_id, "view")
    data = SubmissionInput(
        key=request.POST.get("key", ""),
        text=request.POST.get("text", ""),
        url=request.POST.get("url", ""),
        files=request.FILES.getlist("files"),
    )
    try:
        submission = assignments.submit(
            user=signed_in(request),
            assignment=assignments.assignment_for(item),
            data=data,
            now=arrival_time(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        # Keep what they wrote: it goes into the draft, so the page shows it again.
        with contextlib.suppress(DomainError):
            assignments.save_draft(
                user=signed_in(request),
                assignment=assignments.assignment_for(item),
                text=data.text,
                url=data.url,
                now=arrival_time(request),
            )
        return redirect(_item_url(course, item) + "#submit-heading")
    return redirect(reverse("assessment:receipt", args=[course.slug, submission.pk]))


def _submission(request: HttpRequest, course: Course, submission_id: int) -> Submission:
    submission = (
        Submission.objects.filter(pk=submission_id, assignment__item__course=course)
        .select_related("assignment__item__course", "user")
        .first()
    )
    if submission is None or not policy.can(request.user, "view", submission):
        raise Http404  # another learner's work is not even acknowledged
    return submission


@require_GET
def receipt(request: HttpRequest, slug: str, submission_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    submission = _submission(request, course, submission_id)
    grade = Grade.objects.filter(submission=submission).first()
    staff = policy.can(request.user, "grade", course)
    shown = grade if grade is not None and (grade.released_at is not None or staff) else None
    return render(
        request,
        "assessment/receipt.html",
        {
            "course": course,
            "item": submission.assignment.item,
            "submission": submission,
            "files": list(submission.files.all()),
            "grade": shown,
            "criteria": _criteria_feedback(submission, shown),
            "may_grade": staff,
        },
    )


def _criteria_feedback(submission: Submission, grade: Grade | None) -> list[dict[str, object]]:
    """Each rubric criterion with the level given and its comment, for a grade that may be shown."""
    if grade is None or not grade.criteria or submission.assignment.rubric_id is None:
        return []
    rows = []
    criteria = RubricCriterion.objects.filter(rubric_id=submission.assignment.rubric_id).prefetch_related("levels")
    for criterion in criteria:
        given = grade.criteria.get(str(criterion.pk), {})
        level = next((lv for lv in criterion.levels.all() if lv.pk == given.get("level")), None)
        rows.append({"criterion": criterion, "level": level, "comment": given.get("comment", "")})
    return rows


@require_GET
def submission_file(request: HttpRequest, slug: str, submission_id: int, file_id: int) -> HttpResponseBase:
    course = get_course(request, slug, "view")
    submission = _submission(request, course, submission_id)
    row = SubmissionFile.objects.filter(submission=submission, pk=file_id).first()
    if row is None:
        raise Http404
    if not policy.can(request.user, "view", submission):
        raise PermissionDenied
    return uploads.serve_stored_file(
        name=row.file.name or "",
        content_type=row.content_type,
        filename=row.filename,
        range_header=request.headers.get("Range", ""),
        attachment=True,
    )


@require_GET
def feedback_file(request: HttpRequest, slug: str, submission_id: int, file_id: int) -> HttpResponseBase:
    """A teacher's feedback file: for the learner once the grade is released, for the staff always."""
    course = get_course(request, slug, "view")
    submission = _submission(request, course, submission_id)
    row = FeedbackFile.objects.filter(grade__submission=submission, pk=file_id).select_related("grade").first()
    if row is None:
        raise Http404
    if row.grade.released_at is None and not policy.can(request.user, "grade", course):
        raise Http404
    return uploads.serve_stored_file(
        name=row.file.name or "", content_type=row.content_type, filename=row.filename, attachment=True
    )
