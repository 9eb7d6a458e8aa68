"""The demo data set: a realistic course with a teacher, a TA, 30 learners across time zones and an observer,
with eight weeks of history (`demo_story` plans it; each app's `demo` part writes its share)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from cadence import demo_story, demo_text
from cadence.accounts.models import User
from cadence.assessment import demo as assessment_demo
from cadence.community import demo as community_demo
from cadence.content import demo as content_demo
from cadence.courses import services
from cadence.courses.models import Course, Group, Item, Membership, Role
from cadence.insights import health_snapshots
from cadence.insights import services as insights_services
from cadence.insights.domain import risk
from cadence.messaging import demo as messaging_demo
from cadence.progress import demo as progress_demo

DEMO_PASSWORD = "cadence-demo"  # noqa: S105 - the published demo password
DOMAIN = "demo.cadence.test"
COURSE_ZONE = ZoneInfo("Europe/London")
GRADING_LAG = timedelta(hours=12)  # the teacher's latest grading session ended at least this long ago
NEWEST_GRADED = timedelta(days=50)  # work handed in after the course's 50th day waits to be graded
LEARNER_ZONES = (
    "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney",
    "Europe/Berlin", "Africa/Nairobi", "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Auckland",
)  # fmt: skip
LEARNER_NAMES = (
    "Amara Okafor", "Ben Carter", "Chen Wei", "Diego Alvarez", "Elif Yilmaz", "Farah Haddad", "Gustav Berg",
    "Hana Sato", "Isaac Mensah", "Jade Martin", "Kofi Asante", "Lena Novak", "Mateo Rossi", "Nadia Rahman",
    "Oscar Lindqvist", "Priya Nair", "Quinn O'Brien", "Rosa Jiménez", "Sami Virtanen", "Tara Singh",
    "Umar Farouk", "Valentina Costa", "Wen Li", "Ximena Torres", "Yusuf Demir", "Zoe Dubois", "Aiko Tanaka",
    "Bruno Silva", "Chloe Evans", "Dmitri Ivanov",
)  # fmt: skip

# (kind, title, introduction, the day a steady learner does it, the day it is due: its end in the course's zone)
Entry = tuple[str, str, str, float, int | None]
OUTLINE: tuple[tuple[str, str, tuple[Entry, ...]], ...] = (
    (
        "Getting started",
        "How this course works, and how to plan your own pace.",
        (
            (
                "lesson",
                "Welcome and how to study here",
                "Start here: how this **self-paced** course works, and how to plan your own study time.",
                1,
                None,
            ),
            ("checklist", "Set up your study routine", "Four small steps to get ready. Tick each one as you go.", 2, 7),
            ("discussion", "Introduce yourself", "Tell the group where you are, and what you hope to learn.", 3, None),
        ),
    ),
    (
        "Reading data",
        "Tables, variables and where data comes from.",
        (
            (
                "video",
                "What is a data set?",
                "A six-second clip with captions and a searchable transcript.\n\n"
                "Key terms: *observation*, *variable*, *value*.",
                8,
                None,
            ),
            ("lesson", "Rows, columns and tidy data", "How to read a table, and what makes data *tidy*.", 10, None),
            (
                "file",
                "Rainfall data set (CSV)",
                "Monthly rainfall for twelve cities, 2014-2023. Used in the rest of the course.",
                11,
                None,
            ),
            (
                "quiz",
                "Check your understanding: variables",
                "Four questions on observations, variables and tidy data. Retake it as often as you like; each "
                "answer is marked as soon as you check it.",
                15,
                21,
            ),
            (
                "assignment",
                "Describe a data set",
                "Describe the rainfall data set in about 100 words: its observations, its variables, and whether it "
                "is tidy.",
                18,
                21,
            ),
        ),
    ),
    (
        "Summaries and charts",
        "Averages, and choosing the right chart.",
        (
            ("lesson", "Mean, median and mode", "Three kinds of average, and when each one misleads.", 24, None),
            (
                "video",
                "Bar chart or line chart?",
                "A six-second clip: when time is on the x-axis, a line usually tells the story better.",
                27,
                None,
            ),
            (
                "quiz",
                "Check your understanding: averages",
                "Four questions on the mean, the median and the mode. Retake it as often as you like; each answer "
                "is marked as soon as you check it.",
                31,
                35,
            ),
            (
                "assignment",
                "Make a chart of your own",
                "Pick two cities from the rainfall data and make one chart that compares them. Explain your choice "
                "in 100 words.",
                38,
                42,
            ),
        ),
    ),
    (
        "Drawing conclusions",
        "What data can and cannot tell us.",
        (
            ("lesson", "Correlation is not causation", "Ice cream sales and sunburn rise together. Why?", 44, None),
            (
                "link",
                "Interactive: guess the correlation",
                "An outside site where you guess correlations from scatter plots.",
                46,
                None,
            ),
            (
                "assignment",
                "Spot the third variable",
                "Find a claim that one thing causes another, and name what else could explain it.",
                49,
                52,
            ),
            (
                "discussion",
                "Find a misleading chart",
                "Share a chart from the news that misleads, and say how you would fix it.",
                55,
                58,
            ),
            (
                "quiz",
                "Final check",
                "Six questions from the whole course, drawn at random from the question bank. You have 20 minutes "
                "and two attempts; your answers are marked when you submit.",
                59,
                61,
            ),
        ),
    ),
)
COMPLETION_RULES = {"checklist": "checklist", "video": "watched", "quiz": "submitted", "assignment": "submitted"}
PLANNED_WEEKS = 9  # the pace a self-paced learner is measured against, from the day they joined


def story_outline() -> tuple[demo_story.ItemPlan, ...]:
    """The outline's items as the story sees them, in course order."""
    return tuple(
        demo_story.ItemPlan(title, kind, day, due_day)
        for _module, _summary, entries in OUTLINE
        for kind, title, _text, day, due_day in entries
    )


