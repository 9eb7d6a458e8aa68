"""The demo course's forums: announcements, a Q&A forum with answered and open questions (and one reported
reply), introductions in "Introduce yourself" and examples in "Find a misleading chart". Written through the
services at the moments the demo's story gives, so unread markers, counters, first answers and notifications are
what real use would leave."""

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
    "Hello! I'm a nurse, and our ward shares a lot of charts. I'd like to read them with more confidence.",
    "Hi everyone, I'm back in education after twenty years. A bit nervous, mostly excited.",
    "Good morning from the other side of the world! I study before work, with coffee.",
    "Hi, I help at a community garden and we keep rainfall records. This course looked made for us.",
    "Hello. I'm preparing for a statistics course at college next year and want a head start.",
    "Hi! My teacher recommended this course. I like maps and anything with numbers.",
)
MISLEADING = (
    "A bar chart of house prices in a local paper: the axis starts at 200,000, so a 5 % rise looks like "
    "prices doubled. Starting the axis at zero would fix it.",
    "An advert compared 'our' phone battery with 'the leading brand' but never said which brand or how they "
    "measured. No data, no comparison.",
    "A pie chart of a survey where the slices add up to 130 % because people could pick several answers. A "
    "bar chart per answer would be honest.",
    "A line chart of crime that only showed the last three months, so a normal summer rise looked like a crisis. "
    "Showing several years would put it in context.",
)


@override_settings(COMMUNITY_POSTS_PER_MINUTE=1000)  # the demo writes weeks of posts in a second
def add_forums(
    *,
    course: Course,
    teacher: User,
    ta: User,
    learners: Sequence[User],
    now: datetime,
    start: datetime,
    introductions: Sequence[tuple[User, datetime]],
    misleading: Sequence[tuple[User, datetime]],
) -> None:
    """`introductions` and `misleading`: who posted in those two discussions, when (while they were active)."""
    announcements = services.create_forum(
        actor=teacher, course=course,
        data=services.ForumInput(title="Announcements", kind=ForumKind.ANNOUNCEMENTS,
                                 description="News from the teachers. Everyone in the course is told."),
    )  # fmt: skip
    welcome = services.create_thread(
        actor=teacher, forum=announcements, title="Welcome! How to get the most out of this course",
        body="Welcome, everyone. Work at your own pace, but try to keep **a regular time each week**.\n\n"
        "- Ask questions in *Questions about the course*: someone else probably wonders too.\n"
        "- Use *Ask the teachers* for anything private.\n- Sam and I try to answer within a day on weekdays.",
        now=start - timedelta(hours=2),
    )  # fmt: skip
    services.set_pinned(actor=teacher, thread=welcome, pinned=True)
    services.create_thread(
        actor=teacher, forum=announcements, title="The final check is open",
        body="The **final check** is open: six questions from the whole course, 20 minutes, two attempts. "
        "It is due in the course's last week; the course page shows the exact time in your own zone.",
        now=now - timedelta(days=6),
    )  # fmt: skip

    questions = services.create_forum(
        actor=teacher, course=course,
        data=services.ForumInput(title="Questions about the course", kind=ForumKind.QA,
                                 description="Ask about the lessons and tasks. Mark your question answered once it is."),
    )  # fmt: skip
    _answered_questions(questions, teacher=teacher, ta=ta, learners=learners, now=now, start=start)
    services.create_thread(
        actor=learners[12], forum=questions, title="Which average do large values pull the most?",
        body="In the averages quiz I chose the median, because the lesson says it is about house prices, and it "
        "was marked wrong. Why is it the mean?",
        now=now - timedelta(days=2, hours=3),
    )  # fmt: skip
    services.create_thread(
        actor=learners[9], forum=questions, title="Do the axes of a bar chart always have to start at zero?",
        body="The chart video says bars compare separate things. Do their axes always have to start at zero, "
        "when line charts don't?",
        now=now - timedelta(hours=9),
    )  # fmt: skip

    _discussion(course, "Introduce yourself", teacher, start + timedelta(hours=1), "Say hello here",
                "Tell us where you are, when you usually study, and one thing you hope to learn.",
                [(who, when, INTRODUCTIONS[n % len(INTRODUCTIONS)]) for n, (who, when) in enumerate(introductions)])  # fmt: skip
    _discussion(course, "Find a misleading chart", teacher, start + timedelta(days=48), "Share your chart here",
                "Post the chart (or describe it), say how it misleads, and how you would fix it.",
                [(who, when, MISLEADING[n % len(MISLEADING)]) for n, (who, when) in enumerate(misleading)])  # fmt: skip


