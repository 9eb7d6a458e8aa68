"""The course library (list, add, edit, delete, download, open a link) and search within a course."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, get_item, shows_hidden, signed_in
from cadence.content import selectors, services
from cadence.content.forms import CourseSearchForm, LibraryFilterForm, ResourceForm
from cadence.content.models import Resource
from cadence.core import uploads
from cadence.core.errors import DomainError, FieldError
from cadence.core.htmx import render_page_or_fragment
from cadence.courses.models import Course, Item, ItemKind
from cadence.progress import services as progress_services
from cadence.progress.models import Verb

DOWNLOAD_CACHE_SECONDS = 300


def _library_url(course: Course) -> str:
    return reverse("content:library", args=[course.slug])


def resource_file_url(resource: Resource) -> str:
    return reverse("content:resource-file", args=[resource.course.slug, resource.pk, resource.filename])


def _get_resource(request: HttpRequest, course: Course, resource_id: int, action: str) -> Resource:
    """The resource if this person may see it (404 otherwise) and do `action` (403); locked items refuse too."""
    resource = selectors.resource_in_course(course, resource_id)
    if resource is None or not policy.can(request.user, "view", resource):
        raise Http404
    if not policy.can(request.user, action, resource):
        raise PermissionDenied
    if resource.item is not None and action == "view":
        open_items = selectors.open_item_ids(request.user, course, now=timezone.now())
        if open_items is not None and resource.item_id not in open_items:
            raise PermissionDenied(_("This item is not open to you yet."))
    return resource


def _form_errors(form: Any, exc: DomainError) -> None:
    field = exc.field if isinstance(exc, FieldError) and exc.field in form.fields else None
    form.add_error(field, exc.message)


def _input(form: ResourceForm) -> services.ResourceInput:
    data = form.cleaned_data
    return services.ResourceInput(
        title=data["title"],
        description=data.get("description", ""),
        kind=data.get("kind", ""),
        url=data.get("url", ""),
        tags=services.parse_tags(data.get("tags", "")),
        is_published=data.get("is_published", True),
    )


def _initial(resource: Resource | None) -> dict[str, Any]:
    if resource is None:
        return {"is_published": True}
    return {
        "title": resource.title,
        "description": resource.description,
        "url": resource.url,
        "kind": resource.kind,
        "tags": ", ".join(t.name for t in resource.tags.all()),
        "is_published": resource.is_published,
    }


# --- The library ---------------------------------------------------------------------------------------
@require_GET
def library(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "view")
    page = selectors.library(
        request.user,
        course,
        query=request.GET.get("q", ""),
        tag=request.GET.get("tag", ""),
        kind=request.GET.get("kind", ""),
        now=timezone.now(),
    )
    form = LibraryFilterForm(request.GET or None, tags=page.tags)
    context = {
        "course": course,
        "page": page,
        "form": form,
        "filtered": bool(page.query or page.tag or page.kind),
        "may_edit": policy.can(request.user, "edit", course),
        "shows_hidden": shows_hidden(request, course),
    }
    return render_page_or_fragment(request, "content/library.html", "library-results", context)


def _resource_editor(
    request: HttpRequest, course: Course, form: ResourceForm, resource: Resource | None, item: Item | None, status: int
) -> HttpResponse:
    return render(
        request,
        "content/resource_form.html",
        {"course": course, "form": form, "resource": resource, "item": item},
        status=status,
    )


def _save(
    request: HttpRequest, course: Course, *, resource: Resource | None, item: Item | None
) -> tuple[ResourceForm, Resource | None]:
    form = ResourceForm(request.POST, request.FILES, with_visibility=item is None)
    if not form.is_valid():
        return form, None
    upload = form.cleaned_data.get("file")
    try:
        saved = services.save_resource(
            actor=signed_in(request),
            course=course,
            data=_input(form),
            resource=resource,
            upload=upload or None,
            item=item,
        )
    except DomainError as exc:
        _form_errors(form, exc)
        return form, None
    return form, saved


def resource_create(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "edit")
    if request.method != "POST":
        return _resource_editor(request, course, ResourceForm(initial=_initial(None)), None, None, 200)
    form, saved = _save(request, course, resource=None, item=None)
    if saved is None:
        return _resource_editor(request, course, form, None, None, 400)
    messages.success(request, _("“%(title)s” is in the library.") % {"title": saved.title})
    return redirect(_library_url(course) + f"#resource-{saved.pk}")


def resource_edit(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    resource = _get_resource(request, course, resource_id, "edit")
    if request.method != "POST":
        form = ResourceForm(initial=_initial(resource), with_visibility=resource.item is None)
        return _resource_editor(request, course, form, resource, resource.item, 200)
    form, saved = _save(request, course, resource=resource, item=None)
    if saved is None:
        return _resource_editor(request, course, form, resource, resource.item, 400)
    messages.success(request, _("“%(title)s” has been saved.") % {"title": saved.title})
    return redirect(_library_url(course) + f"#resource-{saved.pk}")


@require_POST
def resource_delete(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    resource = _get_resource(request, course, resource_id, "edit")
    services.delete_resource(actor=signed_in(request), resource=resource)
    messages.success(request, _("“%(title)s” has been deleted from the library.") % {"title": resource.title})
    return redirect(_library_url(course))


def _record_use(request: HttpRequest, resource: Resource, verb: str) -> None:
    user = signed_in(request)
    progress_services.record_activity(
        user=user,
        verb=verb,
        course_id=resource.course_id,
        item=resource.item,
        object_type="resource",
        object_id=str(resource.pk),
        result={"filename": resource.filename} if resource.is_file else {"url": resource.url},
        now=timezone.now(),
    )


@require_GET
def resource_file(request: HttpRequest, slug: str, resource_id: int, filename: str) -> HttpResponseBase:
    """The file, always as a download (never shown as a page of this site), to people who may see it."""
    course = get_course(request, slug, "view")
    resource = _get_resource(request, course, resource_id, "view")
    if not resource.is_file or filename != resource.filename:
        raise Http404
    range_header = request.headers.get("Range", "")
    if not range_header or range_header.replace(" ", "").startswith("bytes=0-"):  # a resumed download is one use
        _record_use(request, resource, Verb.DOWNLOADED)
    return uploads.serve_stored_file(
        name=resource.file.name or "",
        content_type=resource.content_type,
        filename=resource.filename,
        range_header=range_header,
        attachment=True,
        cache_seconds=DOWNLOAD_CACHE_SECONDS,
    )


@require_GET
def resource_open(request: HttpRequest, slug: str, resource_id: int) -> HttpResponseBase:
    """A link resource: record that it was opened, then go there."""
    course = get_course(request, slug, "view")
    resource = _get_resource(request, course, resource_id, "view")
    if resource.is_file:
        return redirect(resource_file_url(resource))
    _record_use(request, resource, Verb.VIEWED)
    response = redirect(resource.url)  # an http(s) address checked when saved
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- A file or link item shows one resource ---------------------------------------------------------------
def item_resource_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "edit")
    if item.kind not in (ItemKind.FILE, ItemKind.LINK):
        raise Http404
    resource = selectors.resource_for_item(item)
    if request.method != "POST":
        initial = _initial(resource) if resource else {"title": item.title}
        form = ResourceForm(initial=initial, with_visibility=False)
        return _resource_editor(request, course, form, resource, item, 200)
    form, saved = _save(request, course, resource=resource, item=item)
    if saved is None:
        return _resource_editor(request, course, form, resource, item, 400)
    messages.success(request, _("The item's resource has been saved; it is in the library too."))
    return redirect(reverse("courses:item-detail", args=[course.slug, item.pk]))


# --- Search ------------------------------------------------------------------------------------------
@require_GET
def course_search(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "view")
    form = CourseSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    now = timezone.now()
    results = selectors.search_course(request.user, course, query, now=now)
    if results.searched:
        progress_services.record_activity(
            user=signed_in(request),
            verb=Verb.SEARCHED,
            course_id=course.pk,
            object_type="course",
            object_id=str(course.pk),
            result={"query": results.query, "hits": len(results.hits)},
            now=now,
        )
    context = {"course": course, "form": form, "results": results}
    return render_page_or_fragment(request, "content/search.html", "search-results", context)
