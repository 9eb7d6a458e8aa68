"""Page builders (the `pages` layer, described in `assessment.pages`): on an item page an observer opens, the
work of the learners they follow, instead of their own empty state."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from cadence import policy
from cadence.access import signed_in
from cadence.courses import item_types
from cadence.courses.models import Item
from cadence.families import selectors


def family_work_panel(request: HttpRequest, item: Item) -> dict[str, Any]:
    user = signed_in(request)
    follows = not policy.learns_in(user, item.course_id) and policy.can(user, "follow", item.course)
    return {"family_work": selectors.item_work(user, item, now=timezone.now()) if follows else []}


def register_item_panels() -> None:
    item_types.register_panel(item_types.ItemPanel(template="families/item_work.html", context=family_work_panel))