@dataclass(frozen=True)
class DemoAccounts:
    admin: User
    teacher: User
    ta: User
    observer: User
    learners: list[User]
    course: Course
    code_course: Course
    plans: list[demo_story.LearnerPlan]


def _user(email: str, name: str, zone: str, password: str, **extra: object) -> User:
    """A demo account. Every one has the published demo password, hashed once per seed: one Argon2 hash per
    account made seeding take half a minute."""
    return User.objects.create(email=email, password=password, display_name=name, time_zone=zone, **extra)


@transaction.atomic
def seed_demo(*, now: datetime | None = None) -> DemoAccounts:
    """The demo course with eight weeks of history ending `now`, and the accounts to explore it."""
    now = now or timezone.now()
    start = (now - timedelta(weeks=demo_story.WEEKS)).replace(minute=0, second=0, microsecond=0)
    with insights_services.refreshes_deferred():  # one refresh at the end, not one per piece of work
        accounts = _seed(now, start)
    # Fill the learners table and course health at once (the hourly tasks keep them current afterwards).
    insights_services.refresh_learners(course=accounts.course, now=now)
    health_snapshots.refresh_course(accounts.course, now=now)
    return accounts


def drop_queued_mail() -> int:
    """After seeding a fresh demo: the history is in the past, so its receipts and notification emails (queued as
    background tasks when the seed committed) are not sent; they would bury the sign-in details printed on
    start. Returns how many queued tasks were dropped."""
    pending = HUEY.pending_count()
    HUEY.flush()
    return int(pending)


