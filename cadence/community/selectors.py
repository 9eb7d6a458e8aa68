"""Reads for the forum pages and API: visibility through the policy, a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.safestring import SafeString

from cadence import policy
from cadence.accounts.models import User
from cadence.community import search
from cadence.community.models import (
    Forum,
    ForumKind,
    Post,
    PostRevision,
    PostVote,
    Report,
    ReportStatus,
    Subscription,
    Thread,
    ThreadRead,
)
from cadence.core.markdown import render_markdown
from cadence.courses.models import Course, Group

PER_PAGE = 50
FILTERS = ("all", "unanswered", "mine", "unread")
SORTS = ("oldest", "votes")


def is_moderator(user: User, course: Course) -> bool:
    return policy.can(user, "moderate", course)


# --- Forums -------------------------------------------------------------------------------------------
def forums_for_course(user: User, course: Course) -> list[Forum]:
    rows = Forum.objects.filter(course=course).select_related("item")
    return list(policy.scope(user, "view", rows).order_by("item_id", "position", "id"))


def forum_in_course(user: User, course: Course, forum_id: int) -> Forum | None:
    rows = Forum.objects.filter(course=course).select_related("course", "item__module", "item__course")
    return policy.scope(user, "view", rows).filter(pk=forum_id).first()


def forum_for_item(user: User, item_id: int) -> Forum | None:
    return policy.scope(user, "view", Forum.objects.select_related("course", "item")).filter(item_id=item_id).first()


def course_groups(course: Course) -> list[Group]:
    return list(Group.objects.filter(course=course))


def groups_of(user: User, course: Course) -> list[Group]:
    return list(Group.objects.filter(course=course, memberships__user=user))


def is_subscribed(user: User, *, forum: Forum | None = None, thread: Thread | None = None) -> bool:
    return Subscription.objects.filter(user=user, forum=forum, thread=thread).exists()


# --- The forum index -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThreadRow:
    thread: Thread
    is_new: bool  # never opened
    new_replies: int
    last_author: str


def _visible_threads(user: User, forum: Forum) -> QuerySet[Thread]:
    return policy.scope(user, "view", Thread.objects.filter(forum=forum))


def thread_list(
    user: User, forum: Forum, *, show: str = "all", group_id: int | None = None, page: Any = 1
) -> tuple[list[ThreadRow], Page[Thread]]:
    reads = ThreadRead.objects.filter(thread=OuterRef("pk"), user_id=user.pk)
    rows = (
        _visible_threads(user, forum)
        .select_related("author", "group")
        .annotate(read_count=Subquery(reads.values("read_count")[:1]))
    )
    if show == "unanswered":
        rows = rows.filter(is_answered=False) if forum.is_qa else rows.filter(post_count__lte=1)
    elif show == "mine":
        rows = rows.filter(Q(author=user) | Q(pk__in=Post.objects.filter(author=user).values("thread_id")))
    elif show == "unread":
        rows = rows.filter(Q(read_count__isnull=True) | Q(read_count__lt=F("post_count")))
    if group_id is not None:
        rows = rows.filter(group_id=group_id)
    ordered: QuerySet[Thread] = rows.order_by("-is_pinned", "-last_post_at", "-id")
    page_obj = Paginator(ordered, PER_PAGE).get_page(page)
    threads = list(page_obj.object_list)
    last_ids = [t.last_post_id for t in threads if t.last_post_id]
    authors = dict(Post.objects.filter(pk__in=last_ids).values_list("pk", "author__display_name")) if last_ids else {}
    result = []
    for t in threads:
        read = getattr(t, "read_count", None)
        result.append(
            ThreadRow(
                thread=t,
                is_new=read is None,
                new_replies=0 if read is None else max(0, t.post_count - read),
                last_author=authors.get(t.last_post_id or 0, ""),
            )
        )
    return result, page_obj


def unread_threads(user: User, forum: Forum) -> QuerySet[Thread]:
    return _visible_threads(user, forum).only("pk", "post_count", "last_post_id")


# --- A thread -------------------------------------------------------------------------------------------
def thread_in_course(user: User, course: Course, thread_id: int) -> Thread | None:
    rows = Thread.objects.filter(course=course).select_related(
        "forum__item__module", "forum__course", "course", "author", "group"
    )
    return policy.scope(user, "view", rows).filter(pk=thread_id).first()


def post_in_course(user: User, course: Course, post_id: int) -> Post | None:
    rows = Post.objects.filter(course=course).select_related(
        "thread__forum__item__module", "thread__forum__course", "thread__course", "course", "author"
    )
    return policy.scope(user, "view", rows).filter(pk=post_id).first()


def may_see_replies(user: User, thread: Thread) -> bool:
    """The Q&A rule: in a post-first forum a learner sees the others' replies once they have replied."""
    forum = thread.forum
    if not forum.post_first or thread.author_id == user.pk or is_moderator(user, thread.course):
        return True
    return Post.objects.filter(thread=thread, author=user, is_opening=False).exists()


