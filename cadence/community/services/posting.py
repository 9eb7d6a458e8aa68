"""Writing in forums: threads, replies, edits, deletion, votes, subscriptions and read markers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.community.models import Forum, Post, PostRevision, PostVote, Subscription, Thread, ThreadRead
from cadence.community.services import common
from cadence.core.audit import record
from cadence.core.errors import Conflict, InvalidInput
from cadence.core.races import second_try_on_race
from cadence.courses.models import Group, Membership
from cadence.insights import services as insights_services
from cadence.notifications.models import Kind
from cadence.notifications.services import notify


def thread_url(thread: Thread, post: Post | None = None) -> str:
    url = reverse("community:thread-detail", args=[thread.course.slug, thread.pk])
    return f"{url}?post={post.pk}#post-{post.pk}" if post is not None and not post.is_opening else url


def _group_for(actor: User, forum: Forum, group: Group | None) -> Group | None:
    if not forum.group_separated:
        return None
    if common.is_staff_in(actor, forum.course):
        if group is not None and group.course_id != forum.course_id:
            raise InvalidInput(_("Choose a group of this course."))
        return group
    mine = list(Group.objects.filter(course=forum.course, memberships__user=actor))
    if group is None:
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise InvalidInput(_("This forum is separated by groups and you are not in a group yet. Ask a teacher."))
        raise InvalidInput(_("Choose which of your groups this thread is for."))
    if group not in mine:
        raise InvalidInput(_("You can only post in your own group's threads."))
    return group


def _existing(actor: User, key: str) -> Post | None:
    if not key:
        return None
    return Post.objects.select_related("thread").filter(author=actor, client_key=key[:64]).first()


def _subscribe(user: User, *, now: datetime, forum: Forum | None = None, thread: Thread | None = None) -> None:
    Subscription.objects.get_or_create(user=user, forum=forum, thread=thread, defaults={"created_at": now})


@second_try_on_race
@transaction.atomic
def create_thread(
    *,
    actor: User,
    forum: Forum,
    title: str,
    body: str,
    now: datetime,
    group: Group | None = None,
    upload: UploadedFile | None = None,
    key: str = "",
) -> Thread:
    policy.require(actor, "post", forum)
    existing = _existing(actor, key)
    if existing is not None:
        return existing.thread
    title = common.clean_title(title)
    body = common.clean_body(body)
    group = _group_for(actor, forum, group)
    mentioned = common.resolve_mentions(forum.course, body)
    fmt = common.check_attachment(upload) if upload is not None else None
    common.check_rate(actor, now)
    thread = Thread.objects.create(
        forum=forum, course=forum.course, group=group, author=actor, title=title, created_at=now,
        post_count=1, last_post_at=now,
    )  # fmt: skip
    post = Post.objects.create(
        thread=thread, course=forum.course, author=actor, is_opening=True, title=title, body=body,
        created_at=now, client_key=key[:64],
    )  # fmt: skip
    thread.last_post_id = post.pk
    thread.save(update_fields=["last_post_id"])
    _subscribe(actor, now=now, thread=thread)
    ThreadRead.objects.create(user=actor, thread=thread, read_count=1, last_read_post_id=post.pk, last_read_at=now)
    if fmt is not None and upload is not None:
        common.attach(post, upload, fmt)
    _announce_thread(actor, thread, post, mentioned, now)
    insights_services.learner_changed(course_id=thread.course_id, user_id=actor.pk)
    return thread


def _announce_thread(actor: User, thread: Thread, post: Post, mentioned: list[User], now: datetime) -> None:
    forum = thread.forum
    url = thread_url(thread)
    excerpt = common.excerpt(post.body)
    told: set[int] = set()
    if mentioned:
        ids = policy.audience("view", post, [u.pk for u in mentioned])
        notify(recipients=ids, kind=Kind.MENTION, title=_("%(name)s mentioned you in “%(title)s”")
               % {"name": actor.display_name, "title": thread.title}, url=url, key=f"post:{post.pk}:mention",
               actor=actor, course=thread.course, body=excerpt, now=now)  # fmt: skip
        told |= set(ids)
    if forum.is_announcements:
        members = Membership.objects.filter(course_id=thread.course_id).values_list("user_id", flat=True)
        ids = [i for i in policy.audience("view", post, members) if i not in told]
        notify(recipients=ids, kind=Kind.ANNOUNCEMENT, title=thread.title, url=url,
               key=f"thread:{thread.pk}:announcement", actor=actor, course=thread.course, body=excerpt, now=now)  # fmt: skip
        return
    followers = Subscription.objects.filter(forum=forum).values_list("user_id", flat=True)
    ids = [i for i in policy.audience("view", post, followers) if i not in told]
    notify(recipients=ids, kind=Kind.FORUM_ACTIVITY, title=_("New thread in %(forum)s: %(title)s")
           % {"forum": forum.title, "title": thread.title}, url=url, key=f"thread:{thread.pk}:new", actor=actor,
           course=thread.course, body=excerpt, now=now)  # fmt: skip


@second_try_on_race
@transaction.atomic
def create_reply(
    *,
    actor: User,
    thread: Thread,
    body: str,
    now: datetime,
    parent: Post | None = None,
    upload: UploadedFile | None = None,
    key: str = "",
) -> Post:
    policy.require(actor, "reply", thread)
    existing = _existing(actor, key)
    if existing is not None:
        return existing
    thread = Thread.objects.select_for_update().select_related("forum", "course").get(pk=thread.pk)
    if thread.is_locked:
        raise Conflict(_("This thread is locked: no new replies can be posted."))
    if parent is not None:
        if parent.thread_id != thread.pk:
            raise InvalidInput(_("You can only reply to a post of this thread."))
        if parent.is_opening:
            parent = None
        elif parent.parent_id is not None:
            parent = parent.parent  # one level of nesting: attach to the top-level reply
    body = common.clean_body(body)
    mentioned = common.resolve_mentions(thread.course, body)
    fmt = common.check_attachment(upload) if upload is not None else None
    common.check_rate(actor, now)
    post = Post.objects.create(
        thread=thread, course=thread.course, author=actor, parent=parent, body=body, created_at=now,
        client_key=key[:64],
    )  # fmt: skip
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + 1, last_post_at=now, last_post_id=post.pk)
    # Someone who had read everything has read their own reply too.
    ThreadRead.objects.filter(user=actor, thread=thread, read_count=thread.post_count).update(
        read_count=F("read_count") + 1, last_read_post_id=post.pk, last_read_at=now
    )
    if fmt is not None and upload is not None:
        common.attach(post, upload, fmt)
    _announce_reply(actor, thread, post, parent, mentioned, now)
    insights_services.learner_changed(course_id=thread.course_id, user_id=actor.pk)
    return post


def _announce_reply(
    actor: User, thread: Thread, post: Post, parent: Post | None, mentioned: list[User], now: datetime
) -> None:
    url = thread_url(thread, post)
    excerpt = common.excerpt(post.body)
    name = actor.display_name
    told: set[int] = {actor.pk}
    if mentioned:
        ids = policy.audience("view", post, [u.pk for u in mentioned])
        notify(recipients=ids, kind=Kind.MENTION, title=_("%(name)s mentioned you in “%(title)s”")
               % {"name": name, "title": thread.title}, url=url, key=f"post:{post.pk}:mention", actor=actor,
               course=thread.course, body=excerpt, now=now)  # fmt: skip
        told |= set(ids)
    replied_to = parent.author_id if parent is not None else thread.author_id
    if replied_to not in told:
        ids = policy.audience("view", post, [replied_to])
        notify(recipients=ids, kind=Kind.REPLY, title=_("%(name)s replied in “%(title)s”")
               % {"name": name, "title": thread.title}, url=url, key=f"post:{post.pk}:reply", actor=actor,
               course=thread.course, body=excerpt, now=now)  # fmt: skip
        told |= set(ids)
    followers = (
        Subscription.objects.filter(thread=thread)
        .values_list("user_id", flat=True)
        .union(Subscription.objects.filter(forum_id=thread.forum_id).values_list("user_id", flat=True))
    )
    ids = [i for i in policy.audience("view", post, followers) if i not in told]
    notify(recipients=ids, kind=Kind.FORUM_ACTIVITY, title=_("New reply in “%(title)s”") % {"title": thread.title},
           url=url, key=f"post:{post.pk}:activity", actor=actor, course=thread.course, body=excerpt, now=now)  # fmt: skip


@transaction.atomic
def edit_post(*, actor: User, post: Post, body: str, now: datetime, title: str | None = None) -> Post:
    policy.require(actor, "edit", post)
    post = Post.objects.select_for_update().select_related("thread__forum", "thread__course").get(pk=post.pk)
    thread = post.thread
    if post.is_deleted:
        raise Conflict(_("This post was deleted and cannot be edited."))
    if thread.is_locked and not common.is_staff_in(actor, thread.course):
        raise Conflict(_("This thread is locked: its posts cannot be edited."))
    body = common.clean_body(body)
    new_title = common.clean_title(title) if post.is_opening and title is not None else post.title
    if body == post.body and new_title == post.title:
        return post
    mentioned = common.resolve_mentions(thread.course, body)
    PostRevision.objects.create(
        post=post, title=post.title, body=post.body, written_at=post.edited_at or post.created_at,
        edited_by=actor, edited_at=now,
    )  # fmt: skip
    post.body, post.title, post.edited_at = body, new_title, now
    post.save(update_fields=["body", "title", "edited_at"])
    if post.is_opening and thread.title != new_title:
        thread.title = new_title
        thread.save(update_fields=["title"])
    if mentioned:
        # The same key as when posted: only people newly mentioned by this edit hear about it.
        notify(recipients=policy.audience("view", post, [u.pk for u in mentioned]), kind=Kind.MENTION,
               title=_("%(name)s mentioned you in “%(title)s”") % {"name": actor.display_name, "title": thread.title},
               url=thread_url(thread, post), key=f"post:{post.pk}:mention", actor=actor, course=thread.course,
               body=common.excerpt(body), now=now)  # fmt: skip
    return post


@transaction.atomic
def delete_post(*, actor: User, post: Post, now: datetime) -> Post:
    """Soft delete: the post shows as deleted, its replies stay."""
    policy.require(actor, "delete", post)
    if post.is_deleted:
        return post
    post.deleted_at = now
    post.save(update_fields=["deleted_at"])
    if post.author_id != actor.pk:
        record(actor=actor, verb="community.post_deleted", obj=post, course_id=post.course_id)
    return post


@transaction.atomic
def toggle_vote(*, actor: User, post: Post, now: datetime) -> bool:
    """Upvote a post, or take the upvote back; returns whether the actor now upvotes it."""
    policy.require(actor, "vote", post)
    if post.author_id == actor.pk:
        raise Conflict(_("You cannot upvote your own post."))
    if post.is_deleted:
        raise Conflict(_("This post was deleted."))
    removed, _rows = PostVote.objects.filter(post=post, user=actor).delete()
    if removed:
        Post.objects.filter(pk=post.pk).update(upvote_count=F("upvote_count") - 1)
        return False
    PostVote.objects.create(post=post, user=actor, created_at=now)
    Post.objects.filter(pk=post.pk).update(upvote_count=F("upvote_count") + 1)
    return True


@transaction.atomic
def set_subscription(
    *, actor: User, subscribed: bool, now: datetime, forum: Forum | None = None, thread: Thread | None = None
) -> None:
    target = forum if forum is not None else thread
    assert target is not None and (forum is None) != (thread is None)
    policy.require(actor, "view", target)
    if subscribed:
        _subscribe(actor, now=now, forum=forum, thread=thread)
    else:
        Subscription.objects.filter(user=actor, forum=forum, thread=thread).delete()


def mark_thread_read(*, user: User, thread: Thread, now: datetime) -> None:
    """Everything in the thread up to its last post is read (the caller has checked the user may see it)."""
    ThreadRead.objects.update_or_create(
        user=user,
        thread=thread,
        defaults={"read_count": thread.post_count, "last_read_post_id": thread.last_post_id or 0, "last_read_at": now},
    )


@transaction.atomic
def mark_forum_read(*, user: User, threads: Iterable[Thread], now: datetime) -> int:
    """Mark these threads (the forum's threads the user can see) read; returns how many."""
    rows = [
        ThreadRead(
            user=user, thread=t, read_count=t.post_count, last_read_post_id=t.last_post_id or 0, last_read_at=now
        )
        for t in threads
    ]
    ThreadRead.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["user", "thread"],
        update_fields=["read_count", "last_read_post_id", "last_read_at"],
    )
    return len(rows)
