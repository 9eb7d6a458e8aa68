"""Full-text search, one module for every app: course content (`content.SearchEntry`) and forum posts
(`community.Post`) both describe their index here (`FullTextIndex`) and call `matches` and `passages`.

Each database uses its own engine:

- PostgreSQL: `django.contrib.postgres.search` (SearchVector, SearchQuery, SearchRank, SearchHeadline).
  The title is weighted A and the text B, with the `english` configuration. The GIN index that serves
  the match is built from the very same expression (`FullTextIndex.gin_index`, created by each app's
  migration), so the planner can use it.
- SQLite: an FTS5 external-content table per index (Porter stemming, accents folded) kept in step by
  triggers, ranked by bm25 with titles weighted 5:1: the only raw SQL, because Django has no FTS5 API.

Typed text is reduced to plain words (operators and quotes are just text); every word must match, each as
a prefix, so results follow typing. Passages are escaped before the match markers become `<mark>`.
Visibility is the caller's: these functions find rows, the apps' selectors keep those a person may see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    CombinedSearchVector,
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection, models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_WORDS = 12
MAX_QUERY_CHARS = 200
CONFIG = "english"
TITLE_WEIGHT, BODY_WEIGHT = 5.0, 1.0  # SQLite's bm25 weights; PostgreSQL weighs A over B
# Markers around matched words in passages; escaped text never contains them, so they become <mark>.
_OPEN, _CLOSE = "\ue000", "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class FullTextIndex:
    """What one app searches: a model's title and text columns, and its SQLite FTS5 table (rowid = pk)."""

    model: type[models.Model]
    fts_table: str
    title: str = "title"
    body: str = "body"

    def vector(self) -> CombinedSearchVector:
        """The weighted vector: the query's expression and the GIN index's, so the index serves the query."""
        combined = SearchVector(self.title, weight="A", config=CONFIG) + SearchVector(
            self.body, weight="B", config=CONFIG
        )
        assert isinstance(combined, CombinedSearchVector)
        return combined

    def gin_index(self, name: str) -> GinIndex:
        return GinIndex(self.vector(), name=name)


@dataclass(frozen=True)
class Match:
    pk: int
    rank: float  # higher is better, comparable only within one search


def query_words(text: str) -> list[str]:
    """The words typed, lower-cased, at most 12 of a query's first 200 characters."""
    return _WORD.findall(text[:MAX_QUERY_CHARS].lower())[:MAX_QUERY_WORDS]


def _pg_query(words: Iterable[str]) -> SearchQuery:
    # Words are \w+ only, so quoting them as prefix terms cannot inject tsquery syntax.
    return SearchQuery(" & ".join(f"'{w}':*" for w in words), search_type="raw", config=CONFIG)


def _fts5_query(words: Iterable[str]) -> str:
    # Each word quoted (so FTS5 operators typed by the user are just words) and matched as a prefix.
    return " ".join(f'"{w}"*' for w in words)


def matches(
    index: FullTextIndex,
    rows: models.QuerySet[Any],
    words: Sequence[str],
    *,
    limit: int,
    newest_first_on_ties: bool = False,
) -> list[Match]:
    """The best-ranked of `rows` (a queryset of the index's model) matching every word, best first."""
    if not words:
        return []
    tie = "-pk" if newest_first_on_ties else "pk"
    if connection.vendor == "postgresql":
        query = _pg_query(words)
        vector = index.vector()
        found = (
            rows.annotate(search_vector=vector)
            .filter(search_vector=query)
            .annotate(search_rank=SearchRank(vector, query))
            .order_by("-search_rank", tie)
            .values_list("pk", "search_rank")[:limit]
        )
        return [Match(pk, float(rank)) for pk, rank in found]
    table = connection.ops.quote_name(index.model._meta.db_table)
    fts = connection.ops.quote_name(index.fts_table)
    subquery, params = rows.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.id, -bm25({fts}, %s, %s) AS rank FROM {fts} JOIN {table} e ON e.id = {fts}.rowid "  # noqa: S608 - names from code; values are parameters
            f"WHERE {fts} MATCH %s AND e.id IN ({subquery}) ORDER BY rank DESC, e.id {'DESC' if newest_first_on_ties else 'ASC'} LIMIT %s",
            [TITLE_WEIGHT, BODY_WEIGHT, _fts5_query(words), *params, limit],
        )
        return [Match(row[0], float(row[1])) for row in cursor.fetchall()]


def passages(index: FullTextIndex, pks: Sequence[int], words: Sequence[str]) -> dict[int, SafeString]:
    """A short passage of each row's text around the matched words, which are wrapped in <mark>."""
    if not pks or not words:
        return {}
    if connection.vendor == "postgresql":
        headlines = (
            index.model._default_manager.filter(pk__in=pks)
            .annotate(
                search_passage=SearchHeadline(
                    index.body,
                    _pg_query(words),
                    config=CONFIG,
                    start_sel=_OPEN,
                    stop_sel=_CLOSE,
                    max_words=30,
                    min_words=12,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            .values_list("pk", "search_passage")
        )
        return {pk: highlight(text or "") for pk, text in headlines}
    fts = connection.ops.quote_name(index.fts_table)
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, snippet({fts}, 1, %s, %s, '…', 24) FROM {fts} "  # noqa: S608 - as above
            f"WHERE {fts} MATCH %s AND rowid IN ({marks})",
            [_OPEN, _CLOSE, _fts5_query(words), *pks],
        )
        return {row[0]: highlight(row[1] or "") for row in cursor.fetchall()}


def highlight(text: str) -> SafeString:
    """Escape a passage, then turn the match markers into <mark> elements."""
    safe = str(escape(text)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped above; only our own <mark> tags are added
