"""Page builders (the `pages` layer, described in `assessment.pages`): the discussion item type, whose item
page shows its forum's latest threads and links to the forum."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cadence import policy
from cadence.community import services
from cadence.community.models import Thread
from cadence.courses import item_types
from cadence.courses.models import Item, ItemKind

LATEST = 5


def discussion_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    forum = services.ensure_item_forum(item)
    if forum is None:
        return {"forum": None, "threads": []}
    threads = policy.scope(request.user, "view", Thread.objects.filter(forum=forum)).order_by("-last_post_at", "-id")
    return {"forum": forum, "threads": list(threads[:LATEST])}


def discussion_edit_url(item: Item) -> str:
    forum = services.ensure_item_forum(item)
    assert forum is not None
    return reverse("community:forum-edit", args=[item.course.slug, forum.pk])


def _item_saved(item: Item) -> None:
    if item.kind == ItemKind.DISCUSSION:
        services.ensure_item_forum(item)


def register_item_types() -> None:
    item_types.register(
        item_types.ItemType(
            kind=ItemKind.DISCUSSION,
            template="community/item_discussion.html",
            context=discussion_context,
            edit_url=discussion_edit_url,
        )
    )
    item_types.on_item_saved(_item_saved)
