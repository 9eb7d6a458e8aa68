"""The readiness page and its check-in: who may see it, what each learner's row says (items done by the end of
the session's day in their zone, quiz scores, questions), the TA group rule, bad input, the query budget,
and check-ins that name what each learner still has to do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.community.models import ForumKind
from cadence.community.tests import factories as forums
from cadence.core.testing.queries import count_queries
from cadence.courses.models import Course, Item, Membership, Module, Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.insights.domain.readiness import Status
from cadence.insights.tests import builders
from cadence.insights.tests.factories import completed, opened, stats_for, submitted_attempt
from cadence.insights.views import readiness as view
from cadence.messaging.models import Message
from cadence.messaging.tests import factories as messages
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def page_url(course: Course, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("insights:readiness", args=[course.slug]) + (f"?{query}" if query else "")


def check_in_url(course: Course) -> str:
    return reverse("insights:readiness-check-in", args=[course.slug])


def _learner(course: Course, name: str, *, zone: str = "UTC") -> User:
    user: User = UserFactory.create(display_name=name, time_zone=zone)
    membership = MembershipFactory(course=course, user=user, role=Role.LEARNER)
    stats_for(membership, last_active_at=timezone.now() - 2 * DAY)
    return user


class Class:
    """World's second module as the pre-work: two lessons and a quiz; four learners at each stage."""

    def __init__(self, world: CourseWorld) -> None:
        self.module: Module = world.modules[1]
        self.items: list[Item] = world.items[3:6]
        Item.objects.filter(pk=self.items[2].pk).update(kind="quiz", title="Quiz on spread")
        self.items[2].refresh_from_db()
        now = timezone.now()
        self.ready = world.learner
        stats_for(world.learner_membership, last_active_at=now)
        for item in self.items[:2]:
            completed(self.ready, item, now - DAY)
        submitted_attempt(self.ready, self.items[2], now - DAY, score="8")
        self.partly = _learner(world.course, "Bea")
        completed(self.partly, self.items[0], now - DAY)
        opened(self.partly, self.items[0], now - 2 * DAY)
        self.idle = _learner(world.course, "Cy")

    @property
    def session(self) -> date:
        return timezone.localdate() + 7 * DAY


@pytest.fixture
def class_(world: CourseWorld) -> Class:
    return Class(world)


def _rows(response: Any) -> dict[str, Any]:
    return {row.name: row for row in response.context["rows"]}


