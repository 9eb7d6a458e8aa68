"""The one search module: both apps' indexes, and on PostgreSQL the GIN index serving the query."""

from __future__ import annotations

import pytest
from django.db import connection

from cadence.community.search import INDEX as POSTS
from cadence.content.search import INDEX as CONTENT
from cadence.core import search
from cadence.core.search import FullTextIndex

pytestmark = pytest.mark.django_db


def test_typed_operators_and_quotes_are_only_words() -> None:
    assert search.query_words('mean" OR title:* -x NEAR(a b)') == ["mean", "or", "title", "x", "near", "a", "b"]
    assert len(search.query_words("word " * 50)) == search.MAX_QUERY_WORDS


@pytest.mark.parametrize("index", [CONTENT, POSTS], ids=["content", "posts"])
def test_no_words_match_nothing(index: FullTextIndex) -> None:
    assert search.matches(index, index.model._default_manager.all(), [], limit=5) == []
    assert search.passages(index, [1], []) == {}


def test_passages_are_escaped_before_the_marks() -> None:
    assert search.highlight("<b>\ue000mean\ue001</b>") == "&lt;b&gt;<mark>mean</mark>&lt;/b&gt;"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
@pytest.mark.parametrize(("index", "name"), [(CONTENT, "content_search_fts_idx"), (POSTS, "community_post_fts_idx")])
def test_the_query_uses_the_gin_index_built_from_the_same_expression(index: FullTextIndex, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # leaves the bitmap scans a GIN index is read with
    rows = index.model._default_manager.annotate(search_vector=index.vector()).filter(
        search_vector=search._pg_query(["mean"])
    )
    assert f"Bitmap Index Scan on {name}" in rows.explain()
