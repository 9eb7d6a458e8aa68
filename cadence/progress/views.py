from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence.access import get_course, get_item, get_module, signed_in
from cadence.core.errors import DomainError
from cadence.core.htmx import is_htmx, varies_with_htmx
from cadence.courses.models import Course, Item, Module
from cadence.progress import notes, selectors, services
from cadence.progress.forms import NoteForm, OverrideForm, ReleaseForm


@require_POST
def item_done(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "view")
    try:
        services.mark_done(user=user, item=item, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked done. Well done!"))
    return redirect("courses:item-detail", slug=course.slug, item_id=item.pk)


def item_status(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """The learner's status box on an item, re-fetched by htmx after something completes it."""
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "view")
    state = selectors.item_state(user, item)
    return render(request, "progress/item_status.html#item-status", {"course": course, "item": item, "state": state})


@require_POST
@varies_with_htmx
def item_review(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "view")
    marked = request.POST.get("marked") == "1"
    services.set_review_mark(user=user, item=item, marked=marked)
    if is_htmx(request):
        state = selectors.item_state(user, item)
        return render(
            request, "progress/item_status.html#review-toggle", {"course": course, "item": item, "state": state}
        )
    messages.success(request, _("Kept for review.") if marked else _("Review mark removed."))
    return redirect("courses:item-detail", slug=course.slug, item_id=item.pk)


def _release_page(request: HttpRequest, course: Course, target: Item | Module) -> HttpResponse:
    user = signed_in(request)
    rule = selectors.release_rule_for(target)
    form = ReleaseForm(request.POST or None, course=course, target=target, rule=rule)
    override_form = OverrideForm(course=course)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        spec = services.ReleaseSpec(
            after_item=data["after_item"],
            after_module=data["after_module"],
            open_date=data["open_date"],
            open_time=data["open_time"],
            zone_basis=data["zone_basis"],
            groups=list(data["groups"]),
        )
        try:
            services.set_release_rule(actor=user, target=target, spec=spec)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Release conditions saved."))
            return redirect(request.path)
    return render(
        request,
        "progress/release_form.html",
        {
            "course": course,
            "target": target,
            "is_module": isinstance(target, Module),
            "form": form,
            "override_form": override_form,
            "overrides": selectors.release_overrides(target),
        },
        status=400 if form.errors else 200,
    )


def item_release(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    return _release_page(request, course, get_item(request, course, item_id, "edit"))


def module_release(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    return _release_page(request, course, get_module(request, course, module_id, "edit"))


def _grant(request: HttpRequest, course: Course, target: Item | Module) -> HttpResponse:
    user = signed_in(request)
    form = OverrideForm(request.POST, course=course)
    if not form.is_valid():
        messages.error(request, _("Choose a learner of this course."))
    else:
        try:
            services.grant_release_override(
                actor=user, target=target, learner=form.cleaned_data["learner"], now=timezone.now()
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Opened for %(name)s.") % {"name": form.cleaned_data["learner"].display_name})
    return redirect(request.path.replace("/override/", "/release/"))


@require_POST
def item_override(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    return _grant(request, course, get_item(request, course, item_id, "edit"))


@require_POST
def module_override(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    return _grant(request, course, get_module(request, course, module_id, "edit"))


@require_POST
def override_revoke(request: HttpRequest, slug: str, override_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "edit")
    override = selectors.override_in_course(course, override_id)
    if override is None:
        raise Http404
    services.revoke_release_override(actor=user, override=override)
    messages.success(request, _("Early access removed."))
    if override.item_id:
        return redirect("progress:item-release", slug=course.slug, item_id=override.item_id)
    return redirect("progress:module-release", slug=course.slug, module_id=override.module_id)


def _notes_panel(request: HttpRequest, course: Course, item: Item, form: NoteForm | None = None) -> HttpResponse:
    user = signed_in(request)
    return render(
        request,
        "progress/notes_panel.html#notes-panel",
        {"course": course, "item": item, "notes": notes.notes_for_item(user, item), "note_form": form or NoteForm()},
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@varies_with_htmx
def note_add(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "view")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            at_seconds = notes.parse_moment(form.cleaned_data["at"])
        except DomainError as exc:
            form.add_error("at", exc.message)
        else:
            try:
                notes.add_note(
                    user=user,
                    item=item,
                    body=form.cleaned_data["body"],
                    quote=form.cleaned_data["quote"],
                    at_seconds=at_seconds,
                    now=timezone.now(),
                )
            except DomainError as exc:
                form.add_error("body", exc.message)
            else:
                if is_htmx(request):
                    return _notes_panel(request, course, item)
                messages.success(request, _("Note saved."))
                return redirect("courses:item-detail", slug=course.slug, item_id=item.pk)
    if is_htmx(request):
        return _notes_panel(request, course, item, form)
    for error in form.errors.values():
        messages.error(request, " ".join(str(e) for e in error))
    return redirect("courses:item-detail", slug=course.slug, item_id=item.pk)


@require_POST
@varies_with_htmx
def note_delete(request: HttpRequest, slug: str, note_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    note = notes.note_of(user, note_id)
    if note is None or note.course_id != course.pk:
        raise Http404
    notes.delete_note(user=user, note=note)
    if is_htmx(request):
        return _notes_panel(request, course, note.item)
    messages.success(request, _("Note deleted."))
    if request.POST.get("back") == "list":
        return redirect("progress:note-list", slug=course.slug)
    return redirect("courses:item-detail", slug=course.slug, item_id=note.item_id)


def note_list(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    query = request.GET.get("q", "")[:200]
    return render(
        request,
        "progress/note_list.html",
        {"course": course, "notes": notes.notes_in_course(user, course, query=query)[:500], "query": query},
    )


def note_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view")
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in notes.export_markdown(user, course)), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="notes-{course.slug}.md"'
    return response
