"""Full-text search over forum posts: this app's index for `cadence.core.search` (the one search module,
shared with course content), and which posts a search looks in.

- SQLite: an FTS5 table (`community_post_fts`) kept in step with `community_post` by triggers (0001).
- PostgreSQL: a GIN index on the weighted vector of title (A) and body (B), the expression `INDEX.vector()`
  (0002).

A thread's title is copied onto its opening post, so titles and bodies are searched together. This module
only finds matching posts; `selectors.search_posts` keeps those the user may see.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from cadence.community.models import Post
from cadence.core import search as core_search
from cadence.core.search import FullTextIndex

INDEX = FullTextIndex(Post, fts_table="community_post_fts")
query_words = core_search.query_words


def matches(course_id: int, words: Sequence[str], *, limit: int, forum_id: int | None = None) -> list[int]:
    """Ids of the best-ranked posts of a course (or of one forum) matching every word; newest first on ties."""
    rows = Post.objects.filter(course_id=course_id)
    if forum_id is not None:
        rows = rows.filter(thread__forum_id=forum_id)
    found = core_search.matches(INDEX, rows, words, limit=limit, newest_first_on_ties=True)
    return [match.pk for match in found]


def passages(post_ids: Sequence[int], words: Sequence[str]) -> dict[int, SafeString]:
    """A short passage of each post around the matched words, which are wrapped in <mark>."""
    return core_search.passages(INDEX, post_ids, words)