def _seed(now: datetime, start: datetime) -> DemoAccounts:
    password = make_password(DEMO_PASSWORD)
    admin = _user(f"admin@{DOMAIN}", "Site Admin", "UTC", password, is_staff=True, is_superuser=True)
    teacher = _user(f"teacher@{DOMAIN}", "Maya Okonkwo", "Europe/London", password)
    teacher.user_permissions.add(Permission.objects.get(codename="add_course", content_type__app_label="courses"))
    ta = _user(f"ta@{DOMAIN}", "Sam Patel", "America/Chicago", password)
    observer = _user(f"parent@{DOMAIN}", "Alex Okafor", "Europe/London", password)
    learners = [
        _user(f"learner{n:02d}@{DOMAIN}", name, LEARNER_ZONES[(n - 1) % len(LEARNER_ZONES)], password)
        for n, name in enumerate(LEARNER_NAMES, start=1)
    ]

    course = services.create_course(
        actor=teacher,
        data={
            "title": "Data Literacy: Reading the World in Numbers",
            "slug": "data-literacy",
            "summary": "Learn to read, summarise and question data, at your own pace. About an hour a week.",
            "description": "Data is everywhere: in the news, in school reports, in your phone's step counter. "
            "In this self-paced course you learn to **read tables**, **summarise** them, **choose charts** that "
            "tell the truth, and **question** conclusions.\n\n"
            "*Who is it for?* Learners aged 14 and up, and adults returning to study. No maths beyond fractions.",
            "starts_at": start,
            "time_zone": "Europe/London",
            "pacing": "self_paced",
            "visibility": "published",
            "enrolment": "open",
        },
    )
    assessment_demo.add_bank(actor=teacher, course=course)
    items: list[Item] = []
    deadlines: dict[int, datetime] = {}
    for title, summary, entries in OUTLINE:
        module = services.create_module(actor=teacher, course=course, data={"title": title, "summary": summary})
        for kind, item_title, text, _day, due_day in entries:
            item = services.create_item(
                actor=teacher,
                module=module,
                data={
                    "kind": kind,
                    "title": item_title,
                    "description": text,
                    "completion_rule": COMPLETION_RULES.get(kind, "viewed"),
                },
            )
            content_demo.add_content(actor=teacher, item=item)
            if kind == "quiz":
                assessment_demo.add_quiz(actor=teacher, item=item)
            elif kind == "assignment":
                assessment_demo.add_assignment(actor=teacher, item=item)
            if due_day is not None:  # at 23:59 in the course's zone
                due = (start + timedelta(days=due_day)).astimezone(COURSE_ZONE)
                due = due.replace(hour=23, minute=59, second=0, microsecond=0)
                services.update_item(actor=teacher, item=item, data={"due_at": due})
                deadlines[len(items)] = due
            items.append(item)
    content_demo.add_library(actor=teacher, course=course)
    insights_services.save_risk_settings(
        actor=teacher, course=course, rules=risk.RiskSettings(), planned_weeks=PLANNED_WEEKS, now=start
    )

    calendar = demo_story.Calendar(start=start, now=now, deadlines=deadlines)
    plans = demo_story.plan(story_outline(), calendar, len(learners))
    groups = [Group.objects.create(course=course, name=name) for name in ("Evening study", "Weekend study")]
    Membership.objects.create(user=ta, course=course, role=Role.TA)
    observer_membership = Membership.objects.create(user=observer, course=course, role=Role.OBSERVER)
    for index, (learner, learner_plan) in enumerate(zip(learners, plans, strict=True)):
        membership = Membership.objects.create(user=learner, course=course, role=Role.LEARNER)
        Membership.objects.filter(pk=membership.pk).update(joined_at=learner_plan.joined)
        membership.groups.add(groups[index % 2])
        if index == 0:  # the demo parent follows learner01
            observer_membership.observed.add(membership)

    _study(course, items, learners, plans)
    _graded_work(teacher, items, learners, plans, now=now, start=start)
    community_demo.add_forums(
        course=course, teacher=teacher, ta=ta, learners=learners, now=now, start=start,
        introductions=_done(items, learners, plans, "Introduce yourself"),
        misleading=_done(items, learners, plans, "Find a misleading chart"),
    )  # fmt: skip
    messaging_demo.add_conversations(course=course, teacher=teacher, ta=ta, learners=learners, now=now)
    messaging_demo.add_check_ins(course=course, teacher=teacher, check_ins=_check_ins(learners, plans, calendar))

    code_course = services.create_course(
        actor=teacher,
        data={
            "title": "Statistics Club",
            "slug": "statistics-club",
            "summary": "A small follow-on course. Join it with the enrolment code.",
            "description": "Monthly puzzles about chance and data.",
            "time_zone": "Europe/London",
            "pacing": "cohort",
            "visibility": "published",
            "enrolment": "code",
        },
    )
    module = services.create_module(actor=teacher, course=code_course, data={"title": "Puzzles"})
    services.create_item(
        actor=teacher,
        module=module,
        data={
            "kind": "lesson",
            "title": "The birthday problem",
            "description": "How many people until two share a birthday?",
        },
    )
    return DemoAccounts(admin, teacher, ta, observer, learners, course, code_course, plans)


