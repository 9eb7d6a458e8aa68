"""Long thread benchmark: a thread of 2,000 posts (some nested), its first and last pages and "most upvoted".

Builds everything in a temporary SQLite database (a fresh CADENCE_HOME, deleted afterwards), then renders
each page through Django's test client (no server) and prints median and p95 times and the query count.

    python bench/long_thread.py [--posts 2000] [--repeat 20]
"""

from __future__ import annotations

import argparse

from page_timing import in_temporary_home, time_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    in_temporary_home("cadence-bench-thread-", lambda: measure(args.posts, args.repeat))


BODY = "A reply with **Markdown**, a [link](https://example.org) and a list:\n\n- one\n- two\n"


def measure(post_count: int, repeat: int) -> None:
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from cadence.accounts.models import User
    from cadence.community.models import Forum, ForumKind, Post, Thread
    from cadence.courses.models import Course, Membership, Role

    course = Course.objects.create(title="Bench", slug="bench", visibility="published")
    people = [User.objects.create_user(email=f"p{n}@example.org", display_name=f"Person {n}") for n in range(20)]
    for n, person in enumerate(people):
        Membership.objects.create(course=course, user=person, role=Role.TEACHER if n == 0 else Role.LEARNER)
    forum = Forum.objects.create(course=course, title="Q&A", kind=ForumKind.QA)
    start = timezone.now() - timedelta(days=30)
    thread = Thread.objects.create(forum=forum, course=course, author=people[1], title="A long question",
                                   created_at=start, last_post_at=start)  # fmt: skip
    Post.objects.create(thread=thread, course=course, author=people[1], is_opening=True, title=thread.title,
                        body="Why?", created_at=start)  # fmt: skip
    # Three in four posts are top-level replies; the rest answer the top-level reply just before them.
    tops = Post.objects.bulk_create(
        (Post(thread=thread, course=course, author=people[n % 20], body=BODY, created_at=start + timedelta(minutes=n),
              upvote_count=n % 13) for n in range(post_count * 3 // 4)),
        batch_size=500,
    )  # fmt: skip
    top_ids = list(Post.objects.filter(thread=thread, is_opening=False).values_list("pk", flat=True))
    Post.objects.bulk_create(
        (Post(thread=thread, course=course, author=people[n % 20], parent_id=top_ids[n * 3 % len(top_ids)], body=BODY,
              created_at=start + timedelta(minutes=n, seconds=30)) for n in range(post_count - len(tops))),
        batch_size=500,
    )  # fmt: skip
    last = Post.objects.filter(thread=thread).order_by("-id").first()
    assert last is not None
    Thread.objects.filter(pk=thread.pk).update(
        post_count=post_count + 1, last_post_at=last.created_at, last_post_id=last.pk
    )
    client = Client()
    client.force_login(people[5])
    pages = len(top_ids) // 50 + (1 if len(top_ids) % 50 else 0)
    print(f"database: {connection.vendor}; thread with {post_count} replies ({len(top_ids)} top-level), 50 per page")
    base = f"/courses/bench/threads/{thread.pk}/"
    cases: list[tuple[str, str, dict[str, str]]] = [
        ("page 1", base, {}),
        (f"page {pages}", f"{base}?page={pages}", {}),
        ("most upvoted", f"{base}?sort=votes", {}),
    ]
    time_pages(client, cases, repeat)


if __name__ == "__main__":
    main()
