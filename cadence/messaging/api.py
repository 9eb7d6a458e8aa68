"""Conversations over JSON: my inbox, a conversation, sending, replying, asking the teachers, the question queue.

No `from __future__ import annotations` here: ninja resolves the annotations of paginated views itself.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from cadence import policy
from cadence.access import course_for, signed_in
from cadence.accounts.models import User
from cadence.core.api_types import Id, IdIn, Pagination, errors
from cadence.core.errors import InvalidInput
from cadence.messaging import selectors, services
from cadence.messaging.models import Conversation, Participant
from cadence.messaging.services import BODY_MAX, MAX_RECIPIENTS, SUBJECT_MAX

router = Router(tags=["messaging"])

MESSAGES_LIMIT = 200


class PersonOut(Schema):
    id: int
    display_name: str


class ConversationOut(Schema):
    id: int
    course_id: int
    kind: str
    subject: str
    status: str | None
    created_at: datetime
    last_message_at: datetime
    first_answered_at: datetime | None
    last_excerpt: str
    message_count: int


class InboxRowOut(ConversationOut):
    unread: bool
    people: list[PersonOut]


class MessageOut(Schema):
    id: int
    sender: PersonOut
    body: str
    created_at: datetime
    is_check_in: bool
    by_staff: bool


class ConversationDetailOut(ConversationOut):
    people: list[PersonOut]
    messages: list[MessageOut]


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=BODY_MAX)
    key: str | None = Field(default=None, max_length=64, description="Idempotency key: a retry with it sends once")


class DirectIn(MessageIn):
    course_id: IdIn
    recipient_ids: list[IdIn] = Field(min_length=1, max_length=MAX_RECIPIENTS)
    subject: str = Field(default="", max_length=SUBJECT_MAX)


class QuestionIn(MessageIn):
    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)


class MessageWindow(Schema):
    limit: int = Field(default=MESSAGES_LIMIT, ge=1, le=MESSAGES_LIMIT, description="How many of the latest messages")
    before: Id | None = Field(default=None, description="Only messages older than this message id (earlier pages)")


class QueueFilter(Schema):
    status: str | None = Field(default=None, pattern="^(open|answered|closed)$")


def _conversation(request: HttpRequest, conversation_id: int, action: str = "view") -> Conversation:
    conversation = selectors.conversation_for(signed_in(request), conversation_id)
    if conversation is None:
        raise Http404
    if not policy.can(request.user, action, conversation):
        raise PermissionDenied
    return conversation


def _out(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.pk,
        "course_id": conversation.course_id,
        "kind": conversation.kind,
        "subject": conversation.subject,
        "status": conversation.status if conversation.is_question else None,
        "created_at": conversation.created_at,
        "last_message_at": conversation.last_message_at,
        "first_answered_at": conversation.first_answered_at,
        "last_excerpt": conversation.last_excerpt,
        "message_count": conversation.message_count,
    }


def _inbox_row(row: Participant) -> dict[str, Any]:
    people = [p.user for p in row.conversation.participants.all()]
    return _out(row.conversation) | {"unread": row.is_unread, "people": people}


class _Mapped:
    """A sliceable, countable view of a queryset that maps each row of a page for output (for @paginate)."""

    def __init__(self, rows: QuerySet[Any], to_out: Callable[[Any], dict[str, Any]]) -> None:
        self.rows = rows
        self.to_out = to_out

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.to_out(row) for row in self.rows[index]]


@router.get(
    "/messages/conversations",
    response={200: list[InboxRowOut], **errors(422)},
    summary="My conversations, newest activity first",
)
@paginate(Pagination)
def list_conversations(request: HttpRequest) -> Any:
    return _Mapped(selectors.inbox(signed_in(request)), _inbox_row)


@router.get(
    "/messages/conversations/{conversation_id}",
    response={200: ConversationDetailOut, **errors(403, 404, 422)},
    summary="A conversation with its latest messages, oldest first; page back with `before`",
)
def get_conversation(request: HttpRequest, conversation_id: Id, window: Query[MessageWindow]) -> dict[str, Any]:
    conversation = _conversation(request, conversation_id)
    rows = selectors.messages_of(conversation).order_by("-created_at", "-id")
    if window.before is not None:
        rows = rows.filter(pk__lt=window.before)
    latest = list(rows[: window.limit])
    return _out(conversation) | {
        "people": selectors.people_in(conversation),
        "messages": list(reversed(latest)),
    }


@router.post(
    "/messages/conversations/{conversation_id}/read",
    response={204: None, **errors(403, 404, 422)},
    summary="Mark a conversation read",
)
def read_conversation(request: HttpRequest, conversation_id: Id) -> Status[None]:
    conversation = _conversation(request, conversation_id)
    services.mark_read(user=signed_in(request), conversation=conversation, now=timezone.now())
    return Status(204, None)


@router.post(
    "/messages/conversations/{conversation_id}/messages",
    response={201: MessageOut, **errors(400, 403, 404, 422, 429)},
    summary="Reply in a conversation; a retry with the same key sends once",
)
def reply(request: HttpRequest, conversation_id: Id, payload: MessageIn) -> Status[Any]:
    conversation = _conversation(request, conversation_id, "reply")
    message = services.reply(
        actor=signed_in(request), conversation=conversation, body=payload.body, key=payload.key, now=timezone.now()
    )
    return Status(201, message)


@router.post(
    "/messages/conversations",
    response={201: MessageOut, **errors(400, 403, 404, 422, 429)},
    summary="Send a direct message to members of a course (two people keep one conversation per course)",
)
def send_direct(request: HttpRequest, payload: DirectIn) -> Status[Any]:
    course = course_for(request, payload.course_id, "message")
    recipients = list(User.objects.filter(pk__in=payload.recipient_ids))
    if len(recipients) != len(set(payload.recipient_ids)):
        raise InvalidInput("Some recipients do not exist.")
    message = services.send_direct(
        actor=signed_in(request),
        course=course,
        recipients=recipients,
        subject=payload.subject,
        body=payload.body,
        key=payload.key,
        now=timezone.now(),
    )
    return Status(201, message)


@router.post(
    "/messages/courses/{course_id}/questions",
    response={201: ConversationOut, **errors(400, 403, 404, 422, 429)},
    summary="Ask the course's teachers a private question",
)
def ask(request: HttpRequest, course_id: Id, payload: QuestionIn) -> Status[dict[str, Any]]:
    course = course_for(request, course_id, "ask")
    conversation = services.ask_question(
        actor=signed_in(request),
        course=course,
        subject=payload.subject,
        body=payload.body,
        key=payload.key,
        now=timezone.now(),
    )
    return Status(201, _out(conversation))


@router.get(
    "/messages/courses/{course_id}/questions",
    response={200: list[ConversationOut], **errors(403, 404, 422)},
    summary="The course's questions to the teachers (staff): open first, oldest first",
)
@paginate(Pagination)
def question_queue(request: HttpRequest, course_id: Id, filters: Query[QueueFilter]) -> Any:
    course = course_for(request, course_id, "answer")
    return _Mapped(selectors.question_queue(course, filters.status), _out)
