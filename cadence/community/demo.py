"""The demo course's forums: announcements, a Q&A forum with an endorsed answer and an open question, and
introductions in the "Introduce yourself" discussion item. Written through the services, so unread
markers, counters and notifications are what real use would leave."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.test import override_settings

from cadence.accounts.models import User
from cadence.community import services
from cadence.community.models import Forum, ForumKind
from cadence.courses.models import Course, Item, ItemKind

INTRODUCTIONS = (
    "Hi, I'm studying after work in the evenings. I want to stop being fooled by charts in the news.",
    "Hello from a rainy afternoon! I'm 15 and doing this alongside school. Graphs in geography got me curious.",
    "Hi all. I run a small shop and want to understand my own sales numbers better.",
    "Hey! I like sport statistics and want to learn what the numbers on the screen actually mean.",
)


@override_settings(COMMUNITY_POSTS_PER_MINUTE=1000)  # the demo writes a week of posts in a second
def add_forums(*, course: Course, teacher: User, ta: User, learners: Sequence[User], now: datetime) -> None:
    announcements = services.create_forum(
        actor=teacher, course=course,
        data=services.ForumInput(title="Announcements", kind=ForumKind.ANNOUNCEMENTS,
                                 description="News from the teachers. Everyone in the course is told."),
    )  # fmt: skip
    welcome = services.create_thread(
        actor=teacher, forum=announcements, title="Welcome! How to get the most out of this course",
        body="Welcome, everyone. Work at your own pace, but try to keep **a regular time each week**.\n\n"
        "- Ask questions in *Questions about the course*: someone else probably wonders too.\n"
        "- Use *Ask the teachers* for anything private.\n- Sam and I answer within a day on weekdays.",
        now=now - timedelta(days=20),
    )  # fmt: skip
    services.set_pinned(actor=teacher, thread=welcome, pinned=True)

    questions = services.create_forum(
        actor=teacher, course=course,
        data=services.ForumInput(title="Questions about the course", kind=ForumKind.QA,
                                 description="Ask about the lessons and tasks. Mark your question answered once it is."),
    )  # fmt: skip
    median = services.create_thread(
        actor=learners[2], forum=questions, title="Why is the median better than the mean for house prices?",
        body="The lesson says the median is 'more typical' for house prices. Isn't the mean more accurate?",
        now=now - timedelta(days=6, hours=4),
    )  # fmt: skip
    services.create_reply(
        actor=learners[7], thread=median, now=now - timedelta(days=6, hours=2),
        body="I think it's because a few mansions pull the mean up?",
    )  # fmt: skip
    answer = services.create_reply(
        actor=ta, thread=median, now=now - timedelta(days=6, hours=1),
        body=f"Exactly, @[{learners[7].display_name}] has it. A few very expensive houses pull the **mean** far "
        "above what most people pay, while the **median** is the price in the middle. Try it with the worked "
        "example: add one house at ten times the price and see which one moves.",
    )  # fmt: skip
    services.set_endorsed(actor=teacher, post=answer, endorsed=True, now=now - timedelta(days=6))
    services.set_answered(actor=learners[2], thread=median, answered=True, now=now - timedelta(days=5, hours=20))
    services.create_thread(
        actor=learners[9], forum=questions, title="Do the axes of a bar chart always have to start at zero?",
        body="Module 3 says bar charts must start at zero, but line charts don't. Why the difference?",
        now=now - timedelta(hours=9),
    )  # fmt: skip

    intro = Item.objects.filter(course=course, kind=ItemKind.DISCUSSION, title="Introduce yourself").first()
    forum = Forum.objects.filter(item=intro).first() if intro is not None else None
    if forum is not None:
        hello = services.create_thread(
            actor=teacher, forum=forum, title="Say hello here",
            body="Tell us where you are, when you usually study, and one thing you hope to learn.",
            now=now - timedelta(days=19),
        )  # fmt: skip
        for n, text in enumerate(INTRODUCTIONS):
            services.create_reply(actor=learners[n], thread=hello, body=text, now=now - timedelta(days=18 - n, hours=n))
