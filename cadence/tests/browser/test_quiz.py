"""A learner takes a quiz with immediate feedback: answers autosave, survive a reload, checking shows
feedback, submitting shows the score. axe checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.models import AttemptQuestion
from cadence.assessment.tests.factories import CAPITAL, MEAN, question, quiz_item
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory, ModuleFactory
from cadence.tests.browser.helpers import check_a11y, sign_in, submit, visit

pytestmark = pytest.mark.browser


def test_learner_takes_a_quiz_resumes_after_reload_and_sees_feedback(live_server: LiveServer, page: Page) -> None:
    course = CourseFactory(title="Statistics", slug="statistics")
    module = ModuleFactory(course=course, title="Averages")
    teacher = UserFactory()
    learner = UserFactory(display_name="Ana", time_zone="America/Sao_Paulo")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    item, _quiz = quiz_item(
        teacher, module, question(teacher, course, MEAN), question(teacher, course, CAPITAL), shuffle_options=False
    )

    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/statistics/items/{item.pk}/")
    expect(page.get_by_role("region", name="Quiz")).to_contain_text("2 questions")
    submit(page, page.get_by_role("button", name="Start the quiz"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("attempt 1")

    # Answer question 2 by typing: the script saves it a moment later, without any button.
    page.get_by_label("Your answer").fill("median")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    row = AttemptQuestion.objects.get(position=2)
    assert row.response == {"text": "median"}

    # A reload (or a closed tab) loses nothing.
    page.reload()
    check_a11y(page)
    expect(page.get_by_label("Your answer")).to_have_value("median")

    # Immediate feedback for question 1: a wrong choice, checked, shows its feedback and locks it.
    page.get_by_label("The median").check()
    submit(page, page.get_by_role("button", name="Check answer 1"))
    feedback = page.locator("#q1 .question-feedback")
    expect(feedback).to_contain_text("Not right.")
    expect(page.locator("#q1")).to_contain_text("SECRET-FEEDBACK-MEDIAN")
    expect(page.get_by_label("The mean")).to_be_disabled()
    expect(page.locator("#q2 .question-feedback")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, page.get_by_role("button", name="Submit the attempt"))
    expect(page.locator("#messages")).to_contain_text("submitted")
    expect(page.get_by_role("region", name="Result")).to_contain_text("1 / 2")
    expect(page.locator("#q2 .question-feedback")).to_contain_text("Right.")
