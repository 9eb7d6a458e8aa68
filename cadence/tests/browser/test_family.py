"""A parent in a real browser, on a 360 px phone: signs in, sees the child's progress and a released grade."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.families.tests.factories import graded_assignment
from cadence.progress import services as progress_services
from cadence.tests.browser.helpers import NewPage, sign_in, visit

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}}


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"sideways scrolling on {page.url}"


def test_a_parent_sees_the_childs_progress_and_a_released_grade(live_server: LiveServer, new_page: NewPage) -> None:
    now = timezone.now()
    course = CourseFactory(title="Data Literacy", slug="data-literacy")
    module = ModuleFactory(course=course, title="Week 1", position=0)
    lesson = ItemFactory(module=module, title="Reading charts", position=0)
    child = UserFactory(display_name="Sam Okafor")
    parent = UserFactory(display_name="Alex Okafor", time_zone="Pacific/Auckland")
    learner = MembershipFactory(course=course, user=child, role=Role.LEARNER)
    MembershipFactory(course=course, user=parent, role=Role.OBSERVER).observed.add(learner)
    progress_services.mark_complete(user=child, item=lesson, now=now)
    graded_assignment(module, child, title="Rainfall chart", points="8", feedback="A clear chart.",
                      released_at=now, now=now)  # fmt: skip

    page = new_page(**PHONE)
    sign_in(page, live_server.url, parent)
    visit(page, f"{live_server.url}/family/")
    _fits(page)
    expect(page.get_by_role("heading", name="Sam Okafor")).to_be_visible()
    expect(page.locator("progress").first).to_be_attached()
    expect(page.get_by_text("1 of 2 done")).to_be_visible()
    expect(page.get_by_text("8 / 10")).to_be_visible()
    expect(page.get_by_text("A clear chart.")).to_be_visible()
    visit(page, f"{live_server.url}/courses/data-literacy/my-grades/")
    _fits(page)
    expect(page.get_by_role("heading", name="Grades of Sam Okafor")).to_be_visible()
