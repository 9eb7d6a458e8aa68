"""Data rights in a real browser, on a 360 px phone without JavaScript: a copy of one's data, then deletion."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.privacy.models import DeletionRequest, DeletionStatus
from cadence.tests.browser.helpers import NewPage, sign_in, submit, visit

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "java_script_enabled": False}


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"sideways scrolling on {page.url}"


def test_a_learner_downloads_their_data_then_asks_for_deletion_which_an_admin_confirms(
    live_server: LiveServer, new_page: NewPage
) -> None:
    ada = UserFactory(display_name="Ada", email="ada@example.org")
    admin = UserFactory(display_name="Grace", is_staff=True, is_superuser=True)
    page = new_page(**PHONE)
    sign_in(page, live_server.url, ada)
    visit(page, f"{live_server.url}/privacy/")
    _fits(page)
    submit(page, page.get_by_role("button", name="Prepare a copy of my data"))
    expect(page.get_by_role("status").first).to_contain_text("being prepared")
    visit(page, f"{live_server.url}/privacy/")  # built in the background (at once in tests)
    link = page.get_by_role("link", name="Download")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".zip")
    page.get_by_label("Why do you want to leave? (optional)").fill("Changing schools")
    page.get_by_label("I understand that my account will be deleted").check()
    submit(page, page.get_by_role("button", name="Ask for my account to be deleted"))
    expect(page.get_by_role("button", name="Cancel my request")).to_be_visible()
    _fits(page)

    staff = new_page(**PHONE)
    sign_in(staff, live_server.url, admin)
    visit(staff, f"{live_server.url}/privacy/deletion-requests/")
    _fits(staff)
    submit(staff, staff.get_by_role("link", name="Ada"))
    _fits(staff)
    staff.get_by_label("Erase this account now. This cannot be undone.").check()
    submit(staff, staff.get_by_role("button", name="Confirm and erase the account"))
    assert DeletionRequest.objects.get().status == DeletionStatus.COMPLETED
    assert User.objects.get(pk=ada.pk).display_name == "Former member"
    # Ada's session has ended.
    visit(page, f"{live_server.url}/privacy/")  # redirected to the sign-in page
    expect(page).to_have_url(f"{live_server.url}/accounts/signin/?next=/privacy/")
