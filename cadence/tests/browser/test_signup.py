"""Creating an account: a time zone of one's own, and joining a course with the teacher's code on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.models import User
from cadence.courses.models import Course, Membership, Role
from cadence.tests.browser.helpers import NewPage, submit, visit

pytestmark = pytest.mark.browser


def test_sign_up_with_an_enrolment_code_lands_in_the_course_in_my_time_zone(
    live_server: LiveServer, page: Page, code_course: Course
) -> None:
    visit(page, f"{live_server.url}/accounts/signup/")
    page.get_by_label("Your name").fill("Aiko Tanaka")
    page.get_by_label("Email address").fill("Aiko@Example.org")
    zone = page.locator("#id_time_zone")
    expect(zone).to_have_value("UTC")  # this browser is in UTC, so the preselect leaves the default
    zone.select_option("Asia/Tokyo")
    page.get_by_label("Language").select_option("en")
    page.locator("#id_password1").fill("paper-lantern-river")
    page.locator("#id_password2").fill("paper-lantern-river")
    page.get_by_label("Enrolment code").fill("ABCD2345")
    submit(page, page.get_by_role("button", name="Create account"))

    expect(page).to_have_url(f"{live_server.url}/courses/statistics-for-poets/")
    expect(page.get_by_role("status").first).to_contain_text("Welcome! You have joined Statistics for Poets.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics for Poets")
    outline = page.locator("#course-outline")
    expect(outline.get_by_role("heading", name="Counting what counts")).to_be_visible()
    expect(outline.get_by_role("link", name="Why averages mislead")).to_be_visible()

    user = User.objects.get(email="aiko@example.org")
    assert user.time_zone == "Asia/Tokyo"
    assert Membership.objects.filter(user=user, course=code_course, role=Role.LEARNER).exists()

    visit(page, f"{live_server.url}/accounts/profile/")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    # "Your local time now" is a <time> in Tokyo, which keeps UTC+9 all year.
    expect(page.get_by_role("main").locator("time")).to_have_attribute("datetime", re.compile(r"\+09:00$"))
    expect(page.get_by_role("contentinfo")).to_contain_text("Times are shown in your time zone, Asia/Tokyo.")


def test_sign_up_preselects_the_browsers_time_zone(live_server: LiveServer, new_page: NewPage) -> None:
    page = new_page(timezone_id="America/New_York")
    visit(page, f"{live_server.url}/accounts/signup/")
    expect(page.locator("#id_time_zone")).to_have_value("America/New_York")