def _study(course: Course, items: list[Item], learners: list[User], plans: list[demo_story.LearnerPlan]) -> None:
    """Visits, time on task, video positions and the completions of ungraded items, in bulk."""
    visits = [
        progress_demo.Visit(learner, items[s.item], s.at, s.seconds)
        for learner, p in zip(learners, plans, strict=True)
        for s in p.sessions
    ]
    completions = [
        (learner, items[index], at) for learner, p in zip(learners, plans, strict=True) for index, at in p.done.items()
    ]
    watched = {
        (learner.pk, items[index].pk): share
        for learner, p in zip(learners, plans, strict=True)
        for index, share in p.watched.items()
    }
    progress_demo.add_history(
        course=course,
        visits=visits,
        completions=completions,
        watched=watched,
        video_seconds=content_demo.VIDEO_SECONDS,
    )
    content_demo.tick_checklists(done=[(u.pk, item, at) for u, item, at in completions if item.kind == "checklist"])


def _graded_work(
    teacher: User,
    items: list[Item],
    learners: list[User],
    plans: list[demo_story.LearnerPlan],
    *,
    now: datetime,
    start: datetime,
) -> None:
    """Quiz attempts and submissions through the services, in the order they happened; the teacher grades each
    submission a day or few later, except the newest (waiting to be graded)."""
    work = sorted(
        [
            (w.at, "quiz" if w in p.attempts else "submission", n, w)
            for n, p in enumerate(plans)
            for w in (*p.attempts, *p.submissions)
        ],
        key=lambda row: (row[0], row[2]),
    )
    to_grade = []
    for _at, kind, n, w in work:
        item = items[w.item]
        if kind == "quiz":
            assessment_demo.take_quiz(
                user=learners[n], item=item, started=w.at - timedelta(minutes=12), finished=w.at, share=w.share
            )
        else:
            submission = assessment_demo.hand_in(
                user=learners[n],
                item=item,
                text=demo_text.submission(item.title, n),
                now=w.at,
                key=f"demo-{n}-{w.item}",
            )
            if w.graded_at is not None and w.graded_at < now - GRADING_LAG and w.at < start + NEWEST_GRADED:
                to_grade.append((w.graded_at, submission, w.share, n))
    for graded_at, submission, share, _n in sorted(to_grade, key=lambda row: row[0]):
        assessment_demo.grade(
            grader=teacher,
            submission=submission,
            share=share,
            comment=demo_text.feedback(submission.assignment.item.title, share),
            now=graded_at,
        )


def _done(
    items: list[Item], learners: list[User], plans: list[demo_story.LearnerPlan], title: str
) -> list[tuple[User, datetime]]:
    index = next(i for i, item in enumerate(items) if item.title == title)
    return [(learner, p.done[index]) for learner, p in zip(learners, plans, strict=True) if index in p.done]


def _check_ins(
    learners: list[User], plans: list[demo_story.LearnerPlan], calendar: demo_story.Calendar
) -> list[messaging_demo.CheckIn]:
    """The teacher's check-ins, each saying how long the learner had been away when it was sent."""
    found: list[messaging_demo.CheckIn] = []
    for learner, p in zip(learners, plans, strict=True):
        if p.check_in_day is None:
            continue
        sent = calendar.at(p.check_in_day)
        before = [s.at + timedelta(seconds=s.seconds) for s in p.sessions if s.at < sent]
        quiet = math.floor((sent - max(before, default=p.joined)) / timedelta(days=1))
        replied = sent + timedelta(hours=4 + len(found)) if p.replied else None
        found.append(messaging_demo.CheckIn(learner=learner, sent_at=sent, quiet_days=quiet, replied_at=replied))
    return found
