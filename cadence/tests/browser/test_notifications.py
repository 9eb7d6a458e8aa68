"""The notification centre in a real browser: the header count, reading, preferences and unsubscribing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.notifications import services, unsubscribe
from cadence.notifications.models import Kind, Timing
from cadence.tests.browser.helpers import NewPage, sign_in, submit, visit

pytestmark = pytest.mark.browser


def test_reading_notifications_clears_the_header_count(live_server: LiveServer, page: Page) -> None:
    ada, teacher = UserFactory(display_name="Ada"), UserFactory(display_name="Grace")
    for n, title in enumerate(["Grace replied to “Outliers”", "Grace mentioned you in “Medians”"]):
        services.notify(recipients=[ada], kind=Kind.REPLY, title=title, url="/", key=f"k{n}", actor=teacher)
    sign_in(page, live_server.url, ada)
    link = page.locator("#notifications-link")
    expect(link).to_have_text("Notifications 2 unread")
    submit(page, link)
    expect(page.locator(".notification-unread")).to_have_count(2)
    submit(page, page.get_by_role("link", name="Grace replied to “Outliers”"))
    expect(page.locator("#notifications-link")).to_have_text("Notifications 1 unread")
    visit(page, f"{live_server.url}/notifications/")
    submit(page, page.get_by_role("button", name="Mark all read"))
    expect(page.locator(".notification-unread")).to_have_count(0)
    expect(page.locator("#notifications-link")).to_have_text("Notifications")


def test_preferences_and_unsubscribe_without_javascript(live_server: LiveServer, new_page: NewPage) -> None:
    ada = UserFactory(display_name="Ada", time_zone="Europe/Paris")
    page = new_page(java_script_enabled=False)
    sign_in(page, live_server.url, ada)
    visit(page, f"{live_server.url}/notifications/preferences/")
    expect(page.get_by_text("Times are in your time zone, Europe/Paris.")).to_be_visible()
    page.get_by_label("New posts in forums and threads I follow").select_option(Timing.WEEKLY)
    page.get_by_label("Quiet hours start").fill("22:30")
    submit(page, page.get_by_role("button", name="Save preferences"))
    expect(page.get_by_role("status")).to_contain_text("Notification preferences saved.")
    assert services.preferences_of(ada)[Kind.FORUM_ACTIVITY] == Timing.WEEKLY
    # The link in an email works for someone signed out, and asks before acting.
    other = new_page(java_script_enabled=False)
    visit(other, live_server.url + unsubscribe.url_for(ada.pk, Kind.REPLY).removeprefix("http://127.0.0.1:8000"))
    submit(other, other.get_by_role("button", name="Unsubscribe"))
    expect(other.get_by_role("main")).to_contain_text("you will no longer receive Replies to my posts by email")
    assert services.preferences_of(ada)[Kind.REPLY] == Timing.OFF
