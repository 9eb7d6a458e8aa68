"""Accommodations: the course's staff see them beside each learner; teachers give, change and remove them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence import policy
from cadence.access import allowed, get_course, signed_in
from cadence.core.errors import DomainError
from cadence.courses import selectors, services
from cadence.courses.forms import AccommodationForm
from cadence.courses.models import Accommodation


def accommodations(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's accommodations the viewer may see (a group-limited TA: their groups'), and for teachers
    a form to give one or change one (giving a learner or group a new one replaces theirs)."""
    user = signed_in(request)
    course = get_course(request, slug, "view_accommodations")
    may_manage = policy.can(user, "manage_accommodations", course)
    form = AccommodationForm(request.POST or None, course=course) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            membership = form.cleaned_data.get("learner")
            try:
                services.set_accommodation(
                    actor=user,
                    course=course,
                    data=form.accommodation_input(),
                    learner=membership,
                    group=form.cleaned_data.get("group"),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The accommodation has been saved."))
                return redirect("courses:accommodations", slug=course.slug)
    return render(
        request,
        "courses/accommodations.html",
        {"course": course, "rows": selectors.course_accommodations(user, course), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def accommodation_remove(request: HttpRequest, slug: str, accommodation_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view_accommodations")
    visible = policy.scope(user, "view", Accommodation.objects.filter(course=course))
    row = allowed(request, visible.select_related("membership", "course").filter(pk=accommodation_id).first(), "edit")
    services.remove_accommodation(actor=user, accommodation=row)
    messages.success(request, _("The accommodation has been removed."))
    return redirect("courses:accommodations", slug=course.slug)