@dataclass
class PostView:
    post: Post
    state: str  # "visible", "hidden" (placeholder), "deleted" (placeholder)
    html: SafeString | None
    is_new: bool
    voted: bool
    children: list[PostView] = field(default_factory=list)


@dataclass(frozen=True)
class ThreadPage:
    opening: PostView
    replies: list[PostView]
    page: Page[Post]
    replies_hidden: bool
    sort: str
    last_read_post_id: int

    @property
    def first_new_id(self) -> int | None:
        """The first post on this page the reader has not seen, for a "jump to" link."""
        for view in [self.opening, *self.replies]:
            for shown in [view, *view.children]:
                if shown.is_new:
                    return shown.post.pk
        return None


def _view(post: Post, *, moderator: bool, last_read: int, voted: set[int]) -> PostView:
    if post.is_deleted:
        state, html = "deleted", None
    elif post.is_hidden and not moderator:
        state, html = "hidden", None
    else:
        state, html = "visible", render_markdown(post.body)
    return PostView(post, state, html, post.pk > last_read, post.pk in voted)


def _top_level(user: User, thread: Thread, *, see_all: bool) -> QuerySet[Post]:
    rows = Post.objects.filter(thread=thread, is_opening=False, parent__isnull=True)
    return rows if see_all else rows.filter(author=user)


def page_of_post(user: User, thread: Thread, post_id: int) -> int:
    """The page (in the default order) showing a post, for links from notifications."""
    post = Post.objects.filter(thread=thread, pk=post_id).values_list("pk", "parent_id").first()
    if post is None:
        return 1
    top = post[1] or post[0]
    before = _top_level(user, thread, see_all=may_see_replies(user, thread)).filter(pk__lt=top).count()
    return before // PER_PAGE + 1


def thread_page(user: User, thread: Thread, *, page: Any = 1, sort: str = "oldest") -> ThreadPage:
    moderator = is_moderator(user, thread.course)
    read = ThreadRead.objects.filter(user=user, thread=thread).values_list("last_read_post_id", flat=True).first()
    last_read = read if read is not None else 0
    see_all = may_see_replies(user, thread)
    opening = Post.objects.select_related("author").get(thread=thread, is_opening=True)
    top = _top_level(user, thread, see_all=see_all).select_related("author")
    order = ("-is_endorsed", "-upvote_count", "id") if sort == "votes" else ("id",)
    page_obj = Paginator(top.order_by(*order), PER_PAGE).get_page(page)
    tops = list(page_obj.object_list)
    children_rows = Post.objects.filter(parent__in=[p.pk for p in tops]).select_related("author").order_by("id")
    if not see_all:
        children_rows = children_rows.filter(author=user)
    children = list(children_rows)
    for post in [opening, *tops, *children]:
        post.thread, post.course = thread, thread.course  # already loaded: policy checks need no query
    ids = [opening.pk] + [p.pk for p in tops] + [c.pk for c in children]
    voted = set(PostVote.objects.filter(user=user, post_id__in=ids).values_list("post_id", flat=True))
    views = {p.pk: _view(p, moderator=moderator, last_read=last_read, voted=voted) for p in tops}
    for child in children:
        assert child.parent_id is not None
        views[child.parent_id].children.append(_view(child, moderator=moderator, last_read=last_read, voted=voted))
    opening_view = _view(opening, moderator=moderator, last_read=last_read, voted=voted)
    opening_view.is_new = read is None
    return ThreadPage(
        opening=opening_view,
        replies=[views[p.pk] for p in tops],
        page=page_obj,
        replies_hidden=not see_all and thread.post_count > 1,
        sort=sort,
        last_read_post_id=last_read,
    )


