"""The demo data set: a realistic course with a teacher, a TA, 30 learners across time zones, an observer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from cadence.accounts.models import User
from cadence.assessment import demo as assessment_demo
from cadence.community import demo as community_demo
from cadence.content import demo as content_demo
from cadence.courses import services
from cadence.courses.models import Course, Group, Membership, Role
from cadence.messaging import demo as messaging_demo

DEMO_PASSWORD = "cadence-demo"  # noqa: S105 - the published demo password
DOMAIN = "demo.cadence.test"
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

OUTLINE: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Getting started",
        "How this course works, and how to plan your own pace.",
        (
            (
                "lesson",
                "Welcome and how to study here",
                "Start here: how this **self-paced** course works, and how to plan your own study time.",
            ),
            (
                "checklist",
                "Set up your study routine",
                "Four small steps to get ready. Tick each one as you go.",
            ),
            ("discussion", "Introduce yourself", "Tell the group where you are, and what you hope to learn."),
        ),
    ),
    (
        "Reading data",
        "Tables, variables and where data comes from.",
        (
            (
                "video",
                "What is a data set?",
                "A short clip with captions and a searchable transcript.\n\nKey terms: *observation*, *variable*, *value*.",
            ),
            (
                "lesson",
                "Rows, columns and tidy data",
                "How to read a table, and what makes data *tidy*.",
            ),
            (
                "file",
                "Rainfall data set (CSV)",
                "Monthly rainfall for twelve cities, 2014-2023. Used in the next two modules.",
            ),
            (
                "quiz",
                "Check your understanding: variables",
                "Five questions. You can try as often as you like; feedback comes straight away.",
            ),
        ),
    ),
    (
        "Summaries and charts",
        "Averages, spread, and choosing the right chart.",
        (
            (
                "lesson",
                "Mean, median and mode",
                "Three kinds of average, and when each one misleads.",
            ),
            (
                "link",
                "Interactive: guess the correlation",
                "An outside site where you guess correlations from scatter plots.",
            ),
            ("video", "Bar chart or line chart?", "When time is on the x-axis, a line usually tells the story better."),
            (
                "assignment",
                "Make a chart of your own",
                "Pick two cities from the rainfall data and make one chart that compares them. Explain your choice in 100 words.",
            ),
        ),
    ),
    (
        "Drawing conclusions",
        "What data can and cannot tell us.",
        (
            ("lesson", "Correlation is not causation", "Ice cream sales and sunburn rise together. Why?"),
            (
                "discussion",
                "Find a misleading chart",
                "Share a chart from the news that misleads, and say how you would fix it.",
            ),
            ("quiz", "Final check", "Ten questions across the whole course."),
        ),
    ),
)


# Deadlines that land on the dashboard: one overdue, two this week, one later.
DUE_IN_DAYS = {
    "Set up your study routine": -2,
    "Check your understanding: variables": 2,
    "Make a chart of your own": 6,
    "Final check": 20,
}


@dataclass(frozen=True)
class DemoAccounts:
    admin: User
    teacher: User
    ta: User
    observer: User
    learners: list[User]
    course: Course
    code_course: Course


def _user(email: str, name: str, zone: str, **extra: object) -> User:
    return User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=name, time_zone=zone, **extra)


@transaction.atomic
def seed_demo() -> DemoAccounts:
    now = timezone.now()
    admin = _user(f"admin@{DOMAIN}", "Site Admin", "UTC", is_staff=True, is_superuser=True)
    teacher = _user(f"teacher@{DOMAIN}", "Maya Okonkwo", "Europe/London")
    teacher.user_permissions.add(Permission.objects.get(codename="add_course", content_type__app_label="courses"))
    ta = _user(f"ta@{DOMAIN}", "Sam Patel", "America/Chicago")
    observer = _user(f"parent@{DOMAIN}", "Alex Okafor", "Europe/London")
    learners = [
        _user(f"learner{n:02d}@{DOMAIN}", name, LEARNER_ZONES[(n - 1) % len(LEARNER_ZONES)])
        for n, name in enumerate(LEARNER_NAMES, start=1)
    ]

    course = services.create_course(
        actor=teacher,
        data={
            "title": "Data Literacy: Reading the World in Numbers",
            "slug": "data-literacy",
            "summary": "Learn to read, summarise and question data, at your own pace. About 3 hours a week.",
            "description": "Data is everywhere: in the news, in school reports, in your phone's step counter. "
            "In this self-paced course you learn to **read tables**, **summarise** them, **choose charts** that "
            "tell the truth, and **question** conclusions.\n\n"
            "*Who is it for?* Learners aged 14 and up, and adults returning to study. No maths beyond fractions.",
            "starts_at": now - timedelta(days=21),
            "time_zone": "Europe/London",
            "pacing": "self_paced",
            "visibility": "published",
            "enrolment": "open",
        },
    )
    assessment_demo.add_bank(actor=teacher, course=course)
    for title, summary, items in OUTLINE:
        module = services.create_module(actor=teacher, course=course, data={"title": title, "summary": summary})
        for kind, item_title, text in items:
            rule = {"checklist": "checklist", "video": "watched", "quiz": "submitted", "assignment": "submitted"}.get(
                kind, "viewed"
            )
            item = services.create_item(
                actor=teacher,
                module=module,
                data={"kind": kind, "title": item_title, "description": text, "completion_rule": rule},
            )
            content_demo.add_content(actor=teacher, item=item)
            if kind == "quiz":
                assessment_demo.add_quiz(actor=teacher, item=item)
            elif kind == "assignment":
                assessment_demo.add_assignment(actor=teacher, item=item)
            if item_title in DUE_IN_DAYS:  # at 23:59 in the course's zone, some days from now
                due = (now + timedelta(days=DUE_IN_DAYS[item_title])).astimezone(ZoneInfo("Europe/London"))
                services.update_item(
                    actor=teacher, item=item, data={"due_at": due.replace(hour=23, minute=59, second=0, microsecond=0)}
                )
    content_demo.add_library(actor=teacher, course=course)

    groups = [Group.objects.create(course=course, name=name) for name in ("Evening study", "Weekend study")]
    Membership.objects.create(user=ta, course=course, role=Role.TA)
    observer_membership = Membership.objects.create(user=observer, course=course, role=Role.OBSERVER)
    for index, learner in enumerate(learners):
        membership = Membership.objects.create(user=learner, course=course, role=Role.LEARNER)
        membership.groups.add(groups[index % 2])
        if index == 0:
            observer_membership.observed.add(membership)
    messaging_demo.add_conversations(course=course, teacher=teacher, ta=ta, learners=learners, now=now)
    # The demo parent follows learner01, whose first assignment is graded and released: the family page is true.
    assessment_demo.add_graded_submission(teacher=teacher, learner=learners[0], course=course, now=now)
    community_demo.add_forums(course=course, teacher=teacher, ta=ta, learners=learners, now=now)

    code_course = services.create_course(
        actor=teacher,
        data={
            "title": "Statistics Club (join with a code)",
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
    return DemoAccounts(admin, teacher, ta, observer, learners, course, code_course)
