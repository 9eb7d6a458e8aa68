"""Content reads for pages: each runs a fixed number of queries, whatever the number of steps or cues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.safestring import SafeString

from cadence import policy
from cadence.content import search
from cadence.content.models import (
    CaptionTrack,
    ChecklistStep,
    CourseImage,
    Cue,
    Lesson,
    Resource,
    ResourceTag,
    SearchEntry,
    SearchSource,
    StepTick,
    Video,
)
from cadence.core.markdown import render_inline_markdown
from cadence.courses.models import Course, Item
from cadence.policy import AnyUser
from cadence.progress import selectors as progress_selectors

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


# --- What a person may open in a course ------------------------------------------------------------------
def open_item_ids(user: AnyUser, course: Course, *, now: datetime) -> set[int] | None:
    """Items this person may open now (visible and, for a learner, released); None means every item.

    Staff see everything; a learner's locked items are left out. At most 5 queries.
    """
    if policy.can(user, "preview", course):
        return None
    rows = policy.scope(user, "view", Item.objects.filter(course=course)).values_list("pk", "module_id")
    visible = dict(rows)
    if not user.is_authenticated or not policy.learns_in(user, course.pk):
        return set(visible)
    locks = progress_selectors.learner_availability(user, course, now=now)
    return {
        pk for pk, module_id in visible.items() if pk not in locks.item_locks and module_id not in locks.module_locks
    }


# --- Library -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LibraryPage:
    resources: list[Resource]
    tags: list[str]  # every tag in the course, for the filter
    query: str
    tag: str
    kind: str


def library(
    user: AnyUser,
    course: Course,
    *,
    query: str = "",
    tag: str = "",
    kind: str = "",
    now: datetime,
    limit: int = 200,
) -> LibraryPage:
    """The resources this person may open, filtered by words in the title or description, a tag and a type.

    A fixed number of queries whatever the size of the library (items, resources, their tags, the tag list).
    """
    query, tag = " ".join(query.split())[:MAX_QUERY_CHARS], tag.strip().lower()[:40]
    rows = policy.scope(user, "view", Resource.objects.filter(course=course))
    for word in query.split()[:8]:
        rows = rows.filter(Q(title__icontains=word) | Q(description__icontains=word) | Q(filename__icontains=word))
    if tag:
        rows = rows.filter(tags__name=tag)
    if kind:
        rows = rows.filter(kind=kind)
    open_items = open_item_ids(user, course, now=now)
    resources = [
        r
        for r in rows.select_related("item").prefetch_related("tags").order_by("title", "id")[:limit]
        if open_items is None or r.item_id is None or r.item_id in open_items
    ]
    tags = list(
        ResourceTag.objects.filter(resources__in=policy.scope(user, "view", Resource.objects.filter(course=course)))
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")
    )
    return LibraryPage(resources=resources, tags=tags, query=query, tag=tag, kind=kind)


def resource_in_course(course: Course, resource_id: int) -> Resource | None:
    return Resource.objects.filter(course=course, pk=resource_id).select_related("item__module", "course").first()


def resource_for_item(item: Item) -> Resource | None:
    resource = Resource.objects.filter(item=item).prefetch_related("tags").first()
    if resource is not None:
        resource.item = item
        resource.course = item.course
    return resource


# --- Search --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchHit:
    source: str  # SearchSource value
    title: str
    passage: SafeString
    item: Item | None
    resource: Resource | None
    start_ms: int | None
    track_language: str

    @property
    def start_seconds(self) -> int | None:
        return None if self.start_ms is None else self.start_ms // 1000


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]

    @property
    def searched(self) -> bool:
        return bool(self.query)


SEARCH_CANDIDATES = 200
SEARCH_RESULTS = 30


def search_course(user: AnyUser, course: Course, query: str, *, now: datetime) -> SearchResults:
    """Full-text search over what this person may open in a course, best matches first: a fixed number of
    queries (matching, what may be opened, the matched rows, their passages), whatever the course's size.
    """
    query = " ".join(query.split())[: search.MAX_QUERY_CHARS]
    words = search.query_words(query)
    if not words:
        return SearchResults(query=query, hits=[])
    ranked = search.matches(course.pk, words, limit=SEARCH_CANDIDATES)
    if not ranked:
        return SearchResults(query=query, hits=[])
    live = Item.objects.filter(course=course).values("pk")
    entries = {
        e.pk: e
        for e in SearchEntry.objects.filter(pk__in=[m.pk for m in ranked])
        # Nothing in the course archive is found, by anyone (Item.objects lists live items only).
        .filter(Q(item__isnull=True) | Q(item__in=live), Q(resource__item__isnull=True) | Q(resource__item__in=live))
        .select_related("item__module", "resource__item", "track")
        .defer("body")
    }
    open_items = open_item_ids(user, course, now=now)
    visible_resources = set(
        policy.scope(user, "view", Resource.objects.filter(course=course)).values_list("pk", flat=True)
    )

    def may_open(entry: SearchEntry) -> bool:
        if entry.resource_id is not None:
            return entry.resource_id in visible_resources and (
                open_items is None or entry.resource.item_id is None or entry.resource.item_id in open_items  # type: ignore[union-attr]
            )
        return entry.item_id is not None and (open_items is None or entry.item_id in open_items)

    chosen = [entries[m.pk] for m in ranked if m.pk in entries and may_open(entries[m.pk])]
    chosen = chosen[:SEARCH_RESULTS]
    found = search.passages([e.pk for e in chosen], words)
    hits = [
        SearchHit(
            source=e.source,
            title=e.title,
            passage=found.get(e.pk, SafeString("")),
            item=e.item,
            resource=e.resource,
            start_ms=e.start_ms if e.source == SearchSource.TRANSCRIPT else None,
            track_language=e.track.language if e.track else "",
        )
        for e in chosen
    ]
    return SearchResults(query=query, hits=hits)
