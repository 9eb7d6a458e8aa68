"""Page builders (the `pages` layer, described in `assessment.pages`): what lessons, videos and checklists
add to the item page (`courses:item-detail`).

Each context function runs a fixed number of queries, whatever the size of the lesson, the number
of cues or of steps. The item arrives with its course and module loaded and already checked for "view".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString

from cadence import policy
from cadence.content import search, selectors
from cadence.content.models import CaptionTrack, Video
from cadence.content.vtt import format_clock
from cadence.core.markdown import render_markdown
from cadence.courses import item_types
from cadence.courses.models import Item, ItemKind
from cadence.progress import selectors as progress_selectors
from cadence.progress import services as progress_services

PLAYBACK_RATES = ("0.75", "1", "1.25", "1.5", "1.75", "2")


def _user(request: HttpRequest) -> Any:
    return request.user


# --- Lesson ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LessonPage:
    has_text: bool
    html: SafeString


def lesson_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    lesson = selectors.lesson_for_item(item)
    body = lesson.body if lesson else ""
    return {"lesson": LessonPage(has_text=bool(body.strip()), html=render_markdown(body))}


def lesson_edit_url(item: Item) -> str:
    return reverse("content:lesson-edit", args=[item.course.slug, item.pk])


# --- Video -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CueLink:
    start_ms: int
    seconds: str  # for #t= and data-start: "12.5"
    clock: str  # for people: "0:12"
    text: str


@dataclass(frozen=True)
class TrackLink:
    track: CaptionTrack
    url: str
    transcript_url: str  # the item page showing this track's transcript


@dataclass(frozen=True)
class VideoPage:
    video: Video | None
    source_url: str
    download_url: str
    tracks: list[TrackLink]
    shown_track: CaptionTrack | None
    cues: list[CueLink]
    query: str
    resume_seconds: float
    tracked: bool
    rates: tuple[str, ...] = PLAYBACK_RATES

    @property
    def cue_count(self) -> int:
        return len(self.cues)


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".")


def video_file_url(item: Item) -> str:
    return reverse("content:video-file", args=[item.course.slug, item.pk])


def video_page(request: HttpRequest, item: Item) -> VideoPage:
    """The player, its caption tracks and the transcript (searched with ?q=, in the language ?lang=)."""
    user = _user(request)
    video = selectors.video_for_item(item)
    tracked = bool(user.is_authenticated and progress_services.is_tracked(user, item))
    empty = VideoPage(video, "", "", [], None, [], "", 0.0, tracked)
    if video is None or not video.has_source:
        return empty
    query = request.GET.get("q", "")
    found = selectors.video_transcript(video, language=request.GET.get("lang", ""), query=query)
    source = video_file_url(item) if video.is_uploaded else video.external_url
    item_url = reverse("courses:item-detail", args=[item.course.slug, item.pk])
    tracks = [
        TrackLink(
            track=t,
            url=reverse("content:caption-file", args=[item.course.slug, item.pk, t.pk]),
            transcript_url=f"{item_url}?lang={t.language}#item-{item.pk}-transcript",
        )
        for t in found.tracks
    ]
    return VideoPage(
        video=video,
        source_url=source,
        download_url=f"{source}?download=1" if video.is_uploaded else "",
        tracks=tracks,
        shown_track=found.track,
        cues=[CueLink(c.start_ms, _seconds(c.start_ms), format_clock(c.start_ms), c.text) for c in found.cues],
        query=found.query,
        resume_seconds=progress_selectors.resume_position(user, item) if tracked else 0.0,
        tracked=tracked,
    )


def video_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    return {"page": video_page(request, item), "beacon_url": reverse("api:post_events")}


def video_edit_url(item: Item) -> str:
    return reverse("content:video-edit", args=[item.course.slug, item.pk])


# --- Checklist -------------------------------------------------------------------------------------
def checklist_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    user = _user(request)
    return {
        "checklist": selectors.checklist_for(user, item),
        # Observers follow a learner; they see the steps but do not tick them.
        "may_tick": policy.can(user, "tick", item),
    }


def checklist_edit_url(item: Item) -> str:
    return reverse("content:checklist-edit", args=[item.course.slug, item.pk])


# --- File and link items: a resource of the course library ------------------------------------------
def resource_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    resource = selectors.resource_for_item(item)
    if resource is None:
        return {"resource": None}
    url = (
        reverse("content:resource-file", args=[item.course.slug, resource.pk, resource.filename])
        if resource.is_file
        else reverse("content:resource-open", args=[item.course.slug, resource.pk])
    )
    return {"resource": resource, "url": url, "description": render_markdown(resource.description)}


def resource_edit_url(item: Item) -> str:
    return reverse("content:item-resource-edit", args=[item.course.slug, item.pk])


def _index_item(item: Item) -> None:
    search.index_item(item)
    search.retitle_transcripts(item)


def register_item_types() -> None:
    item_types.on_item_saved(_index_item)
    for kind, template, context, edit_url in (
        (ItemKind.LESSON, "content/item_lesson.html", lesson_context, lesson_edit_url),
        (ItemKind.VIDEO, "content/item_video.html", video_context, video_edit_url),
        (ItemKind.CHECKLIST, "content/item_checklist.html", checklist_context, checklist_edit_url),
        (ItemKind.FILE, "content/item_resource.html", resource_context, resource_edit_url),
        (ItemKind.LINK, "content/item_resource.html", resource_context, resource_edit_url),
    ):
        item_types.register(item_types.ItemType(kind=kind, template=template, context=context, edit_url=edit_url))
