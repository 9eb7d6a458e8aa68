"""Learners' private notes and highlights: write, search across a course, export as Markdown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core.errors import InvalidInput, NotAllowed
from cadence.core.moments import format_moment, parse_moment
from cadence.courses.models import Course, Item
from cadence.progress.models import Note

MAX_BODY = 10000
MAX_QUOTE = 2000
__all__ = [
    "add_note",
    "delete_note",
    "export_markdown",
    "format_moment",
    "note_of",
    "notes_for_item",
    "notes_in_course",
    "parse_moment",
]


@transaction.atomic
def add_note(
    *, user: User, item: Item, body: str, quote: str = "", at_seconds: int | None = None, now: datetime
) -> Note:
    if not policy.can(user, "view", item):
        raise NotAllowed(_("You cannot see this item."))
    body, quote = body.strip(), quote.strip()
    if not body and not quote:
        raise InvalidInput(_("Write a note or highlight some text first."))
    if len(body) > MAX_BODY or len(quote) > MAX_QUOTE:
        raise InvalidInput(_("A note can be at most 10,000 characters and a highlight 2,000."))
    return Note.objects.create(
        user=user, course_id=item.course_id, item=item, body=body, quote=quote, at_seconds=at_seconds,
        created_at=now, updated_at=now,
    )  # fmt: skip


@transaction.atomic
def delete_note(*, user: User, note: Note) -> None:
    if note.user_id != user.pk:
        raise NotAllowed(_("That is not your note."))
    note.delete()


def notes_for_item(user: User, item: Item) -> QuerySet[Note]:
    return Note.objects.filter(user=user, item=item)


def notes_in_course(user: User, course: Course, *, query: str = "") -> QuerySet[Note]:
    notes = Note.objects.filter(user=user, course=course).select_related("item", "item__module")
    query = query.strip()
    if query:
        notes = notes.filter(Q(body__icontains=query) | Q(quote__icontains=query) | Q(item__title__icontains=query))
    return notes.order_by(
        "item__module__position", "item__module_id", "item__position", "item_id", "at_seconds", "created_at"
    )


def note_of(user: User, note_id: int) -> Note | None:
    return Note.objects.filter(user=user, pk=note_id).select_related("item", "course").first()


def export_markdown(user: User, course: Course) -> Iterator[str]:
    """The learner's notes for a course as one Markdown document, streamed a note at a time."""
    yield f"# {_('My notes')}: {course.title}\n\n"
    current_item = None
    for note in notes_in_course(user, course).iterator(chunk_size=500):
        if note.item_id != current_item:
            current_item = note.item_id
            yield f"## {note.item.title}\n\n"
        if note.at_seconds is not None:
            yield f"**{format_moment(note.at_seconds)}**\n\n"
        if note.quote:
            yield "".join(f"> {line}\n" for line in note.quote.splitlines()) + "\n"
        if note.body:
            yield f"{note.body}\n\n"