def _asked_and_answered(
    forum: Forum,
    *,
    asker: User,
    asked: datetime,
    title: str,
    body: str,
    answerer: User,
    answered: datetime,
    answer: str,
    marked: datetime,
) -> None:
    """A question answered by the staff, which its asker then marked answered."""
    thread = services.create_thread(actor=asker, forum=forum, title=title, body=body, now=asked)
    services.create_reply(actor=answerer, thread=thread, now=answered, body=answer)
    services.set_answered(actor=asker, thread=thread, answered=True, now=marked)


def _answered_questions(
    forum: Forum, *, teacher: User, ta: User, learners: Sequence[User], now: datetime, start: datetime
) -> None:
    """Three answered questions (after 3, 5 and 20 hours), one with an unkind reply a classmate reported."""
    _asked_and_answered(
        forum, asker=learners[3], asked=start + timedelta(days=9, hours=10),
        title="Is a 'variable' the same as in maths?",
        body="In maths a variable is a letter like x. Here it seems to be a column. Are they the same idea?",
        answerer=ta, answered=start + timedelta(days=9, hours=13),
        answer="Close cousins. In maths, x stands for a value you don't know yet; in data, a variable is a property "
        "that takes a value for every observation: rainfall is one value per city and month.",
        marked=start + timedelta(days=9, hours=15),
    )  # fmt: skip
    _asked_and_answered(
        forum, asker=learners[10], asked=start + timedelta(days=11, hours=8),
        title="How do I open the CSV in a spreadsheet?",
        body="I downloaded the rainfall file but it opens as one long line of text. What do I do?",
        answerer=teacher, answered=start + timedelta(days=11, hours=13),
        answer="Open your spreadsheet first, then use File → Import (or Open) and choose *comma* as the separator. "
        "Each value then gets its own cell.",
        marked=start + timedelta(days=12),
    )  # fmt: skip

    median = services.create_thread(
        actor=learners[2], forum=forum, title="Why is the median better than the mean for house prices?",
        body="The lesson says the median is 'more typical' for house prices. Isn't the mean more accurate?",
        now=now - timedelta(days=6, hours=4),
    )  # fmt: skip
    rude = services.create_reply(
        actor=learners[26], thread=median, now=now - timedelta(days=6, hours=3),
        body="Just google it, this has been asked a hundred times.",
    )  # fmt: skip
    services.create_reply(
        actor=learners[7], thread=median, now=now - timedelta(days=6, hours=2),
        body="I think it's because a few mansions pull the mean up?",
    )  # fmt: skip
    answer = services.create_reply(
        actor=ta, thread=median, now=now - timedelta(days=6, hours=1),
        body=f"Exactly, @[{learners[7].display_name}] has it. A few very expensive houses pull the **mean** far "
        "above what most people pay, while the **median** is the price in the middle. Try it: add one house at "
        "ten times the price and see which one moves.",
    )  # fmt: skip
    services.set_endorsed(actor=teacher, post=answer, endorsed=True, now=now - timedelta(days=6))
    services.set_answered(actor=learners[2], thread=median, answered=True, now=now - timedelta(days=5, hours=20))
    services.report_post(
        actor=learners[2], post=rude, reason="Not helpful, and unkind to someone asking.",
        now=now - timedelta(days=5, hours=19),
    )  # fmt: skip


def _discussion(
    course: Course,
    title: str,
    teacher: User,
    opened: datetime,
    thread_title: str,
    prompt: str,
    posts: Sequence[tuple[User, datetime, str]],
) -> None:
    item = Item.objects.filter(course=course, kind=ItemKind.DISCUSSION, title=title).first()
    forum = Forum.objects.filter(item=item).first() if item is not None else None
    if forum is None:
        return
    thread = services.create_thread(actor=teacher, forum=forum, title=thread_title, body=prompt, now=opened)
    for who, when, text in sorted(posts, key=lambda p: p[1]):
        services.create_reply(actor=who, thread=thread, body=text, now=max(when, opened + timedelta(minutes=5)))
