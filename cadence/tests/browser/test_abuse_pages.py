"""The pages of issue 11's abuse limits in a real browser: a waiting invitation on the home page, accepted
without JavaScript, and the token page with its expiry, access and course; axe-clean, and both fit a
360 px screen without sideways scrolling."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.models import ApiToken
from cadence.accounts.tests.factories import UserFactory
from cadence.courses import services
from cadence.courses.models import Membership
from cadence.tests.browser.helpers import NewPage, check_a11y, sign_in, submit, visit
from conftest import CourseWorld

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => !e.closest('.table-wrap') || e.classList.contains('table-wrap'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide: {page.evaluate(WIDEST)}"


def test_invitee_accepts_a_waiting_invitation_on_a_phone_without_javascript(
    live_server: LiveServer, new_page: NewPage, world: CourseWorld
) -> None:
    invitee = UserFactory(display_name="Ivy Invitee")
    services.add_person(actor=world.teacher, course=world.course, email=invitee.email, role="learner",
                        now=timezone.now())  # fmt: skip
    phone = new_page(viewport=PHONE)
    sign_in(phone, live_server.url, invitee)
    waiting = phone.get_by_role("region", name="Invitations waiting for you")
    expect(waiting).to_contain_text("Data Literacy")
    _fits(phone)

    page = new_page(java_script_enabled=False, viewport=PHONE)
    sign_in(page, live_server.url, invitee)
    submit(page, page.get_by_role("button", name="Accept and join Data Literacy"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Data Literacy")
    assert Membership.objects.filter(course=world.course, user=invitee, role="learner").exists()


def test_token_page_shows_expiry_access_and_course_and_fits_a_phone(
    live_server: LiveServer, new_page: NewPage, world: CourseWorld
) -> None:
    page = new_page(viewport=PHONE)
    sign_in(page, live_server.url, world.teacher)
    visit(page, f"{live_server.url}/accounts/tokens/")
    page.get_by_label("Token name").fill("weekly export")
    expect(page.get_by_label("Expires after")).to_have_value("90")
    expect(page.get_by_label("Read only")).to_be_checked()
    page.get_by_label("Course").select_option(label="Data Literacy")
    submit(page, page.get_by_role("button", name="Create token"))
    expect(page.locator("#new-token")).to_have_text(re.compile(r"^cdn_"))
    row = page.locator("tr", has_text="weekly export")
    expect(row).to_contain_text("Read only, only Data Literacy")
    expect(row).to_contain_text("never")
    token = ApiToken.objects.get(name="weekly export")
    assert (token.access, token.course_id) == ("read", world.course.pk)
    check_a11y(page)
    _fits(page)
