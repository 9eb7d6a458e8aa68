"""The demo course's private conversations: questions to the teachers (one answered, one waiting) and a check-in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from cadence.accounts.models import User
from cadence.courses.models import Course
from cadence.messaging import services


def add_conversations(*, course: Course, teacher: User, ta: User, learners: Sequence[User], now: datetime) -> None:
    answered = services.ask_question(
        actor=learners[0], course=course, subject="Is the median always the middle row?", key="demo-q1",
        body="In the table of bus journeys the middle row is 14 minutes, but the worked example says 15. "
        "Do I need to **sort** the rows first?",
        now=now - timedelta(days=3, hours=5),
    )  # fmt: skip
    services.reply(
        actor=ta, conversation=answered, key="demo-a1",
        body="Yes: sort first, then take the middle value. With an even number of rows, take the mean of the "
        "two middle ones. That is where the 15 comes from.",
        now=now - timedelta(days=3, hours=2, minutes=40),
    )  # fmt: skip
    services.ask_question(
        actor=learners[4], course=course, subject="Can I hand in the chart assignment as a photo?", key="demo-q2",
        body="I drew my bar chart by hand. Is a photo of it fine, or does it need to be made on a computer?",
        now=now - timedelta(hours=5),
    )  # fmt: skip
    check_in = services.send_check_in(
        actor=teacher, course=course, learner=learners[11], key="demo-c1",
        body=f"Hi {learners[11].display_name.split()[0]}, I noticed you have not been in for a while. How is it "
        "going? If something in module 2 is in the way, reply here and we will sort it out together.",
        now=now - timedelta(days=1, hours=3),
    )  # fmt: skip
    services.reply(
        actor=learners[11], conversation=check_in.conversation,
        key="demo-c1-reply", body="Thanks! Exams at school this week. I will be back on Saturday.",
        now=now - timedelta(hours=20),
    )  # fmt: skip
