"""Full-text search over forum posts, the way cadence/content/search.py searches course content.

- SQLite: an FTS5 table (`community_post_fts`) kept in step with `community_post` by triggers (0001).
- PostgreSQL: a GIN index on the weighted `to_tsvector('english', …)` of title (A) and body (B).

A thread's title is copied onto its opening post, so titles and bodies are searched together. This module
only finds matching posts; `selectors.search_posts` keeps those the user may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils.safestring import SafeString

from cadence.content.search import highlight, query_words

__all__ = ["matches", "passages", "query_words"]

# The expression of the GIN index made in migration 0001 (column names qualified; the index still applies).
PG_VECTOR = "(setweight(to_tsvector('english', p.title), 'A') || setweight(to_tsvector('english', p.body), 'B'))"
_OPEN, _CLOSE = "\ue000", "\ue001"  # the markers content.search.highlight turns into <mark>


def _fts5_query(words: Iterable[str]) -> str:
    return " ".join(f'"{w}"*' for w in words)


def _pg_query(words: Iterable[str]) -> str:
    return " & ".join(f"'{w}':*" for w in words)


def matches(course_id: int, words: Sequence[str], *, limit: int, forum_id: int | None = None) -> list[int]:
    """Ids of the best-ranked posts of a course (or of one forum) matching every word."""
    if not words:
        return []
    forum_sql = " AND t.forum_id = %s" if forum_id is not None else ""
    forum_args = [forum_id] if forum_id is not None else []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT p.id FROM community_post p JOIN community_thread t ON t.id = p.thread_id, "  # noqa: S608
                f"to_tsquery('english', %s) q WHERE p.course_id = %s AND {PG_VECTOR} @@ q{forum_sql} "
                f"ORDER BY ts_rank({PG_VECTOR}, q) DESC, p.id DESC LIMIT %s",
                [_pg_query(words), course_id, *forum_args, limit],
            )
        else:
            cursor.execute(
                "SELECT p.id FROM community_post_fts JOIN community_post p ON p.id = community_post_fts.rowid "  # noqa: S608
                "JOIN community_thread t ON t.id = p.thread_id "
                f"WHERE community_post_fts MATCH %s AND p.course_id = %s{forum_sql} "
                "ORDER BY bm25(community_post_fts, 5.0, 1.0), p.id DESC LIMIT %s",
                [_fts5_query(words), course_id, *forum_args, limit],
            )
        return [row[0] for row in cursor.fetchall()]


def passages(post_ids: Sequence[int], words: Sequence[str]) -> dict[int, SafeString]:
    """A short passage of each post around the matched words, which are wrapped in <mark>."""
    if not post_ids or not words:
        return {}
    marks = ", ".join(["%s"] * len(post_ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT p.id, ts_headline('english', p.body, q, %s) FROM community_post p, "  # noqa: S608
                f"to_tsquery('english', %s) q WHERE p.id IN ({marks})",
                [
                    f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=30, MinWords=12, MaxFragments=2, "
                    'FragmentDelimiter=" … "',
                    _pg_query(words),
                    *post_ids,
                ],
            )
        else:
            cursor.execute(
                f"SELECT rowid, snippet(community_post_fts, 1, %s, %s, '…', 24) FROM community_post_fts "  # noqa: S608
                f"WHERE community_post_fts MATCH %s AND rowid IN ({marks})",
                [_OPEN, _CLOSE, _fts5_query(words), *post_ids],
            )
        return {row[0]: highlight(row[1] or "") for row in cursor.fetchall()}
