"""The insights pages on a phone: course health, the teacher's home and the readiness page pass axe and fit
360 × 740 without sideways scrolling; a teacher without JavaScript checks in with the learners who have not
done a session's pre-work, and each learner receives a message naming what they still have to do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.community.models import ForumKind
from cadence.community.tests import factories as forums
from cadence.courses.models import Course, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.insights.tests.builders import assignment, submit
from cadence.insights.tests.factories import completed, opened, stats_for, submitted_attempt
from cadence.messaging.models import Message
from cadence.tests.browser.helpers import NewPage, sign_in, visit
from cadence.tests.browser.helpers import submit as click_through

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
DAY = timedelta(days=1)


def _fits(page: Page) -> None:
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    assert wide <= page.evaluate("window.innerWidth"), f"{page.url} is {wide} px wide on a 360 px screen"


def _class(teacher: User) -> tuple[Course, list[User]]:
    """A course with long titles, a video, a quiz, an assignment waiting to be graded, a forum question and
    three learners at different stages of the second module."""
    course = CourseFactory(title="Evidence-based reasoning for practitioners", slug="evidence")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    intro = ModuleFactory(course=course, title="Week 1: what counts as evidence", position=0)
    ItemFactory(module=intro, title="Why anecdotes mislead", position=0)
    ItemFactory(module=intro, kind="video", title="Interview with a statistician about measurement", position=1)
    prework = ModuleFactory(course=course, title="Week 2: randomised controlled trials", position=1)
    reading = ItemFactory(module=prework, title="Reading: the streptomycin trial of 1948", position=0)
    quiz = ItemFactory(module=prework, kind="quiz", title="Quiz on allocation concealment", position=1)
    task = assignment(course, title="Essay: design a fair test", due_at=timezone.now() + 2 * DAY)
    now = timezone.now()
    people = []
    for name in ("Amira Haddad-Okonkwo", "Tomás Villanueva", "Wiremu Te Rangi"):
        person = UserFactory(display_name=name)
        membership = MembershipFactory(course=course, user=person, role=Role.LEARNER)
        stats_for(membership, last_active_at=now - 3 * DAY)
        people.append(person)
    amira, tomas, _wiremu = people
    completed(amira, reading, now - DAY)
    submitted_attempt(amira, quiz, now - DAY, score="9")
    opened(tomas, reading, now - 2 * DAY)
    submit(task, tomas, at=now - DAY)
    qa = forums.forum(course, kind=ForumKind.QA, title="Questions and answers")
    forums.thread(tomas, qa, title="Is the Quiz on allocation concealment timed?")
    return course, people


def test_the_insights_pages_pass_axe_and_fit_a_phone(live_server: LiveServer, new_page: NewPage) -> None:
    teacher = UserFactory(display_name="Ms Rivera")
    _class(teacher)
    page = new_page(viewport=PHONE)
    sign_in(page, live_server.url, teacher)
    for path in ("/teaching/", "/courses/evidence/health/", "/courses/evidence/readiness/"):
        visit(page, f"{live_server.url}{path}")
        _fits(page)


def test_a_teacher_without_javascript_checks_in_with_learners_not_ready(
    live_server: LiveServer, new_page: NewPage
) -> None:
    teacher = UserFactory(display_name="Ms Rivera")
    _course, (amira, tomas, wiremu) = _class(teacher)
    page = new_page(java_script_enabled=False, viewport=PHONE)
    sign_in(page, live_server.url, teacher)
    visit(page, f"{live_server.url}/courses/evidence/")
    click_through(page, page.get_by_role("link", name="Readiness", exact=True))
    page.get_by_role("combobox", name="Module").select_option(label="Week 2: randomised controlled trials")
    click_through(page, page.get_by_role("button", name="Show"))
    expect(page.locator("#readiness-counts")).to_contain_text("Not started: 1")
    expect(page.locator("#readiness-counts")).to_contain_text("Partly done: 1")
    expect(page.locator("#readiness-counts")).to_contain_text("Ready: 1")
    _fits(page)
    click_through(page, page.get_by_role("button", name="Write a check-in to the 2 learners who are not ready"))
    _fits(page)
    text = page.get_by_label("Message to Tomás Villanueva")
    expect(text).to_contain_text("Still to do: “Reading: the streptomycin trial of 1948”")
    expect(page.get_by_label("Message to Wiremu Te Rangi")).to_contain_text("have not opened it yet")
    expect(page.get_by_label("Message to Amira Haddad-Okonkwo")).to_have_count(0)
    click_through(page, page.get_by_role("button", name="Send the 2 check-ins"))
    expect(page.locator("#messages")).to_contain_text("Check-in sent to 2 learners.")
    _fits(page)
    received = {m.conversation.participants.exclude(user=teacher).get().user_id: m.body for m in Message.objects.all()}
    assert set(received) == {tomas.pk, wiremu.pk}
    assert "Quiz on allocation concealment" in received[tomas.pk]
    assert amira.pk not in received