def revisions(post: Post) -> list[PostRevision]:
    return list(PostRevision.objects.filter(post=post).select_related("edited_by"))


# --- Search and suggestions -------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchHit:
    post: Post
    passage: SafeString


def search_posts(user: User, course: Course, query: str, *, limit: int = 50) -> list[SearchHit]:
    words = search.query_words(query)
    ids = search.matches(course.pk, words, limit=limit * 4)
    if not ids:
        return []
    rows = Post.objects.filter(pk__in=ids, deleted_at__isnull=True).select_related("thread__forum", "author")
    if not is_moderator(user, course):
        rows = rows.filter(hidden_at__isnull=True)
    visible = {p.pk: p for p in policy.scope(user, "view", rows)}
    ranked = [visible[i] for i in ids if i in visible][:limit]
    found = search.passages([p.pk for p in ranked], words)
    return [SearchHit(p, found.get(p.pk) or SafeString("")) for p in ranked]


def similar_threads(user: User, forum: Forum, text: str, *, limit: int = 5) -> list[Thread]:
    """Threads of the forum whose title or posts match what is being typed, best first."""
    words = search.query_words(text)
    ids = search.matches(forum.course_id, words, limit=100, forum_id=forum.pk)
    if not ids:
        # Every word must match; a long title rarely does, so fall back to any of its longer words.
        for word in sorted((w for w in words if len(w) > 3), key=len, reverse=True)[:3]:
            ids += search.matches(forum.course_id, [word], limit=20, forum_id=forum.pk)
    if not ids:
        return []
    rows = Post.objects.filter(pk__in=ids, deleted_at__isnull=True, hidden_at__isnull=True)
    thread_of = dict(policy.scope(user, "view", rows).values_list("pk", "thread_id"))
    order: list[int] = []
    for post_id in ids:
        thread_id = thread_of.get(post_id)
        if thread_id is not None and thread_id not in order:
            order.append(thread_id)
    threads = _visible_threads(user, forum).in_bulk(order[:limit])
    return [threads[i] for i in order[:limit] if i in threads]


# --- Questions waiting for an answer (the teacher's home and course health) ------------------------------
def questions(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """Of these threads, the questions: those in Q&A forums."""
    return threads.filter(forum__kind=ForumKind.QA)


def unanswered_questions(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """Of these threads, the questions not yet marked answered: what a Q&A forum's "Unanswered" filter lists."""
    return questions(threads).filter(is_answered=False)


def first_answers(threads: QuerySet[Thread], *, latest: int) -> list[tuple[datetime, datetime]]:
    """(asked, first answered) for the latest `latest` of these questions that have an answer: the first visible
    reply by someone other than the asker. One query."""
    replies = (
        Post.objects.filter(thread=OuterRef("pk"), is_opening=False, deleted_at__isnull=True, hidden_at__isnull=True)
        .exclude(author=OuterRef("author"))
        .order_by("created_at", "id")
    )
    rows = (
        questions(threads)
        .annotate(first_answer_at=Subquery(replies.values("created_at")[:1]))
        .exclude(first_answer_at=None)
        .order_by("-created_at", "-id")
        .values_list("created_at", "first_answer_at")[:latest]
    )
    return [(asked, answered) for asked, answered in rows if answered is not None]


# --- Moderation -----------------------------------------------------------------------------------
def open_reports(course: Course, *, page: Any = 1) -> Page[Report]:
    rows = Report.objects.filter(course=course, status=ReportStatus.OPEN).select_related(
        "post__thread", "post__author", "reporter"
    )
    return Paginator(rows.order_by("created_at", "id"), PER_PAGE).get_page(page)


def report_in_course(course: Course, report_id: int) -> Report | None:
    return Report.objects.select_related("course", "post").filter(course=course, pk=report_id).first()
