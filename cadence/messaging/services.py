"""Writes: ask the teachers, send and answer messages, check in on a learner, mark read, change settings.

Every write is one transaction and notifies inside it (notify() is idempotent per key). A retried write
carries the same idempotency key and gets back what the first one made.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit, text
from cadence.core.errors import DomainError, InvalidInput, NotAllowed
from cadence.core.races import second_try_on_race
from cadence.courses import selectors as course_selectors
from cadence.courses.models import Course, Membership
from cadence.insights import services as insights_services
from cadence.insights.domain.check_ins import CheckInOrigin
from cadence.messaging import throttle
from cadence.messaging.models import Conversation, CourseMessaging, Kind, Message, Participant, Status
from cadence.notifications.models import Kind as NotificationKind
from cadence.notifications.services import notify

BODY_MAX = 10000
SUBJECT_MAX = 200
EXCERPT = 160
MAX_RECIPIENTS = 8


class RateLimited(DomainError):
    status_code = 429


def new_key() -> str:
    return uuid.uuid4().hex


def conversation_url(conversation: Conversation) -> str:
    return reverse("messaging:conversation-detail", args=[conversation.pk])


def _excerpt(body: str) -> str:
    return text.excerpt(body, EXCERPT)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write a message before sending."))
    if len(body) > BODY_MAX:
        raise InvalidInput(_("A message may be at most %(n)s characters long.") % {"n": BODY_MAX})
    return body


def _clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if len(key) > 64:
        raise InvalidInput(_("The idempotency key may be at most 64 characters long."))
    return key or new_key()


def _earlier(sender: User, key: str) -> Message | None:
    return Message.objects.select_related("conversation").filter(sender=sender, idempotency_key=key).first()


def _throttle(user: User, now: datetime, course: Course) -> None:
    # Staff get more room: checking in on a list of quiet learners is a burst of messages by design.
    staff = policy.can(user, "answer", course)
    limit = throttle.STAFF_MESSAGES_PER_MINUTE if staff else throttle.MESSAGES_PER_MINUTE
    if not throttle.allow_send(user_id=user.pk, now=now, limit=limit):
        raise RateLimited(_("You are sending messages too quickly. Wait a minute, then send it again."))


def _post(
    *,
    conversation: Conversation,
    sender: User,
    body: str,
    key: str,
    now: datetime,
    by_staff: bool,
    is_check_in: bool = False,
) -> Message:
    """Append a message, keep the conversation's summary fields, and mark it read for the sender."""
    message = Message.objects.create(
        conversation=conversation,
        sender=sender,
        body=body,
        created_at=now,
        by_staff=by_staff,
        is_check_in=is_check_in,
        idempotency_key=key,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now, last_excerpt=_excerpt(body), message_count=F("message_count") + 1
    )
    conversation.last_message_at = now
    conversation.last_excerpt = _excerpt(body)
    conversation.message_count += 1
    _join(conversation, sender, now, read=True)
    return message


def _join(conversation: Conversation, user: User | int, now: datetime, *, read: bool = False) -> None:
    user_id = user if isinstance(user, int) else user.pk
    participant, created = Participant.objects.get_or_create(
        conversation=conversation, user_id=user_id, defaults={"joined_at": now, "last_read_at": now if read else None}
    )
    if read and not created:
        Participant.objects.filter(pk=participant.pk).update(last_read_at=now)


