"""Editing lessons, videos and checklists; ticking steps; serving media only to people who may see it.

Views are thin: fetch through the policy (404 if unseen, 403 if not allowed), call one service, render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence.access import get_course, get_item, signed_in
from cadence.content import pages, selectors, services
from cadence.content.forms import (
    BaseStepFormSet,
    CaptionForm,
    ImageUploadForm,
    LessonForm,
    StepFormSet,
    VideoForm,
    format_running_time,
)
from cadence.content.models import CourseImage
from cadence.core import uploads
from cadence.core.errors import DomainError, FieldError, NotAllowed
from cadence.core.htmx import is_htmx, varies_with_htmx
from cadence.core.markdown import render_markdown
from cadence.courses.models import Course, Item, ItemKind
from cadence.progress import selectors as progress_selectors
from cadence.progress import services as progress_services

IMAGE_CACHE_SECONDS = 24 * 3600  # an image never changes under its id


def _item_of_kind(request: HttpRequest, slug: str, item_id: int, action: str, kind: ItemKind) -> tuple[Course, Item]:
    """The item, checked for `action`; a learner's item that is not released yet is refused (403) too."""
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, action)
    if item.kind != kind:
        raise Http404
    user = signed_in(request)
    if progress_services.is_tracked(user, item) and progress_selectors.item_lock(user, item, now=timezone.now()):
        raise PermissionDenied(_("This item is not open to you yet."))
    return course, item


def _item_url(course: Course, item: Item, anchor: str = "") -> str:
    return reverse("courses:item-detail", args=[course.slug, item.pk]) + anchor


def _add_error(form: Any, exc: DomainError) -> None:
    field = exc.field if isinstance(exc, FieldError) and exc.field in form.fields else None
    form.add_error(field, exc.message)


def _upload(form: Any, name: str = "file") -> UploadedFile | None:
    value = form.cleaned_data.get(name)
    return value if isinstance(value, UploadedFile) else None


# --- Lessons ----------------------------------------------------------------------------------------
def _lesson_editor(
    request: HttpRequest,
    course: Course,
    item: Item,
    *,
    form: LessonForm,
    image_form: ImageUploadForm | None = None,
    preview: Any = None,
    status: int = 200,
) -> HttpResponse:
    images = [_image_row(course, image) for image in selectors.course_images(course)]
    form.fields["body"].widget.attrs.update(
        {
            "hx-post": reverse("content:lesson-preview", args=[course.slug, item.pk]),
            "hx-trigger": "input changed delay:600ms",
            "hx-target": "#lesson-preview",
            "hx-swap": "outerHTML",
        }
    )
    return render(
        request,
        "content/lesson_edit.html",
        {
            "course": course,
            "item": item,
            "form": form,
            "image_form": image_form or ImageUploadForm(),
            "images": images,
            "preview": preview,
        },
        status=status,
    )


@dataclass(frozen=True)
class ImageRow:
    image: CourseImage
    url: str
    snippet: str


def _image_row(course: Course, image: CourseImage) -> ImageRow:
    url = reverse("content:image-file", args=[course.slug, image.pk, image.filename])
    alt = image.alt_text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return ImageRow(image=image, url=url, snippet=f"![{alt}]({url})")


def _preview(body: str) -> dict[str, Any]:
    try:
        services.check_lesson_body(body)
    except DomainError as exc:
        return {"error": exc.message, "html": ""}
    return {"error": "", "html": render_markdown(body)}


def lesson_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course, item = _item_of_kind(request, slug, item_id, "edit", ItemKind.LESSON)
    if request.method != "POST":
        lesson = selectors.lesson_for_item(item)
        form = LessonForm(initial={"body": lesson.body if lesson else ""})
        return _lesson_editor(request, course, item, form=form)
    form = LessonForm(request.POST)
    if not form.is_valid():
        return _lesson_editor(request, course, item, form=form, status=400)
    body = form.cleaned_data["body"]
    if request.POST.get("action") == "preview":
        return _lesson_editor(request, course, item, form=form, preview=_preview(body))
    try:
        services.save_lesson(actor=user, item=item, body=body)
    except DomainError as exc:
        _add_error(form, exc)
        return _lesson_editor(request, course, item, form=form, status=400)
    messages.success(request, _("The lesson has been saved."))
    return redirect(_item_url(course, item))


