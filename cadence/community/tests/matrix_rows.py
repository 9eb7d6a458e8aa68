"""The community app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

from cadence.community import services
from cadence.community.models import Forum, ForumKind, Post, Thread
from cadence.content.tests.factories import upload
from cadence.courses.models import Role
from cadence.courses.tests.factories import GroupFactory, MembershipFactory
from cadence.tests.matrix import (
    API_READ,
    GO,
    LOGIN,
    MEMBERS_OK,
    OK,
    REFUSED,
    STAFF_GO,
    STAFF_ONLY,
    TEACHERS_GO,
    TEACHERS_ONLY,
    Case,
    Ctx,
    Row,
    call,
    course_path,
    page,
    slug,
    url,
)

#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
WRITERS_OK = Row(LOGIN, 403, OK, OK, OK, OK, 403)  # observers read forums but do not write
WRITERS_GO = Row(LOGIN, 403, GO, GO, GO, GO, 403)
MEMBERS_GO = Row(LOGIN, 403, GO, GO, GO, GO, GO)
PDF = b"%PDF-1.4\n% a tiny test document\n"


def forum(c: Ctx, kind: str = ForumKind.DISCUSSION, **options: bool) -> Forum:
    return Forum.objects.create(course=c.world.course, kind=kind, title=f"A {kind} forum", **options)


def thread(c: Ctx, kind: str = ForumKind.DISCUSSION) -> Thread:
    """A thread started by the learner."""
    return services.create_thread(
        actor=c.world.learner, forum=forum(c, kind), title="Reading histograms", body="How?", now=timezone.now()
    )


def ta_reply(c: Ctx, kind: str = ForumKind.DISCUSSION, **extra: object) -> Post:
    return services.create_reply(actor=c.world.ta, thread=thread(c, kind), body="Like this.", now=timezone.now(),
                                 **extra)  # fmt: skip


def opening(c: Ctx) -> Post:
    return Post.objects.get(thread=thread(c), is_opening=True)


def other_groups_thread(c: Ctx) -> Thread:
    separated = forum(c, group_separated=True)
    blue = GroupFactory(course=c.world.course, name="Blue")
    other = MembershipFactory(course=c.world.course, role=Role.LEARNER)
    other.groups.add(blue)
    return services.create_thread(actor=other.user, forum=separated, title="Blue only", body="Hi", now=timezone.now())


def locked_thread(c: Ctx) -> Thread:
    made = thread(c)
    return services.set_locked(actor=c.world.teacher, thread=made, locked=True)


def forum_url(name: str, make: Callable[[Ctx], Forum] = forum, query: str = "") -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[c.slug, make(c).pk]) + query


def thread_url(name: str, make: Callable[[Ctx], Thread] = thread) -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[c.slug, make(c).pk])


def post_url(name: str, make: Callable[[Ctx], Post] = ta_reply) -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[c.slug, make(c).pk])


def report_url(c: Ctx) -> str:
    report = services.report_post(actor=c.world.learner, post=ta_reply(c), reason="Off topic", now=timezone.now())
    return reverse("community:report-handle", args=[c.slug, report.pk])


def file_url(c: Ctx) -> str:
    post = ta_reply(c, upload=upload("notes.pdf", PDF))
    return reverse("community:post-file", args=[c.slug, post.pk, post.filename])


def forum_form(c: Ctx) -> dict[str, str]:
    return {"title": "Study group", "kind": "discussion", "description": ""}


def thread_form(c: Ctx) -> dict[str, str]:
    return {"title": "Where is the dataset?", "body": "I cannot find it."}


PAGES: dict[str, Case] = {
    "GET community:forum-list": Case(page("GET", url("community:forum-list", slug)), MEMBERS_OK),
    "GET community:forum-create": Case(page("GET", url("community:forum-create", slug)), TEACHERS_ONLY),
    "POST community:forum-create": Case(page("POST", url("community:forum-create", slug), forum_form), TEACHERS_GO),
    "GET community:forum-search": Case(
        page("GET", lambda c: reverse("community:forum-search", args=[c.slug]) + "?q=histogram"), MEMBERS_OK
    ),
    "GET community:report-list": Case(page("GET", url("community:report-list", slug)), STAFF_ONLY),
    "POST community:report-handle": Case(page("POST", report_url, lambda c: {"status": "resolved"}), STAFF_GO),
    "GET community:forum-detail": Case(page("GET", forum_url("community:forum-detail")), MEMBERS_OK),
    "GET community:forum-edit": Case(page("GET", forum_url("community:forum-edit")), TEACHERS_ONLY),
    "POST community:forum-edit": Case(page("POST", forum_url("community:forum-edit"), forum_form), TEACHERS_GO),
    "GET community:thread-create": Case(page("GET", forum_url("community:thread-create")), WRITERS_OK),
    "POST community:thread-create": Case(page("POST", forum_url("community:thread-create"), thread_form), WRITERS_GO),
    "POST community:thread-create [announcements]": Case(
        page("POST", forum_url("community:thread-create", lambda c: forum(c, ForumKind.ANNOUNCEMENTS)), thread_form),
        Row(LOGIN, 403, 403, GO, GO, GO, 403),
    ),
    "GET community:thread-suggest": Case(
        page("GET", forum_url("community:thread-suggest", query="?title=histograms")), WRITERS_OK
    ),
    "POST community:thread-suggest": Case(page("POST", forum_url("community:thread-suggest"), thread_form), WRITERS_OK),
    "POST community:forum-mark-read": Case(page("POST", forum_url("community:forum-mark-read")), MEMBERS_GO),
    "POST community:forum-subscribe": Case(page("POST", forum_url("community:forum-subscribe")), MEMBERS_GO),
    "GET community:thread-detail": Case(page("GET", thread_url("community:thread-detail")), MEMBERS_OK),
    "GET community:thread-detail [another group's thread]": Case(
        page("GET", thread_url("community:thread-detail", other_groups_thread)), Row(LOGIN, 403, 404, OK, OK, OK, 404)
    ),
    "POST community:post-create": Case(
        page("POST", thread_url("community:post-create"), lambda c: {"body": "Me too"}), WRITERS_GO
    ),
    "POST community:post-create [locked thread]": Case(
        page("POST", thread_url("community:post-create", locked_thread), lambda c: {"body": "Me too"}),
        Row(LOGIN, 403, REFUSED, REFUSED, REFUSED, REFUSED, 403),
    ),
    "POST community:thread-subscribe": Case(page("POST", thread_url("community:thread-subscribe")), MEMBERS_GO),
    "POST community:thread-lock": Case(page("POST", thread_url("community:thread-lock")), STAFF_GO),
    "POST community:thread-pin": Case(page("POST", thread_url("community:thread-pin")), STAFF_GO),
    "POST community:thread-answered": Case(
        page("POST", thread_url("community:thread-answered", lambda c: thread(c, ForumKind.QA))), WRITERS_GO
    ),
    # The learner's own post: its author and the teachers edit it.
    "GET community:post-edit": Case(
        page("GET", post_url("community:post-edit", opening)), Row(LOGIN, 403, OK, 403, OK, OK, 403)
    ),
    "POST community:post-edit": Case(
        page("POST", post_url("community:post-edit", opening), lambda c: {"title": "Renamed", "body": "Edited"}),
        Row(LOGIN, 403, GO, 403, GO, GO, 403),
    ),
    "GET community:post-history": Case(page("GET", post_url("community:post-history")), MEMBERS_OK),
    "POST community:post-delete": Case(page("POST", post_url("community:post-delete", opening)), WRITERS_GO),
    # The TA's reply: the TA may not upvote their own post.
    "POST community:post-vote": Case(
        page("POST", post_url("community:post-vote")), Row(LOGIN, 403, GO, REFUSED, GO, GO, 403)
    ),
    "POST community:post-endorse": Case(
        page("POST", post_url("community:post-endorse", lambda c: ta_reply(c, ForumKind.QA))), STAFF_GO
    ),
    "POST community:post-hide": Case(page("POST", post_url("community:post-hide")), STAFF_GO),
    "GET community:post-report": Case(page("GET", post_url("community:post-report")), MEMBERS_OK),
    "POST community:post-report": Case(
        page("POST", post_url("community:post-report"), lambda c: {"reason": "Spam"}), MEMBERS_GO
    ),
    "GET community:post-file": Case(page("GET", file_url), MEMBERS_OK),
}


def forum_path(suffix: str = "", make: Callable[[Ctx], Forum] = forum) -> Callable[[Ctx], str]:
    return lambda c: f"/forums/{make(c).pk}{suffix}"


def thread_path(suffix: str = "") -> Callable[[Ctx], str]:
    return lambda c: f"/threads/{thread(c).pk}{suffix}"


#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
ENDPOINTS: dict[str, Case] = {
    "GET /api/v1/courses/{course_id}/forums": Case(
        call("GET", course_path("/forums")), Row(401, 403, 200, 200, 200, 200, 200)
    ),
    "GET /api/v1/forums/{forum_id}/threads": Case(call("GET", forum_path("/threads")), API_READ),
    "POST /api/v1/forums/{forum_id}/threads": Case(
        call("POST", forum_path("/threads"), thread_form), Row(401, 404, 201, 201, 201, 201, 403)
    ),
    "GET /api/v1/threads/{thread_id}": Case(call("GET", thread_path()), API_READ),
    "POST /api/v1/threads/{thread_id}/posts": Case(
        call("POST", thread_path("/posts"), lambda c: {"body": "Me too"}), Row(401, 404, 201, 201, 201, 201, 403)
    ),
}
