"""The PostgreSQL full-text index rebuilt from `cadence.core.search`'s own expression (cadence.content.search.INDEX).

Searching now goes through `django.contrib.postgres.search`, whose vector differs from the hand-written one
of 0002 (it coalesces empty columns): the index is made from the same expression, so the planner uses it.
SQLite keeps its FTS5 table; nothing changes there.
"""

from django.db import migrations

INDEX_NAME = "content_search_fts_idx"


def _index():  # type: ignore[no-untyped-def]
    from cadence.content.search import INDEX

    return INDEX.gin_index(INDEX_NAME)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
    schema_editor.execute(_index().create_sql(apps.get_model("content", "SearchEntry"), schema_editor))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX_NAME} ON content_searchentry USING gin "
        "((setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')))"
    )


class Migration(migrations.Migration):
    dependencies = [("content", "0002_library_and_search")]

    operations = [migrations.RunPython(forwards, backwards)]
