from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cadence.core.errors import InvalidInput, NotAllowed
from cadence.core.moments import format_moment, parse_moment
from cadence.courses.tests.factories import ItemFactory
from cadence.progress import notes
from cadence.progress.models import Note
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@given(st.integers(min_value=0, max_value=86400))
def test_moments_round_trip(seconds: int):
    assert parse_moment(format_moment(seconds)) == seconds


@pytest.mark.parametrize("bad", ["1:xx", "-5", "1:2:3:4", "99999999"])
def test_bad_moments_are_refused(bad: str):
    with pytest.raises(InvalidInput):
        parse_moment(bad)


def test_notes_are_private_searchable_and_exported(world: CourseWorld):
    video = ItemFactory(module=world.modules[1], kind="video", title="Lecture")
    notes.add_note(
        user=world.learner, item=world.items[0], body="Median resists outliers", quote="the middle value", now=NOW
    )
    notes.add_note(user=world.learner, item=video, body="Key example here", at_seconds=75, now=NOW)
    notes.add_note(user=world.ta, item=world.items[0], body="TA's own note", now=NOW)
    mine = notes.notes_in_course(world.learner, world.course)
    assert [n.body for n in mine] == ["Median resists outliers", "Key example here"]
    assert [n.body for n in notes.notes_in_course(world.learner, world.course, query="outlier")] == [
        "Median resists outliers"
    ]
    markdown = "".join(notes.export_markdown(world.learner, world.course))
    assert "## Lecture" in markdown and "**1:15**" in markdown and "> the middle value" in markdown
    assert "TA's own note" not in markdown


def test_empty_or_foreign_notes_are_refused(world: CourseWorld):
    with pytest.raises(InvalidInput):
        notes.add_note(user=world.learner, item=world.items[0], body="  ", now=NOW)
    with pytest.raises(NotAllowed):
        notes.add_note(user=world.outsider, item=world.items[0], body="hi", now=NOW)
    note = notes.add_note(user=world.learner, item=world.items[0], body="mine", now=NOW)
    with pytest.raises(NotAllowed):
        notes.delete_note(user=world.ta, note=note)
    assert Note.objects.count() == 1


def test_note_views_with_and_without_htmx(client, world: CourseWorld):
    client.force_login(world.learner)
    add = reverse("progress:note-add", args=[world.course.slug, world.items[0].pk])
    assert client.post(add, {"body": "Plain form note", "quote": "", "at": ""}).status_code == 302
    fragment = client.post(
        add, {"body": "Htmx note", "quote": "", "at": "1:05"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.lstrip().startswith("<section") and "Htmx note" in fragment and "1:05" in fragment
    bad = client.post(add, {"body": "x", "at": "soon"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "m:ss" in bad.content.decode()
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, world.items[0].pk])).content.decode()
    assert "Plain form note" in page
    listing = client.get(reverse("progress:note-list", args=[world.course.slug]), {"q": "htmx"}).content.decode()
    assert "Htmx note" in listing and "Plain form note" not in listing
    export = client.get(reverse("progress:note-export", args=[world.course.slug]))
    assert export["Content-Disposition"].startswith("attachment") and b"Plain form note" in b"".join(
        export.streaming_content
    )
    note = Note.objects.get(body="Htmx note")
    client.force_login(world.ta)
    assert client.post(reverse("progress:note-delete", args=[world.course.slug, note.pk])).status_code == 404
    assert "Htmx note" not in client.get(reverse("progress:note-list", args=[world.course.slug])).content.decode()