@require_POST
def lesson_preview(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """The rendered preview as a fragment, for the editor's live preview (htmx)."""
    _course, item = _item_of_kind(request, slug, item_id, "edit", ItemKind.LESSON)
    preview = _preview(request.POST.get("body", ""))
    return render(request, "content/lesson_edit.html#lesson-preview", {"item": item, "preview": preview})


@require_POST
def image_upload(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course, item = _item_of_kind(request, slug, item_id, "edit", ItemKind.LESSON)
    image_form = ImageUploadForm(request.POST, request.FILES)
    lesson = selectors.lesson_for_item(item)
    lesson_form = LessonForm(initial={"body": lesson.body if lesson else ""})
    upload = _upload(image_form) if image_form.is_valid() else None
    if upload is not None:
        try:
            image = services.upload_image(
                actor=user, item=item, upload=upload, alt_text=image_form.cleaned_data["alt_text"]
            )
        except DomainError as exc:
            _add_error(image_form, exc)
        else:
            messages.success(
                request,
                _("“%(name)s” uploaded. Paste its snippet into the text where the image belongs.")
                % {"name": image.filename},
            )
            return redirect(reverse("content:lesson-edit", args=[course.slug, item.pk]) + "#lesson-images")
    return _lesson_editor(request, course, item, form=lesson_form, image_form=image_form, status=400)


@require_GET
def image_file(request: HttpRequest, slug: str, image_id: int, filename: str) -> HttpResponseBase:
    course = get_course(request, slug, "view")
    image = selectors.course_image(course, image_id)
    if image is None or filename != image.filename:
        raise Http404
    return uploads.serve_stored_file(
        name=image.file.name or "",
        content_type=image.content_type,
        filename=image.filename,
        range_header=request.headers.get("Range", ""),
        cache_seconds=IMAGE_CACHE_SECONDS,
    )


# --- Videos -----------------------------------------------------------------------------------------
def _video_editor(
    request: HttpRequest,
    course: Course,
    item: Item,
    *,
    form: VideoForm | None = None,
    caption_form: CaptionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    video = selectors.video_for_item(item)
    if form is None:
        initial = (
            {"external_url": video.external_url, "duration": format_running_time(video.duration_seconds)}
            if video
            else {}
        )
        form = VideoForm(initial=initial)
    return render(
        request,
        "content/video_edit.html",
        {
            "course": course,
            "item": item,
            "video": video,
            "source_url": pages.video_file_url(item)
            if video and video.is_uploaded
            else (video.external_url if video else ""),
            "tracks": selectors.caption_tracks(video) if video else [],
            "form": form,
            "caption_form": caption_form or CaptionForm(),
        },
        status=status,
    )


def video_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course, item = _item_of_kind(request, slug, item_id, "edit", ItemKind.VIDEO)
    if request.method != "POST":
        return _video_editor(request, course, item)
    form = VideoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.save_video(
                actor=user,
                item=item,
                external_url=form.cleaned_data["external_url"],
                upload=_upload(form),
                duration_seconds=form.cleaned_data["duration"],
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The video has been saved."))
            return redirect(reverse("content:video-edit", args=[course.slug, item.pk]))
    return _video_editor(request, course, item, form=form, status=400)


@require_POST
def caption_upload(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course, item = _item_of_kind(request, slug, item_id, "edit", ItemKind.VIDEO)
    form = CaptionForm(request.POST, request.FILES)
    upload = _upload(form) if form.is_valid() else None
    if upload is not None:
        try:
            track = services.add_captions(
                actor=user,
                item=item,
                label=form.cleaned_data["label"],
                language=form.cleaned_data["language"],
                upload=upload,
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(
                request,
                _("Captions “%(label)s” added: %(n)s cues, shown as the transcript.")
                % {"label": track.label, "n": track.cue_count},
            )
            return redirect(reverse("content:video-edit", args=[course.slug, item.pk]) + "#video-captions")
    return _video_editor(request, course, item, caption_form=form, status=400)


@require_POST
def caption_delete(request: HttpRequest, slug: str, item_id: int, track_id: int) -> HttpResponse:
    user = signed_in(request)
    course, item = _item_of_kind(request, slug, item_id, "edit", ItemKind.VIDEO)
    track = selectors.caption_track(item, track_id)
    if track is None:
        raise Http404
    services.delete_captions(actor=user, track=track)
    messages.success(request, _("Captions “%(label)s” deleted.") % {"label": track.label})
    return redirect(reverse("content:video-edit", args=[course.slug, item.pk]) + "#video-captions")


@require_GET
def video_file(request: HttpRequest, slug: str, item_id: int) -> HttpResponseBase:
    _course, item = _item_of_kind(request, slug, item_id, "view", ItemKind.VIDEO)
    video = selectors.video_for_item(item)
    if video is None or not video.is_uploaded:
        raise Http404
    return uploads.serve_stored_file(
        name=video.file.name or "",
        content_type=video.content_type,
        filename=video.filename,
        range_header=request.headers.get("Range", ""),
        attachment=request.GET.get("download") == "1",
    )


@require_GET
def caption_file(request: HttpRequest, slug: str, item_id: int, track_id: int) -> HttpResponseBase:
    _course, item = _item_of_kind(request, slug, item_id, "view", ItemKind.VIDEO)
    track = selectors.caption_track(item, track_id)
    if track is None:
        raise Http404
    return uploads.serve_stored_file(
        name=track.file.name or "",
        content_type=uploads.VTT.content_type,
        filename=f"{item.title[:60]}.{track.language}.vtt",
        range_header=request.headers.get("Range", ""),
    )


@require_GET
@varies_with_htmx
def transcript(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """The transcript list, searched with ?q=: the fragment for htmx, else the item page itself."""
    course, item = _item_of_kind(request, slug, item_id, "view", ItemKind.VIDEO)
    if not is_htmx(request):
        return redirect(_item_url(course, item) + "?" + request.GET.urlencode() + f"#item-{item.pk}-transcript")
    page = pages.video_page(request, item)
    return render(request, "content/item_video.html#transcript", {"course": course, "item": item, "page": page})


# --- Checklists ---------------------------------------------------------------------------------------
def checklist_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    user = signed_in(request)
    course, item = _item_of_kind(request, slug, item_id, "edit", ItemKind.CHECKLIST)
    steps = selectors.checklist_steps(item)
    initial = [{"step_id": s.pk, "text": s.text, "position": n} for n, s in enumerate(steps, start=1)]
    formset = StepFormSet(request.POST or None, initial=initial, prefix="steps")
    assert isinstance(formset, BaseStepFormSet)
    status = 200
    if request.method == "POST":
        status = 400
        if formset.is_valid():
            kept = [services.StepInput(step_id, text) for step_id, text in formset.kept_steps()]
            try:
                services.save_checklist(actor=user, item=item, steps=kept)
            except DomainError as exc:
                formset.non_form_errors().append(exc.message)
            else:
                messages.success(request, _("The checklist has been saved."))
                return redirect(_item_url(course, item))
    return render(
        request, "content/checklist_edit.html", {"course": course, "item": item, "formset": formset}, status=status
    )


@require_POST
@varies_with_htmx
def step_tick(request: HttpRequest, slug: str, item_id: int, step_id: int) -> HttpResponse:
    user = signed_in(request)
    course, item = _item_of_kind(request, slug, item_id, "view", ItemKind.CHECKLIST)
    ticked = request.POST.get("ticked") == "1"
    announcement = ""
    try:
        result = services.set_step_ticked(user=user, item=item, step_id=step_id, ticked=ticked, now=timezone.now())
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except FieldError as exc:
        announcement = exc.message
        if not is_htmx(request):
            messages.error(request, exc.message)
    else:
        if result.completed_now:
            announcement = _("Every step is ticked: this item is complete.")
        elif result.total:
            announcement = _("%(done)s of %(total)s steps done.") % {"done": result.done, "total": result.total}
        if not is_htmx(request) and announcement:
            messages.success(request, announcement)
    if is_htmx(request):
        context = pages.checklist_context(request, item)
        response = render(
            request,
            "content/item_checklist.html#checklist-steps",
            {"course": course, "item": item, "ctx": context, "announcement": announcement},
        )
        response["HX-Trigger"] = "progress-changed"
        return response
    return redirect(_item_url(course, item, f"#item-{item.pk}-checklist"))
