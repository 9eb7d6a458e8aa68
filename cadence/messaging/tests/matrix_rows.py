"""The messaging app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.urls import reverse
from django.utils import timezone

from cadence.courses.models import Role
from cadence.courses.tests.factories import MembershipFactory
from cadence.messaging import services
from cadence.messaging.models import Conversation
from cadence.tests.matrix import (
    API,
    GO,
    LOGIN,
    OK,
    REFUSED,
    STAFF_GO,
    STAFF_ONLY,
    TEACHERS_GO,
    TEACHERS_ONLY,
    Case,
    Ctx,
    Req,
    Row,
    signed_in,
    slug,
    url,
)


def _question(c: Ctx) -> Conversation:
    """A question the learner asked the course's staff."""
    return services.ask_question(
        actor=c.world.learner, course=c.world.course, subject="Medians", body="How?", key=None, now=timezone.now()
    )


def _direct(c: Ctx) -> Conversation:
    """A direct conversation between the teacher and the learner."""
    message = services.send_direct(
        actor=c.world.teacher, course=c.world.course, recipients=[c.world.learner], body="Hi", key=None,
        now=timezone.now(),
    )  # fmt: skip
    return message.conversation


def _at(name: str, make: Callable[[Ctx], Conversation]) -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[make(c).pk])


def _page(
    method: str, to: Callable[[Ctx], str], data: Callable[[Ctx], Mapping[str, Any]] | None = None
) -> Callable[[Ctx], Req]:
    return lambda c: Req(method, to(c), data(c) if data else {})


def _body(c: Ctx) -> dict[str, str]:
    return {"body": "A reply", "key": f"matrix-{c.actor}"}


def _new_url(c: Ctx) -> str:
    return reverse("messaging:message-new") + f"?course={c.slug}"


def _to_staff(c: Ctx) -> dict[str, Any]:
    """Everyone writes to the teacher; the teacher writes to the learner."""
    to = c.world.learner if c.actor == "teacher" else c.world.teacher
    return {"to": [to.pk], "body": "Hello", "key": f"matrix-{c.actor}"}


def _to_other_learner(c: Ctx) -> dict[str, Any]:
    other = MembershipFactory.create(course=c.world.course, role=Role.LEARNER)
    return {"to": [other.user_id], "body": "Hello", "key": f"matrix-{c.actor}"}


def _check_in_url(c: Ctx) -> str:
    return reverse("messaging:check-in", args=[c.slug, c.world.learner.pk])


#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
QUESTION_SEEN = Row(LOGIN, 404, OK, OK, OK, OK, 404)
QUESTION_REPLY = Row(LOGIN, 404, GO, GO, GO, GO, 404)
DIRECT_SEEN = Row(LOGIN, 404, OK, 404, OK, 404, 404)  # its participants only, site administrators included
DIRECT_REPLY = Row(LOGIN, 404, GO, 404, GO, 404, 404)
LEARNER_ONLY = Row(LOGIN, 403, OK, 403, 403, 403, 403)
LEARNER_ASKS = Row(LOGIN, 403, GO, 403, 403, 403, 403)

