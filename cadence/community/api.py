"""Forums over JSON: the same services, selectors and policy as the pages.

No `from __future__ import annotations` here: ninja reads the annotations at import time.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from cadence import policy
from cadence.access import course_for, signed_in
from cadence.community import selectors, services
from cadence.community.models import Forum, Thread
from cadence.community.selectors import PostView
from cadence.core.api_types import Id, IdIn, PageNumber, errors
from cadence.core.errors import InvalidInput
from cadence.core.markdown import render_markdown
from cadence.courses.models import Group

router = Router(tags=["community"])

ShowT = Literal["all", "unanswered", "mine", "unread"]  # selectors.FILTERS
SortT = Literal["oldest", "votes"]  # selectors.SORTS


class ForumOut(Schema):
    id: int
    course_id: int
    item_id: int | None
    kind: str
    title: str
    description: str
    post_first: bool
    group_separated: bool


class ThreadOut(Schema):
    id: int
    forum_id: int
    title: str
    author: str
    group_id: int | None
    is_pinned: bool
    is_locked: bool
    is_answered: bool
    created_at: datetime
    post_count: int
    last_post_at: datetime


class ThreadRowOut(ThreadOut):
    is_new: bool
    new_replies: int


class ThreadPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[ThreadRowOut]


class PostOut(Schema):
    id: int
    author: str
    parent_id: int | None
    state: str = Field(description="visible, hidden (by a moderator) or deleted; body is empty unless visible")
    body: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    upvotes: int
    endorsed: bool
    is_new: bool
    attachment: str | None


class ThreadDetailOut(Schema):
    thread: ThreadOut
    opening: PostOut
    replies: list[PostOut] = Field(description="A page of top-level replies, each followed by its replies")
    replies_hidden: bool = Field(description="Post-first Q&A: the others' replies show once you have replied")
    page: int
    pages: int


class ThreadIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    group_id: IdIn | None = None
    key: str = Field(default="", max_length=64, description="Idempotency key: a retried request posts once")


class ReplyIn(Schema):
    body: str = Field(min_length=1, max_length=20000)
    parent_id: IdIn | None = None
    key: str = Field(default="", max_length=64, description="Idempotency key: a retried request posts once")


def _forum(request: HttpRequest, forum_id: int, action: str = "view") -> Forum:
    rows = Forum.objects.select_related("course", "item__module", "item__course")
    forum = policy.scope(request.user, "view", rows).filter(pk=forum_id).first()
    if forum is None:
        raise Http404
    if not policy.can(request.user, action, forum):
        raise PermissionDenied
    return forum


def _thread(request: HttpRequest, thread_id: int, action: str = "view") -> Thread:
    rows = Thread.objects.select_related("forum__item__module", "forum__course", "course", "author")
    thread = policy.scope(request.user, "view", rows).filter(pk=thread_id).first()
    if thread is None:
        raise Http404
    if not policy.can(request.user, action, thread):
        raise PermissionDenied
    return thread


def _thread_out(thread: Thread) -> ThreadOut:
    return ThreadOut(
        id=thread.pk, forum_id=thread.forum_id, title=thread.title, author=thread.author.display_name,
        group_id=thread.group_id, is_pinned=thread.is_pinned, is_locked=thread.is_locked,
        is_answered=thread.is_answered, created_at=thread.created_at, post_count=thread.post_count,
        last_post_at=thread.last_post_at,
    )  # fmt: skip


def _post_out(view: PostView, request: HttpRequest, course_slug: str) -> PostOut:
    post = view.post
    visible = view.state == "visible"
    attachment = None
    if visible and post.file:
        path = reverse("community:post-file", args=[course_slug, post.pk, post.filename])
        attachment = request.build_absolute_uri(path)
    return PostOut(
        id=post.pk, author=post.author.display_name, parent_id=post.parent_id, state=view.state,
        body=post.body if visible else "", html=str(view.html) if visible and view.html else "",
        created_at=post.created_at, edited_at=post.edited_at, upvotes=post.upvote_count, endorsed=post.is_endorsed,
        is_new=view.is_new, attachment=attachment,
    )  # fmt: skip


@router.get(
    "/courses/{course_id}/forums",
    response={200: list[ForumOut], **errors(403, 404, 422)},
    summary="The forums of a course you can see",
)
def list_forums(request: HttpRequest, course_id: Id) -> list[Forum]:
    return selectors.forums_for_course(signed_in(request), course_for(request, course_id))


@router.get(
    "/forums/{forum_id}/threads",
    response={200: ThreadPageOut, **errors(403, 404, 422)},
    summary="A page of a forum's threads",
)
def list_threads(request: HttpRequest, forum_id: Id, page: PageNumber = 1, show: ShowT = "all") -> ThreadPageOut:
    forum = _forum(request, forum_id)
    rows, page_obj = selectors.thread_list(signed_in(request), forum, show=show, page=page)
    items = [
        ThreadRowOut(**_thread_out(r.thread).model_dump(), is_new=r.is_new, new_replies=r.new_replies) for r in rows
    ]
    return ThreadPageOut(
        count=page_obj.paginator.count, page=page_obj.number, pages=page_obj.paginator.num_pages, items=items
    )


@router.post(
    "/forums/{forum_id}/threads",
    response={201: ThreadOut, **errors(400, 403, 404, 422, 429)},
    summary="Start a thread (ask a question)",
)
def create_thread(request: HttpRequest, forum_id: Id, payload: ThreadIn) -> Status[ThreadOut]:
    forum = _forum(request, forum_id, "post")
    group = None
    if payload.group_id is not None:
        group = Group.objects.filter(course=forum.course, pk=payload.group_id).first()
        if group is None:
            raise InvalidInput("Choose a group of this course.")
    thread = services.create_thread(
        actor=signed_in(request), forum=forum, title=payload.title, body=payload.body, group=group, key=payload.key,
        now=timezone.now(),
    )  # fmt: skip
    return Status(201, _thread_out(thread))


@router.get(
    "/threads/{thread_id}",
    response={200: ThreadDetailOut, **errors(403, 404, 422)},
    summary="A thread with a page of its posts",
)
def get_thread(request: HttpRequest, thread_id: Id, page: PageNumber = 1, sort: SortT = "oldest") -> ThreadDetailOut:
    user = signed_in(request)
    thread = _thread(request, thread_id)
    view = selectors.thread_page(user, thread, page=page, sort=sort)
    services.mark_thread_read(user=user, thread=thread, now=timezone.now())
    slug = thread.course.slug
    replies: list[PostOut] = []
    for reply in view.replies:
        replies.append(_post_out(reply, request, slug))
        replies.extend(_post_out(child, request, slug) for child in reply.children)
    return ThreadDetailOut(
        thread=_thread_out(thread), opening=_post_out(view.opening, request, slug), replies=replies,
        replies_hidden=view.replies_hidden, page=view.page.number, pages=view.page.paginator.num_pages,
    )  # fmt: skip


@router.post(
    "/threads/{thread_id}/posts",
    response={201: PostOut, **errors(400, 403, 404, 409, 422, 429)},
    summary="Reply in a thread",
)
def create_reply(request: HttpRequest, thread_id: Id, payload: ReplyIn) -> Status[PostOut]:
    user = signed_in(request)
    thread = _thread(request, thread_id, "reply")
    parent = None
    if payload.parent_id is not None:
        parent = selectors.post_in_course(user, thread.course, payload.parent_id)
        if parent is None:
            raise Http404
    post = services.create_reply(
        actor=user, thread=thread, body=payload.body, parent=parent, key=payload.key, now=timezone.now()
    )
    view = PostView(post, "visible", render_markdown(post.body), False, False)
    out = _post_out(view, request, thread.course.slug)
    return Status(201, out)