# --- Questions to the teachers ----------------------------------------------------------------------
@second_try_on_race
@transaction.atomic
def ask_question(
    *, actor: User, course: Course, subject: str, body: str, key: str | None, now: datetime
) -> Conversation:
    """A learner's private question to the course's teachers and teaching assistants."""
    key = _clean_key(key)
    earlier = _earlier(actor, key)
    if earlier is not None:
        return earlier.conversation
    policy.require(actor, "ask", course)
    subject = " ".join((subject or "").split())
    if not subject:
        raise InvalidInput(_("Give your question a subject."))
    if len(subject) > SUBJECT_MAX:
        raise InvalidInput(_("A subject may be at most %(n)s characters long.") % {"n": SUBJECT_MAX})
    body = _clean_body(body)
    _throttle(actor, now, course)
    conversation = Conversation.objects.create(
        course=course, kind=Kind.QUESTION, subject=subject, started_by=actor, status=Status.OPEN,
        created_at=now, last_message_at=now,
    )  # fmt: skip
    message = _post(conversation=conversation, sender=actor, body=body, key=key, now=now, by_staff=False)
    notify(
        recipients=policy.audience("view", conversation, course_selectors.staff_ids(course)),
        kind=NotificationKind.MESSAGE,
        title=_("New question from %(name)s: %(subject)s") % {"name": actor.display_name, "subject": subject},
        url=conversation_url(conversation),
        key=f"message:{message.pk}",
        actor=actor,
        course=course,
        body=_excerpt(body),
        now=now,
    )
    insights_services.learner_changed(course_id=course.pk, user_id=actor.pk)
    return conversation


@transaction.atomic
def set_question_status(*, actor: User, conversation: Conversation, status: str, now: datetime) -> Conversation:
    """Staff mark a question answered or closed, or reopen it."""
    policy.require(actor, "answer", conversation)
    if status not in Status.values:
        raise InvalidInput(_("Choose open, answered or closed."))
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status != status:
        conversation.status = status
        conversation.save(update_fields=["status"])
        audit.record(actor=actor, verb=f"question_{status}", obj=conversation, course_id=conversation.course_id)
    return conversation


# --- Replies ----------------------------------------------------------------------------------------
@second_try_on_race
@transaction.atomic
def reply(*, actor: User, conversation: Conversation, body: str, key: str | None, now: datetime) -> Message:
    """Write in a conversation. A staff answer marks a question answered; the asker's follow-up reopens it."""
    key = _clean_key(key)
    earlier = _earlier(actor, key)
    if earlier is not None:
        return earlier
    policy.require(actor, "reply", conversation)
    body = _clean_body(body)
    _throttle(actor, now, conversation.course)
    conversation = Conversation.objects.select_for_update().select_related("course").get(pk=conversation.pk)
    if not conversation.is_question:
        others = list(
            Participant.objects.filter(conversation=conversation)
            .exclude(user_id=actor.pk)
            .values_list("user_id", flat=True)
        )
        _check_reachable(actor, conversation.course, others)
        staff = policy.can(actor, "answer", conversation.course)
        message = _post(conversation=conversation, sender=actor, body=body, key=key, now=now, by_staff=staff)
        _notify_message(actor=actor, conversation=conversation, message=message, recipients=others)
        return message
    by_staff = policy.can(actor, "answer", conversation)
    message = _post(conversation=conversation, sender=actor, body=body, key=key, now=now, by_staff=by_staff)
    fields = []
    if by_staff:
        if conversation.status != Status.ANSWERED:
            conversation.status = Status.ANSWERED
            fields.append("status")
        if conversation.first_answered_at is None:
            conversation.first_answered_at = now
            fields.append("first_answered_at")
        recipients = [conversation.started_by_id]
        title = _("%(name)s answered your question: %(subject)s")
    else:
        if conversation.status != Status.OPEN:
            conversation.status = Status.OPEN
            fields.append("status")
        # The staff who took part hear about the follow-up; before anyone answered, all of the course's staff.
        answered_by = set(
            Message.objects.filter(conversation=conversation, by_staff=True).values_list("sender_id", flat=True)
        )
        recipients = sorted(answered_by) or course_selectors.staff_ids(conversation.course)
        title = _("%(name)s followed up on a question: %(subject)s")
    if fields:
        conversation.save(update_fields=fields)
    notify(
        recipients=policy.audience("view", conversation, recipients),
        kind=NotificationKind.MESSAGE,
        title=title % {"name": actor.display_name, "subject": conversation.subject},
        url=conversation_url(conversation),
        key=f"message:{message.pk}",
        actor=actor,
        course=conversation.course,
        body=_excerpt(body),
        now=now,
    )
    return message


