"""The demo course's private conversations: questions to the teachers (one answered, one waiting) and the
teacher's check-ins with learners who had gone quiet, some answered (those learners came back), some not yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cadence.accounts.models import User
from cadence.courses.models import Course
from cadence.messaging import services

REPLIES = (
    "Thanks for asking! Exams at school took all my time. I will be back tomorrow.",
    "Sorry, I had a busy fortnight at work. Starting again this evening.",
    "Thank you, I got stuck and stopped. I'll pick it up from where I left off.",
)


@dataclass(frozen=True)
class CheckIn:
    learner: User
    sent_at: datetime
    quiet_days: int  # whole days since the learner's last activity, when it was sent
    replied_at: datetime | None = None


def add_conversations(*, course: Course, teacher: User, ta: User, learners: Sequence[User], now: datetime) -> None:
    answered = services.ask_question(
        actor=learners[0], course=course, subject="Is the median always the middle row?", key="demo-q1",
        body="For 3, 9, 4, 1 and 7 I took the middle one, 4, and it was right. But with six numbers there is no "
        "middle one. What is the median then? And do I need to **sort** them first?",
        now=now - timedelta(days=3, hours=5),
    )  # fmt: skip
    services.reply(
        actor=ta, conversation=answered, key="demo-a1",
        body="Yes: always sort first (4 was the middle of 1, 3, 4, 7, 9 only after sorting). With an even number "
        "of values, the median is the mean of the two middle ones.",
        now=now - timedelta(days=3, hours=2, minutes=40),
    )  # fmt: skip
    services.ask_question(
        actor=learners[4], course=course, subject="Can I hand in the chart assignment as a photo?", key="demo-q2",
        body="I know it is late. I drew my line chart by hand: is a photo of it fine, or does it need to be made "
        "on a computer?",
        now=now - timedelta(hours=5),
    )  # fmt: skip


def add_check_ins(*, course: Course, teacher: User, check_ins: Sequence[CheckIn]) -> None:
    """Each check-in says only what the data showed when it was sent: how long the learner had been away."""
    for n, check_in in enumerate(check_ins):
        first_name = check_in.learner.display_name.split()[0]
        message = services.send_check_in(
            actor=teacher, course=course, learner=check_in.learner, key=f"demo-check-in-{n}",
            body=f"Hi {first_name}, you have not been in the course for {check_in.quiet_days} days. How is it "
            "going? If something is in the way, reply here and we will sort it out together.",
            now=check_in.sent_at,
        )  # fmt: skip
        if check_in.replied_at is not None:
            services.reply(
                actor=check_in.learner, conversation=message.conversation, key=f"demo-check-in-{n}-reply",
                body=REPLIES[n % len(REPLIES)], now=check_in.replied_at,
            )  # fmt: skip
