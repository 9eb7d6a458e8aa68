from __future__ import annotations

from django.utils import timezone

from cadence.accounts.models import User
from cadence.courses.models import Course
from cadence.messaging import services
from cadence.messaging.models import Conversation, Message


def question(
    learner: User, course: Course, subject: str = "How are medians found?", body: str = "Please explain."
) -> Conversation:
    return services.ask_question(actor=learner, course=course, subject=subject, body=body, key=None, now=timezone.now())


def direct(sender: User, course: Course, *recipients: User, body: str = "Hello") -> Message:
    return services.send_direct(
        actor=sender, course=course, recipients=list(recipients), body=body, key=None, now=timezone.now()
    )
