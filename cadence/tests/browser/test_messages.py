"""A learner asks the teachers a private question; the teacher answers from the queue; the learner sees it answered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory, ModuleFactory
from cadence.tests.browser.helpers import NewPage, sign_in, submit, visit

pytestmark = pytest.mark.browser


def test_learner_asks_teacher_answers_and_learner_sees_the_answer(live_server: LiveServer, new_page: NewPage) -> None:
    course = CourseFactory(title="Evidence", slug="evidence")
    ModuleFactory(course=course, title="Week 1")
    teacher = UserFactory(display_name="Ms Rivera")
    learner = UserFactory(display_name="Tomás")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    base = live_server.url

    # The learner has JavaScript off: every step works with plain forms and links.
    learner_page = new_page(java_script_enabled=False)
    sign_in(learner_page, base, learner)
    visit(learner_page, f"{base}/courses/evidence/ask/")
    learner_page.get_by_label("Subject").fill("Which average for skewed data?")
    learner_page.get_by_label("Your question").fill("Should I use the **median** for incomes?")
    submit(learner_page, learner_page.get_by_role("button", name="Send question"))
    expect(learner_page.locator("#messages")).to_contain_text("sent to the course's teachers")
    expect(learner_page.get_by_role("heading", level=1)).to_have_text("Which average for skewed data?")
    expect(learner_page.locator("strong.badge")).to_have_text("Open")

    page = new_page()
    sign_in(page, base, teacher)
    visit(page, f"{base}/courses/evidence/ask/queue/")
    expect(page.locator("#queue-open-count")).to_have_text("1 open question")
    submit(page, page.get_by_role("link", name="Which average for skewed data?"))
    page.get_by_label("Your reply").fill("Yes: the median resists the few very high incomes.")
    submit(page, page.get_by_role("button", name="Send reply"))
    expect(page.locator("#messages")).to_contain_text("Reply sent.")
    expect(page.get_by_text("answered in")).to_be_visible()
    visit(page, f"{base}/messages/")
    expect(page.get_by_role("link", name="Which average for skewed data?")).to_be_visible()

    visit(learner_page, f"{base}/messages/")
    submit(learner_page, learner_page.get_by_role("link", name="Which average for skewed data?"))
    expect(learner_page.locator("strong.badge")).to_have_text("Answered")
    expect(learner_page.get_by_role("main")).to_contain_text("the median resists the few very high incomes")


def test_teacher_checks_in_and_the_learner_replies(live_server: LiveServer, new_page: NewPage) -> None:
    course = CourseFactory(title="Evidence", slug="evidence")
    teacher = UserFactory(display_name="Ms Rivera")
    learner = UserFactory(display_name="Tomás")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    base = live_server.url

    page = new_page()
    sign_in(page, base, teacher)
    visit(page, f"{base}/courses/evidence/people/{learner.pk}/check-in/")
    expect(page.get_by_label("Message")).to_contain_text("Hi Tomás")
    submit(page, page.get_by_role("button", name="Send check-in"))
    expect(page.locator("#messages")).to_contain_text("Check-in sent to Tomás")

    learner_page = new_page()
    sign_in(learner_page, base, learner)
    visit(learner_page, f"{base}/messages/")
    expect(learner_page.get_by_role("main").get_by_text("unread", exact=True)).to_be_visible()
    submit(learner_page, learner_page.get_by_role("link", name="Conversation with Ms Rivera"))
    expect(learner_page.get_by_text("check-in", exact=True)).to_be_visible()
    learner_page.get_by_label("Your reply").fill("All fine, just a busy week.")
    submit(learner_page, learner_page.get_by_role("button", name="Send reply"))
    expect(learner_page.get_by_role("main")).to_contain_text("All fine, just a busy week.")
    visit(learner_page, f"{base}/messages/new/?course=evidence&to={teacher.pk}")
    expect(learner_page.get_by_label("To")).to_have_values([str(teacher.pk)])
