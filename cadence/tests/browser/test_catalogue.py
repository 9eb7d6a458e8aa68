"""Finding a course in the catalogue: a plain GET form without JavaScript, a live search with it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.courses.tests.factories import CourseFactory
from cadence.tests.browser.helpers import NewPage, check_a11y, log_for, submit, visit
from conftest import CourseWorld

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(world: CourseWorld) -> None:
    CourseFactory(title="Statistics for Poets", summary="Numbers, gently.")
    CourseFactory(title="Secret Drafts", visibility="draft")


def test_catalogue_search_works_without_javascript(live_server: LiveServer, new_page: NewPage, catalogue: None) -> None:
    page = new_page(java_script_enabled=False)
    visit(page, f"{live_server.url}/courses/")
    results = page.locator("#catalogue-results")
    expect(results.get_by_role("heading")).to_have_text(["Data Literacy", "Statistics for Poets"])

    search = page.get_by_role("search")
    search.get_by_label("Search courses by title").fill("literacy")
    submit(page, search.get_by_role("button", name="Search"))
    expect(page).to_have_url(f"{live_server.url}/courses/?q=literacy")
    expect(results.get_by_role("heading")).to_have_text(["Data Literacy"])
    expect(search.get_by_label("Search courses by title")).to_have_value("literacy")

    search.get_by_label("Search courses by title").fill("knitting")
    submit(page, search.get_by_role("button", name="Search"))
    expect(results).to_have_text("No course matches “knitting”.")


def test_catalogue_searches_as_you_type_with_javascript(live_server: LiveServer, page: Page, catalogue: None) -> None:
    visit(page, f"{live_server.url}/courses/")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Search courses by title").press_sequentially("poets")
    results = page.locator("#catalogue-results")
    expect(results.get_by_role("heading")).to_have_text(["Statistics for Poets"])
    expect(page).to_have_url(f"{live_server.url}/courses/?q=poets")
    assert page.evaluate("window.sameDocument") is True
    assert log_for(page).unchecked == [], "the search loaded a new page"
    check_a11y(page)
