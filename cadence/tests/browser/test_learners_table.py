"""A teacher on a phone, without JavaScript, filters the learners table for inactive learners, chooses all of
them and sends a check-in; the learner receives it. Every page is checked by axe and fits 360 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory, ModuleFactory
from cadence.insights.tests.factories import stats_for
from cadence.messaging.models import Message
from cadence.tests.browser.helpers import NewPage, sign_in, submit, visit

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_teacher_filters_inactive_learners_and_checks_in_with_them(live_server: LiveServer, new_page: NewPage) -> None:
    course = CourseFactory(title="Evidence", slug="evidence")
    ModuleFactory(course=course, title="Week 1")
    teacher = UserFactory(display_name="Ms Rivera")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    now = timezone.now()
    quiet = MembershipFactory(course=course, role=Role.LEARNER, user=UserFactory(display_name="Tomás"))
    stats_for(quiet, last_active_at=now - timedelta(days=9), risk_score=40, risk_level="medium",
              risk_reasons=["no activity for 9 days"])  # fmt: skip
    busy = MembershipFactory(course=course, role=Role.LEARNER, user=UserFactory(display_name="Amira"))
    stats_for(busy, last_active_at=now - timedelta(minutes=10))

    page = new_page(java_script_enabled=False, viewport=PHONE)
    sign_in(page, live_server.url, teacher)
    visit(page, f"{live_server.url}/courses/evidence/")
    submit(page, page.get_by_role("link", name="Learners"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners")
    _fits(page)
    page.get_by_label("Inactive for at least (days)").fill("7")
    submit(page, page.get_by_role("button", name="Filter"))
    expect(page.locator("tbody")).to_contain_text("no activity for 9 days")
    expect(page.locator("tbody")).not_to_contain_text("Amira")
    _fits(page)
    submit(page, page.get_by_role("link", name="Choose the 1 learner matching the filter"))
    submit(page, page.get_by_role("button", name="Write a check-in to the chosen learners"))
    expect(page.get_by_role("main")).to_contain_text("To 1 learner: Tomás")
    _fits(page)
    page.get_by_label("Message").fill("Hi Tomás, shall we find a time this week?")
    submit(page, page.get_by_role("button", name="Send check-in"))
    expect(page.locator("#messages")).to_contain_text("Check-in sent to 1 learner.")
    visit(page, f"{live_server.url}/courses/evidence/learners/risk-settings/")
    _fits(page)
    message = Message.objects.get(is_check_in=True)
    assert message.body == "Hi Tomás, shall we find a time this week?"
    assert message.conversation.participants.filter(user=quiet.user).exists()
