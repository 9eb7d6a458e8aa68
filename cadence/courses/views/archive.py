"""The course archive: deleting a course, module or item moves it there; its teachers restore it exactly."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, get_item, get_module, restorable, signed_in
from cadence.core.errors import DomainError
from cadence.courses import selectors, services
from cadence.courses.models import Course, Item, Module


@require_GET
def course_archive(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "edit")
    return render(
        request, "courses/course_archive.html", {"course": course, "archive": selectors.course_archive(course)}
    )


@require_POST
def module_delete(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    module = get_module(request, course, module_id, "edit")
    try:
        services.archive_module(actor=user, module=module, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Module “%(title)s” moved to the course archive, with its items and all learners' work.")
            % {"title": module.title},
        )
    return redirect("courses:course-detail", slug=course.slug)


@require_POST
def item_delete(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "edit")
    try:
        services.archive_item(actor=user, item=item, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("“%(title)s” moved to the course archive, with all learners' work.") % {"title": item.title}
        )
    return redirect("courses:course-detail", slug=course.slug)


@require_POST
def module_restore(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    course = get_course(request, slug, "edit")
    module = restorable(request, Module.all_objects.filter(course=course).select_related("course"), module_id)
    try:
        services.restore_module(actor=signed_in(request), module=module)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("courses:course-archive", slug=course.slug)
    messages.success(request, _("Module “%(title)s” is back in the course.") % {"title": module.title})
    return redirect("courses:course-archive", slug=course.slug)


@require_POST
def item_restore(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course = get_course(request, slug, "edit")
    item = restorable(request, Item.all_objects.filter(course=course).select_related("course", "module"), item_id)
    try:
        services.restore_item(actor=signed_in(request), item=item)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("courses:course-archive", slug=course.slug)
    messages.success(request, _("“%(title)s” is back in the course.") % {"title": item.title})
    return redirect("courses:course-archive", slug=course.slug)


@require_POST
def course_delete(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "edit")
    try:
        services.archive_course(actor=signed_in(request), course=course, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("courses:course-edit", slug=course.slug)
    messages.success(
        request,
        _("“%(title)s” has been deleted: it is kept in the archive, and you can restore it from your dashboard.")
        % {"title": course.title},
    )
    return redirect("home")


@require_POST
def course_restore(request: HttpRequest, slug: str) -> HttpResponse:
    course = policy.scope(request.user, "restore", Course.all_objects.all()).filter(slug=slug).first()
    if course is None:
        raise Http404
    try:
        services.restore_course(actor=signed_in(request), course=course)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    messages.success(request, _("“%(title)s” has been restored.") % {"title": course.title})
    return redirect("courses:course-detail", slug=course.slug)
