"""A signed-in person joins a course with the code their teacher gave them, from the home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.courses.models import Course, Membership, Role
from cadence.tests.browser.helpers import sign_in, submit
from conftest import CourseWorld

pytestmark = pytest.mark.browser


def test_joining_with_a_wrong_code_explains_the_error_then_the_right_code_joins(
    live_server: LiveServer, page: Page, world: CourseWorld, code_course: Course
) -> None:
    sign_in(page, live_server.url, world.outsider)
    join_form = page.get_by_role("region", name="Join with a code")
    join_form.get_by_label("Enrolment code").fill("WRONG999")
    submit(page, join_form.get_by_role("button", name="Join", exact=True))

    expect(page).to_have_url(f"{live_server.url}/join/")
    expect(page.get_by_role("alert")).to_have_text("Please correct the errors below.")
    code = page.get_by_label("Enrolment code")
    expect(code).to_have_value("WRONG999")
    expect(code).to_have_attribute("aria-invalid", "true")
    # The message is tied to the field, so a screen reader reads it with the field.
    expect(code).to_have_accessible_description("No open course uses that enrolment code. Check it and try again.")
    assert not Membership.objects.filter(user=world.outsider, course=code_course).exists()

    code.fill(" abcd2345 ")
    submit(page, page.get_by_role("main").get_by_role("button", name="Join", exact=True))
    expect(page).to_have_url(f"{live_server.url}/courses/statistics-for-poets/")
    expect(page.get_by_role("status").first).to_contain_text("You have joined Statistics for Poets.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics for Poets")
    assert Membership.objects.filter(user=world.outsider, course=code_course, role=Role.LEARNER).exists()
