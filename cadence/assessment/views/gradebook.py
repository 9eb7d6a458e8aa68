"""Gradebook pages: the staff's grid (paginated) and CSV export, set-up, overrides; a learner's own grades."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, signed_in
from cadence.accounts.models import User
from cadence.assessment.models import GradeOverride
from cadence.assessment.selectors import gradebook
from cadence.assessment.services import gradebook as gradebook_services
from cadence.core.csv_export import csv_response
from cadence.core.errors import DomainError
from cadence.core.middleware import arrival_time
from cadence.courses.models import Course, Group, Item, ItemKind
from cadence.families import selectors as family_selectors

PER_PAGE = 50


def _staff_course(request: HttpRequest, slug: str) -> Course:
    course = get_course(request, slug, "view")
    if not policy.can(request.user, "grade", course):
        raise PermissionDenied
    return course


def _group(request: HttpRequest) -> int | None:
    raw = request.GET.get("group", "")
    return int(raw) if raw.isdigit() else None


@require_GET
def grid(request: HttpRequest, slug: str) -> HttpResponse:
    course = _staff_course(request, slug)
    group_id = _group(request)
    the_book = gradebook.book(course)
    people = list(gradebook.learners(course, group_id=group_id))
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    rows = gradebook.rows_for(course, the_book, list(page.object_list), released_only=False)
    return render(
        request,
        "assessment/gradebook.html",
        {
            "course": course,
            "book": the_book,
            "rows": rows,
            "page": page,
            "groups": list(Group.objects.filter(course=course)),
            "group_id": group_id,
            "may_edit": policy.can(request.user, "edit", course),
            "archived_columns": [c for c in the_book.columns if c.archived],
        },
    )


@require_GET
def export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    course = _staff_course(request, slug)
    return csv_response(gradebook.csv_rows(course, group_id=_group(request)), filename=f"{course.slug}-gradebook.csv")


def setup(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "edit")
    the_book = gradebook.book(course)
    error = ""
    if request.method == "POST":
        try:
            gradebook_services.save_setup(
                actor=signed_in(request),
                course=course,
                categories_text=request.POST.get("categories", ""),
                item_categories={c.item_id: request.POST.get(f"item-{c.item_id}", "") for c in the_book.columns},
                letters_text=request.POST.get("letters", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The gradebook set-up has been saved."))
            return redirect(reverse("assessment:gradebook", args=[course.slug]))
    categories_text = "\n".join(
        f"{c.name}: {c.weight:g}" + (f", drop {c.drop_lowest}" if c.drop_lowest else "") for c in the_book.categories
    )
    names = {c.pk: c.name for c in the_book.categories}
    return render(
        request,
        "assessment/gradebook_setup.html",
        {
            "course": course,
            "columns": [(c, names.get(c.category_id, "") if c.category_id else "") for c in the_book.columns],
            "categories_text": request.POST.get("categories", categories_text),
            "letters_text": request.POST.get(
                "letters", "\n".join(f"{letter} {bound:g}" for bound, letter in the_book.scheme)
            ),
            "category_names": [c.name for c in the_book.categories],
            "error": error,
        },
        status=400 if error else 200,
    )


@require_POST
def archived_counts(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """The teacher's choice for a deleted (archived) graded item: does it still count in totals?"""
    course = get_course(request, slug, "edit")
    item = Item.all_objects.filter(course=course, pk=item_id, kind__in=[ItemKind.QUIZ, ItemKind.ASSIGNMENT]).first()
    if item is None:
        raise Http404
    counts = request.POST.get("counts") == "1"
    gradebook_services.set_archived_counts(actor=signed_in(request), item=item, counts=counts)
    message = _("“%(title)s” counts in totals again.") if counts else _("“%(title)s” no longer counts in totals.")
    messages.success(request, message % {"title": item.title})
    return redirect(reverse("assessment:gradebook", args=[course.slug]))


def override(request: HttpRequest, slug: str, item_id: int, user_id: int) -> HttpResponse:
    course = get_course(request, slug, "edit")
    # Archived items too: their grades stay in the gradebook, and may still be corrected.
    item = Item.all_objects.filter(course=course, pk=item_id, kind__in=[ItemKind.QUIZ, ItemKind.ASSIGNMENT]).first()
    learner = User.objects.filter(pk=user_id, memberships__course=course).first()
    if item is None or learner is None:
        raise Http404
    error = ""
    if request.method == "POST":
        raw = request.POST.get("percent", "").strip().replace(",", ".")
        try:
            percent = None if request.POST.get("action") == "clear" else Decimal(raw)
            gradebook_services.set_override(
                actor=signed_in(request),
                item=item,
                learner=learner,
                percent=percent,
                reason=request.POST.get("reason", ""),
                now=arrival_time(request),
            )
        except InvalidOperation:
            error = _("Write the grade as a percent, such as 85.")
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The grade has been changed; the change is in the audit log."))
            return redirect(reverse("assessment:gradebook", args=[course.slug]))
    return render(
        request,
        "assessment/grade_override.html",
        {
            "course": course,
            "item": item,
            "learner": learner,
            "current": GradeOverride.objects.filter(item=item, user=learner).first(),
            "error": error,
        },
        status=400 if error else 200,
    )


@require_GET
def my_grades(request: HttpRequest, slug: str) -> HttpResponse:
    """A learner's own grades: released work only, nobody else's. An observer sees, instead of their own
    empty page, the released grades of a learner they follow in the course (`?learner=` chooses among several)."""
    course = get_course(request, slug, "view")
    user = signed_in(request)
    followed = [] if policy.learns_in(user, course.pk) else family_selectors.followed_in_course(user, course)
    chosen = request.GET.get("learner", "")
    learner = next((m.user for m in followed if str(m.user_id) == chosen), followed[0].user if followed else None)
    if chosen and (learner is None or str(learner.pk) != chosen):
        raise Http404  # not a learner this person follows
    the_book, row = gradebook.learner_row(course, learner or user)
    return render(
        request,
        "assessment/my_grades.html",
        {"course": course, "book": the_book, "row": row, "learner": learner, "followed": [m.user for m in followed]},
    )
