"""Content reads for pages: each runs a fixed number of queries, whatever the number of steps or cues."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.safestring import SafeString

from cadence.content.models import CaptionTrack, ChecklistStep, CourseImage, Cue, Lesson, StepTick, Video
from cadence.core.markdown import render_inline_markdown
from cadence.courses.models import Course, Item
from cadence.policy import AnyUser

MAX_QUERY_CHARS = 100


def lesson_for_item(item: Item) -> Lesson | None:
    return Lesson.objects.filter(item=item).first()


def course_images(course: Course, *, limit: int = 60) -> list[CourseImage]:
    """The course's images, newest first, for the lesson editor."""
    return list(CourseImage.objects.filter(course=course).order_by("-created_at", "-id")[:limit])


def course_image(course: Course, image_id: int) -> CourseImage | None:
    return CourseImage.objects.filter(course=course, pk=image_id).first()


def video_for_item(item: Item) -> Video | None:
    video = Video.objects.filter(item=item).first()
    if video is not None:
        video.item = item  # already loaded with its course and module
    return video


def caption_tracks(video: Video) -> list[CaptionTrack]:
    return list(CaptionTrack.objects.filter(video=video).order_by("created_at", "id"))


def caption_track(item: Item, track_id: int) -> CaptionTrack | None:
    track = CaptionTrack.objects.filter(video__item=item, pk=track_id).select_related("video").first()
    if track is not None:
        track.video.item = item
    return track


def transcript(track: CaptionTrack, *, query: str = "") -> QuerySet[Cue]:
    """The track's cues in time order; with a query, only those whose text contains it."""
    cues = Cue.objects.filter(track=track).only("id", "track_id", "position", "start_ms", "end_ms", "text")
    query = query.strip()[:MAX_QUERY_CHARS]
    if query:
        cues = cues.filter(text__icontains=query)
    return cues.order_by("start_ms", "position")


@dataclass(frozen=True)
class VideoTranscript:
    tracks: list[CaptionTrack]
    track: CaptionTrack | None  # the one whose transcript is shown
    cues: list[Cue]
    query: str


def video_transcript(video: Video, *, language: str = "", query: str = "") -> VideoTranscript:
    """Caption tracks and the chosen one's cues (the first track unless `language` names another): 2 queries."""
    tracks = caption_tracks(video)
    chosen = next((t for t in tracks if t.language.lower() == language.lower()), tracks[0] if tracks else None)
    query = query.strip()[:MAX_QUERY_CHARS]
    cues = list(transcript(chosen, query=query)) if chosen is not None else []
    return VideoTranscript(tracks=tracks, track=chosen, cues=cues, query=query)


@dataclass(frozen=True)
class StepView:
    pk: int
    html: SafeString
    ticked: bool


@dataclass(frozen=True)
class ChecklistView:
    steps: list[StepView]

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.ticked)

    @property
    def percent(self) -> int:
        return 100 if not self.steps else self.done * 100 // self.total

    @property
    def all_done(self) -> bool:
        return bool(self.steps) and self.done == self.total


def checklist_for(user: AnyUser, item: Item) -> ChecklistView:
    """The steps in order, each with whether this person ticked it: one query."""
    ticks = StepTick.objects.filter(step=OuterRef("pk"), user_id=user.pk or 0)
    rows = (
        ChecklistStep.objects.filter(checklist__item=item)
        .annotate(ticked=Exists(ticks))
        .order_by("position", "id")
        .values_list("pk", "text", "ticked")
    )
    return ChecklistView(steps=[StepView(pk, render_inline_markdown(text), ticked) for pk, text, ticked in rows])


def checklist_steps(item: Item) -> list[ChecklistStep]:
    """The steps for the editor, in order."""
    return list(ChecklistStep.objects.filter(checklist__item=item).order_by("position", "id"))