def test_the_teacher_sees_who_is_ready_partly_or_not_started_with_what_is_missing(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    client.force_login(world.teacher)
    response = client.get(page_url(world.course, module=class_.module.pk, date=class_.session.isoformat()))
    assert response.status_code == 200
    rows = _rows(response)
    assert [r.name for r in response.context["rows"]] == ["Cy", "Bea", "Learner"]  # who needs the teacher first
    assert rows["Learner"].status is Status.READY
    assert (rows["Bea"].status, rows["Bea"].done, rows["Bea"].total) == (Status.PARTLY, 1, 3)
    assert [i.title for i in rows["Bea"].missing] == ["Module 1 item 1", "Quiz on spread"]
    assert rows["Cy"].status is Status.NOT_STARTED
    assert response.context["report"].counts == {Status.NOT_STARTED: 1, Status.PARTLY: 1, Status.READY: 1}
    html = response.content.decode()
    assert "Quiz on spread: 80.0 %" in html
    assert "Write a check-in to the 2 learners who are not ready" in html


def test_the_default_is_the_first_module_and_a_week_from_today(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    client.force_login(world.teacher)
    response = client.get(page_url(world.course))
    assert response.status_code == 200
    assert response.context["report"].module == world.modules[0]
    assert response.context["report"].session_date == timezone.localdate() + 7 * DAY


def test_work_counts_only_until_the_end_of_the_session_day_in_the_learners_own_zone(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    session = timezone.localdate() - 3 * DAY  # looking back at a past session
    moment = datetime.combine(session, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    london = _learner(world.course, "Lena", zone="Europe/London")
    auckland = _learner(world.course, "Aroha", zone="Pacific/Auckland")
    for person in (london, auckland):
        for item in class_.items[:2]:
            completed(person, item, moment - 5 * DAY)
        submitted_attempt(person, class_.items[2], moment, score="10")  # noon UTC: already the next day in Auckland
    client.force_login(world.teacher)
    rows = _rows(client.get(page_url(world.course, module=class_.module.pk, date=session.isoformat())))
    assert rows["Lena"].status is Status.READY
    assert rows["Aroha"].status is Status.PARTLY
    assert rows["Aroha"].quiz_scores == ()  # the attempt came after her cutoff
    assert (
        "Write a check-in"
        not in client.get(page_url(world.course, module=class_.module.pk, date=session.isoformat())).content.decode()
    )  # the session has passed: nothing to check in about


def test_questions_about_the_module_are_counted_and_others_are_not(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    messages.question(class_.partly, world.course, subject="Stuck on Module 1 item 1")
    messages.question(class_.partly, world.course, subject="When is the exam?")
    qa = forums.forum(world.course, kind=ForumKind.QA, title="Q&A")
    forums.thread(class_.partly, qa, title="Is Quiz on spread timed?")
    forums.thread(class_.idle, qa, title="Where is the library?")
    client.force_login(world.teacher)
    response = client.get(page_url(world.course, module=class_.module.pk, date=class_.session.isoformat()))
    asked = response.context["questions"]
    assert sorted(q.title for q in asked[class_.partly.pk]) == ["Is Quiz on spread timed?", "Stuck on Module 1 item 1"]
    assert class_.idle.pk not in asked
    assert "When is the exam?" not in response.content.decode()


def test_the_status_filter_shows_one_kind_and_keeps_the_counts(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    client.force_login(world.teacher)
    response = client.get(
        page_url(world.course, module=class_.module.pk, date=class_.session.isoformat(), status="not_started")
    )
    assert [r.name for r in response.context["rows"]] == ["Cy"]
    assert response.context["report"].counts[Status.READY] == 1


def test_a_ta_limited_to_groups_sees_only_their_groups_learners(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    mine = GroupFactory(course=world.course, name="Tuesday")
    Membership.objects.get(course=world.course, user=world.ta).groups.add(mine)
    Membership.objects.get(course=world.course, user=class_.partly).groups.add(mine)
    client.force_login(world.ta)
    response = client.get(page_url(world.course, module=class_.module.pk, date=class_.session.isoformat()))
    assert [r.name for r in response.context["rows"]] == ["Bea"]
    assert response.context["report"].counts == {Status.NOT_STARTED: 0, Status.PARTLY: 1, Status.READY: 0}
    sent = client.post(check_in_url(world.course), _session(class_) | {"send": "1", "learners": f"{class_.idle.pk}"})
    assert sent.status_code == 400  # nobody to write to: Cy is outside the TA's groups
    assert "there is nobody to write to" in sent.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize("role", ["learner", "observer", "outsider"])
def test_people_who_do_not_teach_the_course_are_refused(
    client: Client, world: CourseWorld, class_: Class, role: str
) -> None:
    client.force_login(getattr(world, role))
    assert client.get(page_url(world.course)).status_code == 403
    assert client.post(check_in_url(world.course), _session(class_)).status_code == 403


def test_another_courses_teacher_is_refused_and_anonymous_is_sent_to_sign_in(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    response = client.get(page_url(world.course))
    assert response.status_code == 302
    assert "signin" in response["Location"]
    other = UserFactory()
    MembershipFactory(course=CourseFactory(), user=other, role=Role.TEACHER)
    client.force_login(other)
    assert client.get(page_url(world.course)).status_code == 403
    assert client.post(check_in_url(world.course), _session(class_) | {"send": "1"}).status_code == 403
    assert not Message.objects.exists()


def test_a_module_of_another_course_or_a_bad_date_is_refused_with_a_message(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    client.force_login(world.teacher)
    elsewhere = ModuleFactory(course=CourseFactory())
    response = client.get(page_url(world.course, module=elsewhere.pk, date=class_.session.isoformat()))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.get(page_url(world.course, module=class_.module.pk, date="31-02-2025"))
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()
    assert "report" not in response.context


def test_a_long_class_is_paged(
    client: Client, world: CourseWorld, class_: Class, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(view, "PER_PAGE", 2)
    client.force_login(world.teacher)
    first = client.get(page_url(world.course, module=class_.module.pk, date=class_.session.isoformat()))
    second = client.get(page_url(world.course, module=class_.module.pk, date=class_.session.isoformat(), page=2))
    assert [r.name for r in first.context["rows"]] == ["Cy", "Bea"]
    assert [r.name for r in second.context["rows"]] == ["Learner"]


def _course_with(n: int, teacher: User) -> tuple[Course, Module]:
    """A class of `n` learners in zones far apart, with lessons, a quiz and an assignment, work and questions."""
    course = CourseFactory()
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    module = ModuleFactory(course=course)
    items = [ItemFactory(module=module) for _ in range(2)]
    quiz = ItemFactory(module=module, kind="quiz")
    essay = builders.assignment(course, title="Essay")  # in the course's one module
    now = timezone.now()
    for i in range(n):
        person = _learner(course, f"Learner {i}", zone=["UTC", "Pacific/Auckland", "America/Los_Angeles"][i % 3])
        if i % 2:
            completed(person, items[0], now)
            submitted_attempt(person, quiz, now, score="5")
            builders.submit(essay, person, at=now)
        else:
            opened(person, items[1], now)
        messages.question(person, course, subject=f"About {items[0].title}")
    return course, module


def test_the_page_costs_the_same_queries_for_5_and_50_learners(client: Client) -> None:
    teacher = UserFactory()
    (small, small_module), (large, large_module) = _course_with(5, teacher), _course_with(50, teacher)
    client.force_login(teacher)
    day = (timezone.localdate() + DAY).isoformat()
    assert count_queries(client, page_url(small, module=small_module.pk, date=day)) == count_queries(
        client, page_url(large, module=large_module.pk, date=day)
    )


# --- The check-in ---------------------------------------------------------------------------------------
def _session(class_: Class) -> dict[str, str]:
    return {"module": str(class_.module.pk), "date": class_.session.isoformat()}


def test_the_composer_suggests_a_text_per_learner_naming_what_each_still_has_to_do(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    client.force_login(world.teacher)
    response = client.post(check_in_url(world.course), _session(class_))
    assert response.status_code == 200
    form = response.context["form"]
    bea, cy = form.initial[f"body_{class_.partly.pk}"], form.initial[f"body_{class_.idle.pk}"]
    assert "So far you have done 1 of its 3 items" in bea
    assert "“Module 1 item 1”, “Quiz on spread”" in bea
    assert "not opened" not in bea
    assert "have not opened it yet" in cy
    assert f"body_{class_.ready.pk}" not in form.fields  # the ready learner is not written to


def test_sending_writes_each_learner_their_own_text_once(client: Client, world: CourseWorld, class_: Class) -> None:
    client.force_login(world.teacher)
    composer = client.post(check_in_url(world.course), _session(class_)).context["form"]
    data = _session(class_) | {
        "send": "1",
        "key": composer.initial["key"],
        "learners": composer.initial["learners"],
        f"body_{class_.partly.pk}": "Bea: two items to go.",
        f"body_{class_.idle.pk}": "Cy: three items to go.",
    }
    response = client.post(check_in_url(world.course), data)
    assert response.status_code == 302
    assert response["Location"].startswith(page_url(world.course))
    assert client.post(check_in_url(world.course), data).status_code == 302  # the same form again
    sent = {
        m.conversation.participants.exclude(user=world.teacher).get().user_id: m.body for m in Message.objects.all()
    }
    assert sent == {class_.partly.pk: "Bea: two items to go.", class_.idle.pk: "Cy: three items to go."}
    assert all(m.is_check_in for m in Message.objects.all())


def test_a_learner_who_became_ready_meanwhile_is_not_written_to(
    client: Client, world: CourseWorld, class_: Class
) -> None:
    client.force_login(world.teacher)
    composer = client.post(check_in_url(world.course), _session(class_)).context["form"]
    for item in class_.items[1:2]:
        completed(class_.partly, item, timezone.now())
    submitted_attempt(class_.partly, class_.items[2], timezone.now(), score="9")
    data = _session(class_) | {
        "send": "1",
        "key": composer.initial["key"],
        "learners": composer.initial["learners"],
        f"body_{class_.idle.pk}": "Cy: three items to go.",
    }
    assert client.post(check_in_url(world.course), data).status_code == 302
    assert [m.body for m in Message.objects.all()] == ["Cy: three items to go."]


def test_an_empty_text_is_refused_and_nothing_is_sent(client: Client, world: CourseWorld, class_: Class) -> None:
    client.force_login(world.teacher)
    composer = client.post(check_in_url(world.course), _session(class_)).context["form"]
    data = _session(class_) | {
        "send": "1",
        "learners": composer.initial["learners"],
        f"body_{class_.partly.pk}": "Fine",
        f"body_{class_.idle.pk}": "",
    }
    response = client.post(check_in_url(world.course), data)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Message.objects.exists()


def test_a_check_in_about_a_past_session_is_refused(client: Client, world: CourseWorld, class_: Class) -> None:
    client.force_login(world.teacher)
    past = {"module": str(class_.module.pk), "date": (timezone.localdate() - DAY).isoformat()}
    response = client.post(check_in_url(world.course), past | {"send": "1"})
    assert response.status_code == 400
    assert "in the past" in response.content.decode()
    assert not Message.objects.exists()


def test_too_many_learners_at_once_are_refused_with_advice(
    client: Client, world: CourseWorld, class_: Class, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(view.messaging_services, "MAX_CHECK_IN_LEARNERS", 1)
    client.force_login(world.teacher)
    response = client.post(check_in_url(world.course), _session(class_))
    assert "at most 1 at a time" in response.content.decode()
    assert "Choose a group" in response.content.decode()
