"""Full-text search within a course: item titles and text, lessons, library resources, video transcripts.

`SearchEntry` rows copy the searchable text; the content services keep them current (`index_*`).
Matching, ranking and passages are `cadence.core.search`'s (the one search module, shared with the
forums), over this app's index: the `content_search_fts` FTS5 table on SQLite, the GIN index on the
weighted vector on PostgreSQL.

Every word typed must match (as a prefix, so results follow typing). Visibility is the caller's:
`cadence.content.selectors.search_course` keeps only what the user may open.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from django.db import transaction
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from cadence.content.models import CaptionTrack, Cue, Lesson, Resource, SearchEntry, SearchSource
from cadence.core import search as core_search
from cadence.core.markdown import render_markdown
from cadence.core.search import FullTextIndex
from cadence.courses.models import Item

# Transcript cues are indexed in stretches of about this long, each linking to its start.
TRANSCRIPT_STRETCH_MS = 30_000


# --- Keeping the index -----------------------------------------------------------------------------------
def plain_text(markdown: str) -> str:
    """What a reader reads of Markdown: passages then show words, not syntax or image addresses."""
    return html.unescape(strip_tags(render_markdown(markdown))).strip()


def _item_entry(item: Item, lesson_body: str) -> SearchEntry:
    body = "\n\n".join(plain_text(part) for part in (item.description, lesson_body) if part)
    return SearchEntry(course_id=item.course_id, source=SearchSource.ITEM, item=item, title=item.title[:200], body=body)


def index_item(item: Item) -> None:
    """An item's title, introduction and, for a lesson, its text."""
    lesson = Lesson.objects.filter(item_id=item.pk).values_list("body", flat=True).first()
    entry = _item_entry(item, lesson or "")
    SearchEntry.objects.update_or_create(
        source=SearchSource.ITEM,
        item=item,
        defaults={"course_id": entry.course_id, "title": entry.title, "body": entry.body},
    )


def index_resource(resource: Resource) -> None:
    tags = " ".join(resource.tags.values_list("name", flat=True))
    body = "\n\n".join(part for part in (plain_text(resource.description), resource.filename, tags) if part)
    SearchEntry.objects.update_or_create(
        source=SearchSource.RESOURCE,
        resource=resource,
        defaults={"course_id": resource.course_id, "title": resource.title, "body": body},
    )


def transcript_stretches(cues: Sequence[Cue], stretch_ms: int = TRANSCRIPT_STRETCH_MS) -> list[tuple[int, str]]:
    """Cues grouped into consecutive stretches: (start in ms, text) each."""
    stretches: list[tuple[int, list[str]]] = []
    for cue in cues:
        if not stretches or cue.start_ms - stretches[-1][0] >= stretch_ms:
            stretches.append((cue.start_ms, []))
        stretches[-1][1].append(cue.text)
    return [(start, " ".join(texts)) for start, texts in stretches]


def index_transcript(track: CaptionTrack, cues: Sequence[Cue]) -> None:
    """Replace a caption track's passages with its cues in stretches."""
    item = track.video.item
    SearchEntry.objects.filter(track=track).delete()
    SearchEntry.objects.bulk_create(
        SearchEntry(
            course_id=item.course_id,
            source=SearchSource.TRANSCRIPT,
            item=item,
            track=track,
            start_ms=start,
            title=item.title[:200],
            body=text,
        )
        for start, text in transcript_stretches(cues)
    )


def retitle_transcripts(item: Item) -> None:
    SearchEntry.objects.filter(source=SearchSource.TRANSCRIPT, item=item).update(title=item.title[:200])


@transaction.atomic
def rebuild_course(course_id: int) -> int:
    """Index a course from scratch (after bulk loading, or to repair); returns the number of passages."""
    SearchEntry.objects.filter(course_id=course_id).delete()
    lessons = dict(Lesson.objects.filter(item__course_id=course_id).values_list("item_id", "body"))
    items = Item.objects.filter(course_id=course_id).iterator(chunk_size=500)
    SearchEntry.objects.bulk_create((_item_entry(item, lessons.get(item.pk, "")) for item in items), batch_size=500)
    for resource in Resource.objects.filter(course_id=course_id).prefetch_related("tags"):
        index_resource(resource)
    tracks = CaptionTrack.objects.filter(video__item__course_id=course_id).select_related("video__item")
    for track in tracks:
        index_transcript(track, list(Cue.objects.filter(track=track).order_by("start_ms", "position")))
    return SearchEntry.objects.filter(course_id=course_id).count()


# --- Querying (the engine is cadence.core.search) ----------------------------------------------------------
INDEX = FullTextIndex(SearchEntry, fts_table="content_search_fts")
MAX_QUERY_CHARS = core_search.MAX_QUERY_CHARS
query_words = core_search.query_words


def matches(course_id: int, words: Sequence[str], *, limit: int) -> list[core_search.Match]:
    """The best-ranked passages of a course matching every word."""
    return core_search.matches(INDEX, SearchEntry.objects.filter(course_id=course_id), words, limit=limit)


def passages(entry_ids: Sequence[int], words: Sequence[str]) -> dict[int, SafeString]:
    """A short passage of each entry's text around the matched words, which are wrapped in <mark>."""
    return core_search.passages(INDEX, entry_ids, words)