def _notify_message(
    *, actor: User, conversation: Conversation, message: Message, recipients: Sequence[int], check_in: bool = False
) -> None:
    if check_in:
        title = _("%(name)s checked in with you") % {"name": actor.display_name}
    else:
        title = _("New message from %(name)s") % {"name": actor.display_name}
    notify(
        recipients=policy.audience("view", conversation, recipients),
        kind=NotificationKind.CHECK_IN if check_in else NotificationKind.MESSAGE,
        title=title,
        url=conversation_url(conversation),
        key=f"message:{message.pk}",
        actor=actor,
        course=conversation.course,
        body=_excerpt(message.body),
        now=message.created_at,
    )


# --- Direct messages --------------------------------------------------------------------------------
def _check_reachable(actor: User, course: Course, others: Sequence[int]) -> None:
    """Learners keep writing in a conversation with staff in it; without staff, the course's rule applies now."""
    if policy.audience("answer", course, others):
        return
    for membership in Membership.objects.filter(course=course, user_id__in=others):
        membership.course = course
        if not policy.can(actor, "message", membership):
            raise NotAllowed(
                _("In %(course)s learners may message only the teachers and teaching assistants.")
                % {"course": course.title}
            )


@second_try_on_race
@transaction.atomic
def send_direct(
    *,
    actor: User,
    course: Course,
    recipients: Sequence[User],
    body: str,
    key: str | None,
    now: datetime,
    subject: str = "",
    check_in: bool = False,
    throttled: bool = True,
) -> Message:
    """A direct message to members of the course. Two people keep one conversation per course."""
    key = _clean_key(key)
    earlier = _earlier(actor, key)
    if earlier is not None:
        return earlier
    policy.require(actor, "message", course)
    people = {u.pk: u for u in recipients if u.pk != actor.pk}
    if not people:
        raise InvalidInput(_("Choose someone to write to (other than yourself)."))
    if len(people) > MAX_RECIPIENTS:
        raise InvalidInput(_("A conversation may have at most %(n)s recipients.") % {"n": MAX_RECIPIENTS})
    memberships = {m.user_id: m for m in Membership.objects.filter(course=course, user_id__in=people)}
    for user_id, person in people.items():
        membership = memberships.get(user_id)
        if membership is None or not person.is_active:
            # No name here: ids of people outside the course must not reveal who they are.
            raise InvalidInput(
                _("Everyone you write to must be a member of %(course)s, and one of them is not.")
                % {"course": course.title}
            )
        membership.course = course
        if not policy.can(actor, "message", membership):
            raise NotAllowed(
                _("In %(course)s learners may message only the teachers and teaching assistants.")
                % {"course": course.title}
            )
    body = _clean_body(body)
    subject = " ".join((subject or "").split())[:SUBJECT_MAX]
    if throttled:
        _throttle(actor, now, course)
    pair_key = ""
    if len(people) == 1:
        low, high = sorted([actor.pk, *people])
        pair_key = f"{low}-{high}"
    conversation = None
    if pair_key:
        conversation = Conversation.objects.select_for_update().filter(course=course, pair_key=pair_key).first()
    if conversation is None:
        conversation = Conversation.objects.create(
            course=course, kind=Kind.DIRECT, subject=subject, started_by=actor, created_at=now,
            last_message_at=now, pair_key=pair_key,
        )  # fmt: skip
    for user_id in people:
        _join(conversation, user_id, now)
    staff = policy.can(actor, "answer", course)
    message = _post(
        conversation=conversation, sender=actor, body=body, key=key, now=now, by_staff=staff, is_check_in=check_in
    )
    _notify_message(actor=actor, conversation=conversation, message=message, recipients=list(people), check_in=check_in)
    return message