PAGES: dict[str, Case] = {
    "GET messaging:inbox": Case(_page("GET", url("messaging:inbox")), signed_in(OK)),
    "GET messaging:message-new": Case(_page("GET", _new_url), Row(LOGIN, 403, OK, OK, OK, OK, OK)),
    "GET messaging:message-new [no course]": Case(_page("GET", url("messaging:message-new")), signed_in(OK)),
    "POST messaging:message-new": Case(_page("POST", _new_url, _to_staff), Row(LOGIN, 403, GO, GO, GO, GO, GO)),
    "POST messaging:message-new [to another learner]": Case(
        _page("POST", _new_url, _to_other_learner), Row(LOGIN, 403, REFUSED, GO, GO, GO, REFUSED)
    ),
    "GET messaging:conversation-detail [question]": Case(
        _page("GET", _at("messaging:conversation-detail", _question)), QUESTION_SEEN
    ),
    "GET messaging:conversation-detail [direct]": Case(
        _page("GET", _at("messaging:conversation-detail", _direct)), DIRECT_SEEN
    ),
    "POST messaging:conversation-reply [question]": Case(
        _page("POST", _at("messaging:conversation-reply", _question), _body), QUESTION_REPLY
    ),
    "POST messaging:conversation-reply [direct]": Case(
        _page("POST", _at("messaging:conversation-reply", _direct), _body), DIRECT_REPLY
    ),
    "POST messaging:question-status": Case(
        _page("POST", _at("messaging:question-status", _question), lambda c: {"status": "closed"}),
        Row(LOGIN, 404, 403, GO, GO, GO, 404),
    ),
    "GET messaging:question-ask": Case(_page("GET", url("messaging:question-ask", slug)), LEARNER_ONLY),
    "POST messaging:question-ask": Case(
        _page("POST", url("messaging:question-ask", slug), lambda c: {"subject": "Medians", "body": "How?"}),
        LEARNER_ASKS,
    ),
    "GET messaging:question-queue": Case(_page("GET", url("messaging:question-queue", slug)), STAFF_ONLY),
    "GET messaging:settings": Case(_page("GET", url("messaging:settings", slug)), TEACHERS_ONLY),
    "POST messaging:settings": Case(
        _page("POST", url("messaging:settings", slug), lambda c: {"learners_may_message_learners": "on"}),
        TEACHERS_GO,
    ),
    "GET messaging:check-in": Case(_page("GET", _check_in_url), STAFF_ONLY),
    "POST messaging:check-in": Case(_page("POST", _check_in_url, lambda c: {"body": "How is it going?"}), STAFF_GO),
    "POST messaging:check-in-many": Case(
        _page("POST", url("messaging:check-in-many", slug), lambda c: {"learner": [c.world.learner.pk]}), STAFF_ONLY
    ),
    "POST messaging:check-in-many [send]": Case(
        _page(
            "POST",
            url("messaging:check-in-many", slug),
            lambda c: {"learners": str(c.world.learner.pk), "body": "How is it going?", "key": f"m-{c.actor}"},
        ),
        STAFF_GO,
    ),
}


def _call(
    method: str, path: Callable[[Ctx], str], body: Callable[[Ctx], Mapping[str, Any]] | None = None
) -> Callable[[Ctx], Req]:
    return lambda c: Req(method, API + path(c), body(c) if body else {})


def _conv(make: Callable[[Ctx], Conversation], suffix: str = "") -> Callable[[Ctx], str]:
    return lambda c: f"/messages/conversations/{make(c).pk}{suffix}"


def _course_questions(c: Ctx) -> str:
    return f"/messages/courses/{c.course_id}/questions"


def _direct_body(c: Ctx) -> dict[str, Any]:
    to = c.world.learner if c.actor == "teacher" else c.world.teacher
    return {"course_id": c.course_id, "recipient_ids": [to.pk], "body": "Hello"}


#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
ENDPOINTS: dict[str, Case] = {
    "GET /api/v1/messages/conversations": Case(_call("GET", lambda c: "/messages/conversations"), signed_in(200, 401)),
    "POST /api/v1/messages/conversations": Case(
        _call("POST", lambda c: "/messages/conversations", _direct_body), Row(401, 403, 201, 201, 201, 201, 201)
    ),
    "GET /api/v1/messages/conversations/{conversation_id}": Case(
        _call("GET", _conv(_direct)), Row(401, 404, 200, 404, 200, 404, 404)
    ),
    "GET /api/v1/messages/conversations/{conversation_id} [question]": Case(
        _call("GET", _conv(_question)), Row(401, 404, 200, 200, 200, 200, 404)
    ),
    "POST /api/v1/messages/conversations/{conversation_id}/read": Case(
        _call("POST", _conv(_direct, "/read")), Row(401, 404, 204, 404, 204, 404, 404)
    ),
    "POST /api/v1/messages/conversations/{conversation_id}/messages": Case(
        _call("POST", _conv(_direct, "/messages"), _body), Row(401, 404, 201, 404, 201, 404, 404)
    ),
    "POST /api/v1/messages/conversations/{conversation_id}/messages [question]": Case(
        _call("POST", _conv(_question, "/messages"), _body), Row(401, 404, 201, 201, 201, 201, 404)
    ),
    "POST /api/v1/messages/courses/{course_id}/questions": Case(
        _call("POST", _course_questions, lambda c: {"subject": "Medians", "body": "How?"}),
        Row(401, 403, 201, 403, 403, 403, 403),
    ),
    "GET /api/v1/messages/courses/{course_id}/questions": Case(
        _call("GET", _course_questions), Row(401, 403, 403, 200, 200, 200, 403)
    ),
}
