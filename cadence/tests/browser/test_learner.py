"""A learner opens their course and works through its items; the README's screenshot comes from here."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Course, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.tests.browser.helpers import sign_in, submit

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "screenshots" / "learner-course.png"

DESCRIPTION = """\
Learn to read, question and explain the numbers you meet every day.
Work at your own pace: each module takes about an hour, and **nothing you do is lost**.
"""

OUTLINE = {
    "Reading numbers": [
        ("lesson", "What a number is made of"),
        ("video", "Averages and what they hide"),
        ("quiz", "Check yourself: averages"),
    ],
    "Charts that tell the truth": [
        ("lesson", "Reading a bar chart"),
        ("assignment", "Redraw a misleading chart"),
        ("discussion", "Share a chart you found"),
    ],
}


@pytest.fixture
def showcase(db: None) -> Course:
    """A small, realistic course for the README's screenshot; one unpublished item learners must not see."""
    course = CourseFactory(
        title="Data Literacy for Everyone",
        slug="data-literacy-for-everyone",
        summary="Read, question and explain the numbers in the news.",
        description=DESCRIPTION,
    )
    for m, (module_title, items) in enumerate(OUTLINE.items()):
        module = ModuleFactory(course=course, title=module_title, position=m)
        for n, (kind, title) in enumerate(items):
            ItemFactory(module=module, kind=kind, title=title, position=n)
    ItemFactory(module=module, kind="quiz", title="Final quiz (draft)", position=9, is_published=False)
    MembershipFactory(course=course, user=UserFactory(display_name="Grace Hopper"), role=Role.TEACHER)
    return course


def test_learner_opens_the_course_and_moves_through_its_items(
    live_server: LiveServer, page: Page, showcase: Course
) -> None:
    learner = UserFactory(display_name="Maya Chen", time_zone="Europe/Lisbon")
    MembershipFactory(course=showcase, user=learner, role=Role.LEARNER)
    sign_in(page, live_server.url, learner)
    expect(page.get_by_role("region", name="My courses")).to_contain_text("Learner")
    submit(page, page.get_by_role("link", name="Data Literacy for Everyone"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Data Literacy for Everyone")
    expect(page.get_by_role("main").locator("strong")).to_have_text("nothing you do is lost")
    outline = page.locator("#course-outline")
    expect(outline.locator(".module-title a")).to_have_text(list(OUTLINE))
    expect(outline.locator(".items a")).to_have_text([title for items in OUTLINE.values() for _, title in items])
    expect(page.get_by_text("Final quiz (draft)")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Course tools")).to_have_count(0)
    expect(page.get_by_role("button", name="Move down: Reading a bar chart")).to_have_count(0)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)

    submit(page, outline.get_by_role("link", name="Averages and what they hide"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Video Averages and what they hide")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Reading numbers")
    pager = page.get_by_role("navigation", name="Previous and next")
    expect(pager.get_by_role("link")).to_have_text(["← What a number is made of", "Check yourself: averages →"])

    submit(page, pager.get_by_role("link", name="Check yourself: averages"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz Check yourself: averages")
    # The last item of a module leads on to the first of the next.
    expect(pager.get_by_role("link", name="Reading a bar chart")).to_be_visible()