@transaction.atomic
def send_check_in(
    *,
    actor: User,
    course: Course,
    learner: User,
    body: str,
    now: datetime,
    key: str | None = None,
    origin: CheckInOrigin | None = None,
    throttled: bool = True,
) -> Message:
    """A teacher's short message to a learner who has gone quiet; the learner gets a check-in notification.

    Every check-in (by hand, from a template, by an automated rule, the demo's) comes through here and is
    written to the check-in log with its origin. A rule's background run is not throttled (`throttled=False`):
    its size is limited by the rule's own confirmation threshold."""
    key = _clean_key(key)
    earlier = _earlier(actor, key)
    if earlier is not None:
        return earlier
    policy.require(actor, "answer", course)
    membership = Membership.objects.filter(course=course, user_id=learner.pk).first()
    if membership is None or not policy.can(actor, "check_in", membership):
        raise InvalidInput(_("%(name)s is not a learner in this course.") % {"name": learner.display_name})
    message = send_direct(
        actor=actor, course=course, recipients=[learner], body=body, key=key, now=now, check_in=True,
        throttled=throttled,
    )  # fmt: skip
    origin = origin or CheckInOrigin()
    insights_services.record_check_in(
        message_id=message.pk, membership=membership, sender_id=actor.pk, sent_at=now, origin=origin
    )
    audit.record(
        actor=actor, verb="check_in", obj=message, course_id=course.pk, learner_id=learner.pk, source=origin.source,
        template=origin.template_key, rule_id=origin.rule_id,
    )  # fmt: skip
    return message


MAX_CHECK_IN_LEARNERS = throttle.STAFF_MESSAGES_PER_MINUTE


@transaction.atomic
def send_check_ins(
    *, actor: User, course: Course, learners: Sequence[User], body: str, now: datetime, key: str | None = None
) -> list[Message]:
    """The same check-in to several learners, each in their own private conversation: all are sent or
    none (one transaction). A repeated form (same key) sends nothing twice."""
    return send_personal_check_ins(
        actor=actor, course=course, messages=[(learner, body) for learner in learners], now=now, key=key
    )


def check_learner_count(count: int) -> None:
    """Refuse a check-in to nobody, or to more learners than one form may reach at once."""
    if not count:
        raise InvalidInput(_("Choose at least one learner to check in with."))
    if count > MAX_CHECK_IN_LEARNERS:
        raise InvalidInput(
            _("You chose %(n)s learners; a check-in goes to at most %(max)s at a time. Narrow the filter.")
            % {"n": count, "max": MAX_CHECK_IN_LEARNERS}
        )


@transaction.atomic
def send_personal_check_ins(
    *,
    actor: User,
    course: Course,
    messages: Sequence[tuple[User, str]],
    now: datetime,
    key: str | None = None,
    origin: CheckInOrigin | None = None,
) -> list[Message]:
    """A check-in to several learners, each with a text of their own (a readiness check-in names what each
    still has to do; a template is filled from each one's data), each in their own private conversation: all
    are sent or none (one transaction). A repeated form (same key) sends nothing twice. A learner named twice
    gets the last text given."""
    texts = {learner.pk: (learner, body) for learner, body in messages}
    check_learner_count(len(texts))
    key = _clean_key(key)
    return [
        send_check_in(
            actor=actor,
            course=course,
            learner=learner,
            body=body,
            now=now,
            key=learner_key(key, learner.pk),
            origin=origin,
        )
        for learner, body in texts.values()
    ]


def learner_key(key: str, learner_id: int) -> str:
    """Each learner's message gets its own idempotency key derived from the form's (at most 64 characters)."""
    return hashlib.sha256(f"{key}:{learner_id}".encode()).hexdigest()


# --- Reading and settings ---------------------------------------------------------------------------
def mark_read(*, user: User, conversation: Conversation, now: datetime) -> int:
    """The user has seen the conversation up to now (a no-op for staff reading a question they are not in)."""
    return Participant.objects.filter(conversation=conversation, user_id=user.pk).update(last_read_at=now)


@transaction.atomic
def save_settings(*, actor: User, course: Course, learners_may_message_learners: bool) -> CourseMessaging:
    policy.require(actor, "edit", course)
    row, _created = CourseMessaging.objects.select_for_update().get_or_create(course=course)
    if row.learners_may_message_learners != learners_may_message_learners:
        row.learners_may_message_learners = learners_may_message_learners
        row.save(update_fields=["learners_may_message_learners"])
        audit.record(
            actor=actor,
            verb="messaging_settings_changed",
            obj=row,
            course_id=course.pk,
            learners_may_message_learners=learners_may_message_learners,
        )
    return row
