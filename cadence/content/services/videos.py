"""Videos: the source (an uploaded file or an outside address), the running time, and caption tracks."""

from __future__ import annotations

import math
import re

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cadence.accounts.models import User
from cadence.content import search, vtt
from cadence.content.models import MAX_RUNNING_SECONDS, CaptionTrack, Cue, Video
from cadence.content.services.common import check_web_address, require_editable
from cadence.core import audit, uploads
from cadence.core.errors import FieldError
from cadence.core.uploads import check_kind, check_size, delete_files_after_commit, delete_files_if_rolled_back
from cadence.courses import services as course_services
from cadence.courses.models import Item, ItemKind

LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def check_external_url(url: str) -> str:
    return check_web_address(url, field="external_url", what=_("a video"))


def check_video_file(upload: UploadedFile) -> uploads.Kind:
    return check_kind(
        upload,
        limit=settings.CONTENT_VIDEO_MAX_BYTES,
        sniff=uploads.sniff_video,
        too_large=_("The video is too large (%(size)s); videos may be at most %(limit)s."),
        wrong_kind=_("“%(name)s” is not an MP4 or WebM video (its contents were checked, not its name)."),
    )


def running_minutes(seconds: int | None) -> int | None:
    return None if not seconds else max(1, math.ceil(seconds / 60))


@transaction.atomic
def save_video(
    *,
    actor: User,
    item: Item,
    external_url: str = "",
    upload: UploadedFile | None = None,
    duration_seconds: int | None = None,
) -> Video:
    """Set a video's source and running time. A new file replaces the address and any old file, and
    an address replaces a file; with neither, the current source stays (to change only the running time).
    """
    require_editable(actor, item, ItemKind.VIDEO)
    if upload is not None and external_url.strip():
        raise FieldError(_("Give either a file or an address, not both."))
    if duration_seconds is not None and not 0 < duration_seconds <= MAX_RUNNING_SECONDS:
        raise FieldError(_("The running time must be between 1 second and 24 hours."), field="duration")
    url = check_external_url(external_url) if external_url.strip() else ""
    kind = check_video_file(upload) if upload is not None else None
    video, _created = Video.objects.select_for_update().get_or_create(item=item)
    video.item = item
    old_file = video.file.name or ""
    if upload is None and not url and not video.has_source:
        raise FieldError(_("Upload a video file (MP4 or WebM) or give the video's address."))
    stored: list[str] = []
    try:
        if kind is not None and upload is not None:
            video.filename = uploads.display_name(upload.name or "", kind, "video")
            video.file.save(video.filename, upload, save=False)
            stored.append(video.file.name or "")
            video.content_type = kind.content_type
            video.size = upload.size
            video.external_url = ""
        elif url:
            video.file = ""  # an empty name clears a FileField
            video.filename = video.content_type = ""
            video.size = None
            video.external_url = url
        if duration_seconds is not None:
            video.duration_seconds = duration_seconds
        video.save()
        course_services.set_derived_minutes(item=item, minutes=running_minutes(video.duration_seconds))
        audit.record(
            actor=actor,
            verb="video.saved",
            obj=video,
            course_id=item.course_id,
            source="file" if video.is_uploaded else "address",
            duration_seconds=video.duration_seconds,
        )
    except BaseException:
        delete_files_if_rolled_back(stored)
        raise
    if old_file and old_file != (video.file.name or ""):
        delete_files_after_commit([old_file])
    return video


def _check_caption_file(upload: UploadedFile) -> list[vtt.ParsedCue]:
    limit = settings.CONTENT_CAPTION_MAX_BYTES
    check_size(
        upload,
        limit=limit,
        too_large=_("The caption file is too large (%(size)s); caption files may be at most %(limit)s."),
    )
    upload.seek(0)
    data = bytes(upload.read(limit + 1))
    upload.seek(0)
    try:
        return vtt.parse_vtt(data)
    except vtt.VttError as exc:
        raise FieldError(
            _("“%(name)s” is not a valid WebVTT file. %(problem)s. Nothing was stored.")
            % {"name": upload.name, "problem": str(exc)},
            field="file",
        ) from exc


@transaction.atomic
def add_captions(*, actor: User, item: Item, label: str, language: str, upload: UploadedFile) -> CaptionTrack:
    """Add a caption track; a track in the same language is replaced. Its cues become the transcript."""
    require_editable(actor, item, ItemKind.VIDEO)
    label, language = label.strip(), language.strip()
    if not label or len(label) > 100:
        raise FieldError(_("Give the captions a label of 1 to 100 characters, such as “English”."), field="label")
    if not LANGUAGE_CODE.match(language) or len(language) > 35:
        raise FieldError(
            _("“%(code)s” is not a language code; use one such as en, fr or pt-BR.") % {"code": language[:40]},
            field="language",
        )
    cues = _check_caption_file(upload)
    video = Video.objects.select_for_update().filter(item=item).first()
    if video is None:
        raise FieldError(_("Add the video itself before its captions."))
    video.item = item
    replaced = CaptionTrack.objects.filter(video=video, language__iexact=language).first()
    old_file = replaced.file.name if replaced else ""
    if replaced is not None:
        replaced.delete()
    track = CaptionTrack(video=video, language=language, label=label, size=upload.size or 0, cue_count=len(cues))
    stored: list[str] = []
    try:
        track.file.save(f"captions-{language}.vtt", upload, save=False)
        stored.append(track.file.name or "")
        track.save()
        rows = [
            Cue(track=track, position=n, start_ms=c.start_ms, end_ms=c.end_ms, text=c.plain_text[:2000])
            for n, c in enumerate(cues)
        ]
        Cue.objects.bulk_create(rows, batch_size=500)
        search.index_transcript(track, rows)
        audit.record(
            actor=actor,
            verb="captions.replaced" if replaced else "captions.added",
            obj=track,
            course_id=item.course_id,
            language=language,
            cues=len(cues),
        )
    except BaseException:
        delete_files_if_rolled_back(stored)
        raise
    delete_files_after_commit([old_file or ""])
    return track


@transaction.atomic
def delete_captions(*, actor: User, track: CaptionTrack) -> None:
    item = track.video.item
    require_editable(actor, item, ItemKind.VIDEO)
    audit.record(actor=actor, verb="captions.deleted", obj=track, course_id=item.course_id, language=track.language)
    name = track.file.name or ""
    track.delete()
    delete_files_after_commit([name])
