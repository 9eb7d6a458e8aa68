"""Forums, threads and posts for tests: made through the services, or in bulk for scale tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cadence.accounts.models import User
from cadence.community import services
from cadence.community.models import Forum, ForumKind, Post, Thread
from cadence.courses.models import Course


def forum(course: Course, *, kind: str = ForumKind.DISCUSSION, title: str = "General", **options: bool) -> Forum:
    return Forum.objects.create(course=course, kind=kind, title=title, **options)


def thread(
    author: User,
    in_forum: Forum,
    *,
    title: str = "How do I read a histogram?",
    body: str = "Please help.",
    **kw: object,
) -> Thread:
    return services.create_thread(actor=author, forum=in_forum, title=title, body=body, now=timezone.now(), **kw)


def reply(author: User, in_thread: Thread, body: str = "Look at the bars.", **kw: object) -> Post:
    return services.create_reply(actor=author, thread=in_thread, body=body, now=timezone.now(), **kw)


def bulk_threads(in_forum: Forum, author: User, count: int) -> list[Thread]:
    """Many threads with their opening posts, fast (bulk_create), counters set as the services would."""
    start = timezone.now() - timedelta(days=30)
    threads = Thread.objects.bulk_create(
        Thread(forum=in_forum, course_id=in_forum.course_id, author=author, title=f"Bulk thread {n}",
               created_at=start + timedelta(seconds=n), post_count=1, last_post_at=start + timedelta(seconds=n))
        for n in range(count)
    )  # fmt: skip
    threads = list(Thread.objects.filter(forum=in_forum, title__startswith="Bulk thread").order_by("id"))
    Post.objects.bulk_create(
        Post(thread=t, course_id=in_forum.course_id, author=author, is_opening=True, title=t.title, body="Bulk body",
             created_at=t.created_at)
        for t in threads
    )  # fmt: skip
    return threads


def bulk_replies(in_thread: Thread, authors: list[User], count: int) -> None:
    start = in_thread.created_at
    Post.objects.bulk_create(
        Post(thread=in_thread, course_id=in_thread.course_id, author=authors[n % len(authors)],
             body=f"Reply number {n}", created_at=start + timedelta(seconds=n + 1))
        for n in range(count)
    )  # fmt: skip
    last = Post.objects.filter(thread=in_thread).order_by("-id").first()
    assert last is not None
    Thread.objects.filter(pk=in_thread.pk).update(
        post_count=count + 1, last_post_at=last.created_at, last_post_id=last.pk
    )
    in_thread.refresh_from_db()
