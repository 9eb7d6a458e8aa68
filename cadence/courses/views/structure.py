"""Modules and items: create, edit, delete, reorder (htmx or plain forms), and the item page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence import policy
from cadence.access import get_course, get_item, get_module, in_preview, shows_hidden, signed_in
from cadence.core.errors import DomainError
from cadence.core.htmx import is_htmx, varies_with_htmx
from cadence.core.middleware import arrival_time
from cadence.courses import item_types, selectors, services
from cadence.courses.forms import ExtensionForm, ItemForm, ModuleForm
from cadence.courses.models import Course, DeadlineExtension
from cadence.progress import selectors as progress_selectors
from cadence.progress import services as progress_services


def _outline_response(request: HttpRequest, course: Course, announcement: str) -> HttpResponse:
    """After a reorder: the outline fragment for htmx, or a redirect back for plain forms."""
    if is_htmx(request):
        outline = selectors.course_outline(course, include_hidden=True)
        return render(
            request,
            "courses/course_detail.html#course-outline",
            {"course": course, "outline": outline, "may_edit": True, "announcement": announcement},
        )
    messages.success(request, announcement)
    return redirect("courses:course-detail", slug=course.slug)


def _offset(request: HttpRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


def module_create(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "edit")
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.create_module(actor=user, course=course, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Module “%(title)s” added.") % {"title": module.title})
            return redirect("courses:course-detail", slug=course.slug)
    return render(request, "courses/module_form.html", {"form": form, "course": course, "module": None})


def module_edit(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    module = get_module(request, course, module_id, "edit")
    form = ModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        try:
            services.update_module(actor=user, module=module, data=data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The module has been saved."))
            return redirect("courses:course-detail", slug=course.slug)
    return render(request, "courses/module_form.html", {"form": form, "course": course, "module": module})


@require_POST
@varies_with_htmx
def module_move(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    module = get_module(request, course, module_id, "edit")
    services.move_module(actor=user, module=module, offset=_offset(request))
    return _outline_response(request, course, _("Moved module “%(title)s”.") % {"title": module.title})


def item_create(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    module = get_module(request, course, module_id, "edit")
    form = ItemForm(request.POST or None, course=course, initial={"module": module})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "module"}
        try:
            item = services.create_item(actor=user, module=form.cleaned_data["module"], data=data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("“%(title)s” added.") % {"title": item.title})
            return redirect("courses:course-detail", slug=course.slug)
    return render(request, "courses/item_form.html", {"form": form, "course": course, "item": None})


def item_detail(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "view")
    include_hidden = shows_hidden(request, course)
    previous, following = selectors.item_neighbours(item, include_hidden=include_hidden)
    user = signed_in(request)
    tracked = progress_services.is_tracked(user, item)
    lock = progress_selectors.item_lock(user, item, now=timezone.now()) if tracked else None
    if lock is not None:
        return render(request, "courses/item_locked.html", {"course": course, "item": item, "lock": lock})
    if tracked:
        progress_services.record_view(user=user, item=item, now=arrival_time(request))
    item_type = item_types.for_kind(item.kind)
    return render(
        request,
        "courses/item_detail.html",
        {
            "course": course,
            "item": item,
            "previous": previous,
            "next": following,
            "may_edit": policy.can(request.user, "edit", item) and include_hidden,
            "previewing": in_preview(request, course),
            "state": progress_selectors.item_state(user, item) if tracked else None,
            "deadlines": selectors.deadlines_for(user, [item]) if tracked else None,
            # Staff see when a deadline "at the end of the day in each learner's zone" passes across the class.
            "spread": selectors.deadline_spread(item)
            if item.due_date and policy.can(user, "view_people", course)
            else None,
            "type_template": item_type.template if item_type else None,
            "type_context": item_type.context(request, item) if item_type else {},
            "type_edit_url": item_type.edit_url(item) if item_type and item_type.edit_url else None,
            "heartbeat_ms": settings.HEARTBEAT_SECONDS * 1000,
            "panel_templates": [panel.template for panel in item_types.panels()],
            **{name: value for panel in item_types.panels() for name, value in panel.context(request, item).items()},
        },
    )


def item_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "edit")
    form = ItemForm(request.POST or None, instance=item, course=course, initial={"module": item.module})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data and k != "module"}
        try:
            services.update_item(actor=user, item=item, data=data, module=form.cleaned_data["module"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("“%(title)s” has been saved.") % {"title": item.title})
            return redirect("courses:item-detail", slug=course.slug, item_id=item.pk)
    return render(request, "courses/item_form.html", {"form": form, "course": course, "item": item})


@require_POST
@varies_with_htmx
def item_move(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "edit")
    services.move_item(actor=user, item=item, offset=_offset(request))
    return _outline_response(request, course, _("Moved “%(title)s”.") % {"title": item.title})


def item_extensions(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """A teacher's page for an item's deadline extensions: who has one, what was asked, the deadline it gives
    each learner (in the teacher's zone and the learner's), and a form to add one."""
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "edit")
    form = ExtensionForm(request.POST or None, course=course, viewer_zone=user.time_zone)
    if request.method == "POST" and form.is_valid():
        membership = form.cleaned_data.get("learner")
        try:
            services.grant_extension(
                actor=user,
                item=item,
                extension=form.extension_input(),
                learner=membership.user if membership else None,
                group=form.cleaned_data.get("group"),
                reason=form.cleaned_data.get("reason", ""),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The extension has been granted."))
            return redirect("courses:item-extensions", slug=course.slug, item_id=item.pk)
    return render(
        request,
        "courses/item_extensions.html",
        {
            "course": course,
            "item": item,
            "form": form,
            "rows": selectors.item_extensions(item),
            "spread": selectors.deadline_spread(item),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def extension_revoke(request: HttpRequest, slug: str, item_id: int, extension_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "edit")
    extension = DeadlineExtension.objects.filter(item=item, pk=extension_id).select_related("item").first()
    if extension is None:
        raise Http404
    services.revoke_extension(actor=user, extension=extension)
    messages.success(request, _("The extension has been removed."))
    return redirect("courses:item-extensions", slug=course.slug, item_id=item.pk)
