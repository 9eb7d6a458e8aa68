"""The PostgreSQL full-text index rebuilt from `cadence.core.search`'s own expression (cadence.community.search.INDEX).

Searching now goes through `django.contrib.postgres.search`, whose vector differs from the hand-written one
of 0001 (it coalesces empty columns): the index is made from the same expression, so the planner uses it.
SQLite keeps its FTS5 table; nothing changes there.
"""

from django.db import migrations

INDEX_NAME = "community_post_fts_idx"


def _index():  # type: ignore[no-untyped-def]
    from cadence.community.search import INDEX

    return INDEX.gin_index(INDEX_NAME)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
    schema_editor.execute(_index().create_sql(apps.get_model("community", "Post"), schema_editor))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX_NAME} ON community_post USING gin "
        "((setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')))"
    )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_forums")]

    operations = [migrations.RunPython(forwards, backwards)]
