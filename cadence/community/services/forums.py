"""Forums themselves: course-wide forums made by teachers, and the forum of each discussion item."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.community.models import Forum, ForumKind
from cadence.core.errors import InvalidInput
from cadence.courses.models import Course, Item, ItemKind


@dataclass(frozen=True)
class ForumInput:
    title: str
    kind: str = ForumKind.DISCUSSION
    description: str = ""
    post_first: bool = False
    group_separated: bool = False


def _clean(data: ForumInput) -> ForumInput:
    title = " ".join(data.title.split())
    if not title or len(title) > 200:
        raise InvalidInput(_("Give the forum a title of at most 200 characters."))
    if data.kind not in ForumKind.values:
        raise InvalidInput(_("Choose one of the listed forum types."))
    if len(data.description) > 5000:
        raise InvalidInput(_("The description can be at most 5000 characters."))
    # Post-first applies to Q&A only.
    return ForumInput(title, data.kind, data.description.strip(), data.post_first and data.kind == ForumKind.QA,
                      data.group_separated)  # fmt: skip


@transaction.atomic
def create_forum(*, actor: User, course: Course, data: ForumInput) -> Forum:
    policy.require(actor, "edit", course)
    data = _clean(data)
    position = Forum.objects.filter(course=course).count()
    return Forum.objects.create(
        course=course, title=data.title, kind=data.kind, description=data.description, post_first=data.post_first,
        group_separated=data.group_separated, position=position,
    )  # fmt: skip


@transaction.atomic
def update_forum(*, actor: User, forum: Forum, data: ForumInput) -> Forum:
    policy.require(actor, "edit", forum)
    data = _clean(data)
    forum.title, forum.kind, forum.description = data.title, data.kind, data.description
    forum.post_first, forum.group_separated = data.post_first, data.group_separated
    forum.save(update_fields=["title", "kind", "description", "post_first", "group_separated"])
    return forum


def ensure_item_forum(item: Item) -> Forum | None:
    """The forum of a discussion item, made on first need (items are created by the courses app)."""
    if item.kind != ItemKind.DISCUSSION:
        return None
    forum, created = Forum.objects.get_or_create(
        item=item, defaults={"course_id": item.course_id, "title": item.title[:200], "position": 1000}
    )
    if not created and forum.title != item.title[:200]:
        forum.title = item.title[:200]
        forum.save(update_fields=["title"])
    return forum
