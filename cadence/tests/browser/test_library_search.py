"""The library, search within a course, and what is due: a teacher adds a resource, a learner finds and
downloads it, searches the course and sees their deadlines in their own time zone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.content import services as content_services
from cadence.courses import services as course_services
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory, ModuleFactory
from cadence.tests.browser.helpers import check_a11y, sign_in, submit, visit

pytestmark = pytest.mark.browser


def test_teacher_adds_a_resource_and_a_learner_finds_downloads_and_searches(
    live_server: LiveServer, new_page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    course = CourseFactory(title="Climate Data", slug="climate-data")
    module = ModuleFactory(course=course, title="Week 1")
    teacher = UserFactory(display_name="Ada Teacher")
    learner = UserFactory(display_name="Kofi Learner", time_zone="Asia/Tokyo")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    lesson = course_services.create_item(
        actor=teacher,
        module=module,
        data={"kind": "lesson", "title": "Reading a climate chart", "due_at": timezone.now() + timedelta(days=3)},
    )
    content_services.save_lesson(actor=teacher, item=lesson, body="A **moving average** smooths noisy monthly data.")
    csv = tmp_path / "rainfall.csv"
    csv.write_text("city,month,mm\nLagos,1,20\n", encoding="utf-8")

    # The teacher adds a data set with tags.
    page = new_page()
    sign_in(page, live_server.url, teacher)
    visit(page, f"{live_server.url}/courses/climate-data/library/")
    submit(page, page.get_by_role("link", name="Add a resource"))
    page.get_by_label("Title").fill("Monthly rainfall")
    page.get_by_label("Description").fill("Rainfall per city and month, for the moving-average exercise.")
    page.get_by_label("Upload a file").set_input_files(str(csv))
    page.get_by_label("Tags").fill("data sets, week 1")
    submit(page, page.get_by_role("button", name="Save"))
    expect(page.locator("#messages")).to_contain_text("is in the library")
    expect(page.locator(".resource-title")).to_have_text(["Monthly rainfall"])

    # A learner filters the library as they type (htmx), follows a tag, and downloads the file.
    page = new_page()
    sign_in(page, live_server.url, learner)
    expect(page.get_by_role("region", name="Due soon")).to_contain_text("Reading a climate chart")
    expect(page.get_by_role("region", name="Due soon")).to_contain_text("(Asia/Tokyo)")
    visit(page, f"{live_server.url}/courses/climate-data/")
    submit(page, page.get_by_role("navigation", name="In this course").get_by_role("link", name="Library"))
    page.get_by_label("Search the library").fill("nothing like this")
    expect(page.locator("#library-results")).to_contain_text("Nothing in the library matches")
    page.get_by_label("Search the library").fill("moving-average")
    expect(page.locator(".resource-title")).to_have_text(["Monthly rainfall"])
    check_a11y(page)
    submit(page, page.get_by_role("link", name="week 1"))
    expect(page.locator(".resource-title")).to_have_text(["Monthly rainfall"])
    with page.expect_download() as download:
        page.get_by_role("link", name="Monthly rainfall").click()
    assert download.value.suggested_filename == "rainfall.csv"

    # Search from the course page finds the lesson text, with the words marked.
    visit(page, f"{live_server.url}/courses/climate-data/")
    page.get_by_role("search").get_by_label("Search this course").fill("moving averages")
    submit(page, page.get_by_role("search").get_by_role("button", name="Search"))
    results = page.locator(".search-hit")
    expect(results.first).to_contain_text("Reading a climate chart")
    expect(results.locator("mark").first).to_be_visible()
    submit(page, results.get_by_role("link", name="Reading a climate chart"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reading a climate chart")
    expect(page.locator(".item-due")).to_contain_text("(Asia/Tokyo)")


def test_search_and_library_work_without_javascript(
    live_server: LiveServer, new_page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    course = CourseFactory(title="Plain Pages", slug="plain-pages")
    module = ModuleFactory(course=course, title="Week 1")
    teacher, learner = UserFactory(), UserFactory(display_name="Noor")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    lesson = course_services.create_item(actor=teacher, module=module, data={"kind": "lesson", "title": "Histograms"})
    content_services.save_lesson(actor=teacher, item=lesson, body="Bins group values into ranges.")
    content_services.save_resource(
        actor=teacher,
        course=course,
        data=content_services.ResourceInput(title="Bin width guide", url="https://example.org/bins", tags=("charts",)),
    )
    page: Page = new_page(java_script_enabled=False)
    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/plain-pages/library/")
    page.get_by_label("Search the library").fill("bin width")
    submit(page, page.get_by_role("button", name="Filter"))
    expect(page.locator(".resource-title")).to_have_text(["Bin width guide"])
    visit(page, f"{live_server.url}/courses/plain-pages/search/?q=bins")
    expect(page.locator(".search-hit")).to_have_count(2)  # the lesson and the library link
