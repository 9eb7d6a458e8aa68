"""Full-text search within a course: item titles and text, lessons, library resources, video transcripts.

`SearchEntry` rows copy the searchable text; the content services keep them current (`index_*`).
Matching and ranking are the database's own, behind one function, `search_course`:

- SQLite: an FTS5 table (`content_search_fts`, Porter stemming, accents folded) kept in step with
  `content_searchentry` by triggers; ranked by bm25 with titles weighted over text.
- PostgreSQL: a GIN index on the weighted `to_tsvector('english', …)` of title (A) and text (B);
  ranked by `ts_rank`, passages by `ts_headline`.

Every word typed must match (as a prefix, so results follow typing). Visibility is the caller's:
`cadence.content.selectors.search_course` keeps only what the user may open.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from cadence.content.models import CaptionTrack, Cue, Lesson, Resource, SearchEntry, SearchSource
from cadence.core.markdown import render_markdown
from cadence.courses.models import Item

MAX_QUERY_WORDS = 12
MAX_QUERY_CHARS = 200
# Transcript cues are indexed in stretches of about this long, each linking to its start.
TRANSCRIPT_STRETCH_MS = 30_000
# Markers around matched words in passages; escaped text never contains them, so they become <mark>.
_OPEN, _CLOSE = "\ue000", "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)

# SQL kept here and in the migration that creates the index (0002): the expression must match the index.
PG_VECTOR = "(setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B'))"


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


# --- Querying --------------------------------------------------------------------------------------------
def query_words(text: str) -> list[str]:
    return _WORD.findall(text[:MAX_QUERY_CHARS].lower())[:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class Match:
    entry_id: int
    rank: float  # higher is better, comparable only within one search


def _fts5_query(words: Iterable[str]) -> str:
    # Each word quoted (so FTS5 operators typed by the user are just words) and matched as a prefix.
    return " ".join(f'"{w}"*' for w in words)


def _pg_query(words: Iterable[str]) -> str:
    return " & ".join(f"'{w}':*" for w in words)


def matches(course_id: int, words: Sequence[str], *, limit: int) -> list[Match]:
    """The best-ranked passages of a course matching every word."""
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT e.id, ts_rank({PG_VECTOR}, q) AS rank "  # noqa: S608 - constants; values are parameters
                "FROM content_searchentry e, to_tsquery('english', %s) q "
                f"WHERE e.course_id = %s AND {PG_VECTOR} @@ q ORDER BY rank DESC, e.id LIMIT %s",
                [_pg_query(words), course_id, limit],
            )
            return [Match(row[0], float(row[1])) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT e.id, -bm25(content_search_fts, 5.0, 1.0) AS rank "
            "FROM content_search_fts JOIN content_searchentry e ON e.id = content_search_fts.rowid "
            "WHERE content_search_fts MATCH %s AND e.course_id = %s ORDER BY rank DESC, e.id LIMIT %s",
            [_fts5_query(words), course_id, limit],
        )
        return [Match(row[0], float(row[1])) for row in cursor.fetchall()]


def passages(entry_ids: Sequence[int], words: Sequence[str]) -> dict[int, SafeString]:
    """A short passage of each entry's text around the matched words, which are wrapped in <mark>."""
    if not entry_ids or not words:
        return {}
    marks = ", ".join(["%s"] * len(entry_ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT e.id, ts_headline('english', e.body, q, %s) FROM content_searchentry e, "  # noqa: S608 - as above
                f"to_tsquery('english', %s) q WHERE e.id IN ({marks})",
                [
                    f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=30, MinWords=12, MaxFragments=2, "
                    'FragmentDelimiter=" … "',
                    _pg_query(words),
                    *entry_ids,
                ],
            )
        else:
            cursor.execute(
                f"SELECT rowid, snippet(content_search_fts, 1, %s, %s, '…', 24) FROM content_search_fts "  # noqa: S608
                f"WHERE content_search_fts MATCH %s AND rowid IN ({marks})",
                [_OPEN, _CLOSE, _fts5_query(words), *entry_ids],
            )
        return {row[0]: highlight(row[1] or "") for row in cursor.fetchall()}


def highlight(text: str) -> SafeString:
    """Escape a passage, then turn the match markers into <mark> elements."""
    safe = str(escape(text)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped above; only our own <mark> tags are added
