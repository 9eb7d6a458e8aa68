"""Page builders (the `pages` layer, described in `assessment.pages`): the learner's private notes, a panel
on every item page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cadence.access import signed_in
from cadence.courses import item_types
from cadence.courses.models import Item
from cadence.progress import notes
from cadence.progress.forms import NoteForm


def notes_panel(request: HttpRequest, item: Item) -> dict[str, Any]:
    """The signed-in person's notes on the item (one query) and the form to add one."""
    return {"notes": notes.notes_for_item(signed_in(request), item), "note_form": NoteForm()}


def register_item_panels() -> None:
    item_types.register_panel(item_types.ItemPanel(template="progress/notes_panel.html", context=notes_panel))
