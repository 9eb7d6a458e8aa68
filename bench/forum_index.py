"""Forum index benchmark: a forum of 5,000 threads, its first and last pages, filters and an htmx fragment.

Builds everything in a temporary SQLite database (a fresh CADENCE_HOME, deleted afterwards), then renders
each page through Django's test client (no server) and prints median and p95 times and the query count.

    python bench/forum_index.py [--threads 5000] [--repeat 20]
"""

from __future__ import annotations

import argparse

from page_timing import in_temporary_home, time_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    in_temporary_home("cadence-bench-forum-", lambda: measure(args.threads, args.repeat))


def measure(thread_count: int, repeat: int) -> None:
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from cadence.accounts.models import User
    from cadence.community.models import Forum, Post, Thread, ThreadRead
    from cadence.courses.models import Course, Membership, Role

    course = Course.objects.create(title="Bench", slug="bench", visibility="published")
    learner = User.objects.create_user(email="learner@example.org", display_name="Learner")
    teacher = User.objects.create_user(email="teacher@example.org", display_name="Teacher")
    Membership.objects.create(course=course, user=learner, role=Role.LEARNER)
    Membership.objects.create(course=course, user=teacher, role=Role.TEACHER)
    forum = Forum.objects.create(course=course, title="General")
    start = timezone.now() - timedelta(days=60)
    Thread.objects.bulk_create(
        (Thread(forum=forum, course=course, author=teacher, title=f"Thread {n}", created_at=start + timedelta(minutes=n),
                post_count=1 + n % 7, last_post_at=start + timedelta(minutes=n), is_pinned=n % 1000 == 0)
         for n in range(thread_count)),
        batch_size=1000,
    )  # fmt: skip
    threads = list(Thread.objects.filter(forum=forum))
    Post.objects.bulk_create(
        (Post(thread=t, course=course, author=teacher, is_opening=True, title=t.title, body="Opening post",
              created_at=t.created_at) for t in threads),
        batch_size=1000,
    )  # fmt: skip
    ThreadRead.objects.bulk_create(
        ThreadRead(user=learner, thread=t, read_count=1, last_read_at=start) for t in threads[::3]
    )
    client = Client()
    client.force_login(learner)
    print(f"database: {connection.vendor}; forum with {thread_count} threads, 50 per page")
    pages = thread_count // 50 + (1 if thread_count % 50 else 0)
    base = f"/courses/bench/forums/{forum.pk}/"
    cases = [
        ("page 1", base, {}),
        (f"page {pages}", f"{base}?page={pages}", {}),
        ("unread", f"{base}?show=unread", {}),
        ("my posts", f"{base}?show=mine", {}),
        ("htmx fragment", f"{base}?show=unread", {"HX-Request": "true"}),
    ]
    time_pages(client, cases, repeat)


if __name__ == "__main__":
    main()
