"""A locked item says why and when it opens, and opens once its condition is met."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Course, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.progress import services
from cadence.tests.browser.helpers import sign_in, submit, visit

pytestmark = pytest.mark.browser


@pytest.fixture
def course(db: None) -> Course:
    course = CourseFactory(title="Release course", slug="release-course")
    module = ModuleFactory(course=course, title="Week 1", position=0)
    first = ItemFactory(module=module, kind="lesson", title="Read me first", position=0, completion_rule="marked_done")
    second = ItemFactory(module=module, kind="lesson", title="Then this", position=1)
    teacher = UserFactory(display_name="Teacher")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    services.set_release_rule(actor=teacher, target=second, spec=services.ReleaseSpec(after_item=first))
    return course


def test_locked_item_shows_its_condition_and_opens_when_met(
    live_server: LiveServer, page: Page, course: Course
) -> None:
    learner = UserFactory(display_name="Ada")
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/{course.slug}/")
    outline = page.locator("#course-outline")
    expect(outline.locator(".lock-note")).to_contain_text("Opens when you complete “Read me first”.")
    expect(page.locator("#course-progress")).to_have_attribute("value", "0")

    submit(page, outline.get_by_role("link", name="Then this"))
    expect(page.get_by_role("heading", name="Not open yet")).to_be_visible()
    expect(page.locator("#lock-reason")).to_contain_text("Read me first")

    submit(page, page.get_by_role("link", name="Back to the course"))
    submit(page, page.locator("#continue-link"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Read me first")
    submit(page, page.get_by_role("button", name="Mark as done"))
    expect(page.get_by_text("Completed", exact=False).first).to_be_visible()

    visit(page, f"{live_server.url}/courses/{course.slug}/")
    expect(page.locator("#course-outline .lock-note")).to_have_count(0)
    expect(page.locator("#course-progress")).to_have_attribute("value", "50")
    submit(page, page.locator("#course-outline").get_by_role("link", name="Then this"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Then this")
    expect(page.get_by_role("heading", name="Not open yet")).to_have_count(0)


def test_an_open_lesson_page_reports_active_time(live_server: LiveServer, page: Page, course: Course, settings) -> None:
    from cadence.progress.models import ItemProgress

    settings.HEARTBEAT_SECONDS = 1
    learner = UserFactory(display_name="Ada")
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    sign_in(page, live_server.url, learner)
    item = course.items.get(title="Read me first")
    visit(page, f"{live_server.url}/courses/{course.slug}/items/{item.pk}/")
    for _ in range(3):
        page.mouse.move(10, 10)
        page.mouse.move(200, 200)
        page.wait_for_timeout(1100)
    assert ItemProgress.objects.get(user=learner, item=item).active_seconds >= 15
