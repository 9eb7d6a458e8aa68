"""Item types plug their own content into the item page without the courses app knowing them.

An app that owns an item type (content: lessons, videos, checklists, files, links; later quizzes,
assignments, discussions) registers it in its AppConfig.ready():

    item_types.register(ItemType(kind="lesson", template="content/item_lesson.html",
                                 context=lesson_context, edit_url=lesson_edit_url))

Apps that keep something derived from an item (the course search index) register a listener with
`on_item_saved`; the courses services call it inside their transaction after an item is created or changed.

The item page then includes `template` with the mapping returned by `context(request, item)`.
`context` must run a constant number of queries; it may raise Http404 or PermissionDenied.

An app may also add a panel below every item's own content (progress: the learner's private notes) with
`register_panel`; the panel's context names join the page's, so they must not clash with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from cadence.courses.models import Item


@dataclass(frozen=True)
class ItemType:
    kind: str
    template: str
    context: Callable[[HttpRequest, Item], Mapping[str, Any]]
    # Where a teacher edits the type's own content (lesson text, video, steps); None if only the base form.
    edit_url: Callable[[Item], str] | None = None


_registry: dict[str, ItemType] = {}


def register(item_type: ItemType) -> None:
    _registry[item_type.kind] = item_type


def for_kind(kind: str) -> ItemType | None:
    return _registry.get(kind)


_saved_listeners: list[Callable[[Item], None]] = []


def on_item_saved(listener: Callable[[Item], None]) -> None:
    if listener not in _saved_listeners:
        _saved_listeners.append(listener)


def item_saved(item: Item) -> None:
    for listener in _saved_listeners:
        listener(item)


@dataclass(frozen=True)
class ItemPanel:
    template: str
    context: Callable[[HttpRequest, Item], Mapping[str, Any]]


_panels: list[ItemPanel] = []


def register_panel(panel: ItemPanel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def panels() -> tuple[ItemPanel, ...]:
    return tuple(_panels)
