"""A teacher on a phone, without JavaScript, filters the learners table for inactive learners and checks in with
them from a template; the learner gets it in the app and by email (a real SMTP server), comes back by following
the link to where they stopped, the hourly refresh runs, and the check-in log shows "came back". The template and
rule pages are checked too. Every page is checked by axe and fits 360 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.core.testing.smtp import SmtpServer
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.insights import checkins_log
from cadence.insights import services as insight_services
from cadence.insights.models import CheckInLog, Outcome
from cadence.notifications import delivery as notification_delivery
from cadence.notifications.models import Kind, Notification
from cadence.progress.models import ItemProgress
from cadence.tests.browser.helpers import NewPage, sign_in, submit, visit

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), page.url


def test_a_check_in_from_a_template_brings_a_quiet_learner_back_and_the_log_shows_it(
    live_server: LiveServer, new_page: NewPage, smtp_server: SmtpServer
) -> None:
    course = CourseFactory(title="Evidence", slug="evidence")
    module = ModuleFactory(course=course, title="Week 1", position=0)
    lesson = ItemFactory(module=module, title="Why averages mislead", position=0)
    teacher = UserFactory(display_name="Ms Rivera")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    quiet = MembershipFactory(course=course, role=Role.LEARNER, user=UserFactory(display_name="Tomás Ortega"))
    busy = MembershipFactory(course=course, role=Role.LEARNER, user=UserFactory(display_name="Amira"))
    now = timezone.now()
    for membership, when in ((quiet, now - timedelta(days=9)), (busy, now - timedelta(minutes=10))):
        ItemProgress.objects.create(
            user=membership.user, item=lesson, course=course, first_viewed_at=when, last_viewed_at=when
        )
    insight_services.refresh_learners(course=course, now=now)
    base = f"{live_server.url}/courses/evidence"

    # The teacher filters the inactive learners and chooses the "pick up where you stopped" template.
    page = new_page(java_script_enabled=False, viewport=PHONE)
    sign_in(page, live_server.url, teacher)
    visit(page, f"{base}/learners/?inactive=7")
    expect(page.locator("tbody")).not_to_contain_text("Amira")
    submit(page, page.get_by_role("link", name="Choose the 1 learner matching the filter"))
    submit(page, page.get_by_role("button", name="Write a check-in to the chosen learners"))
    expect(page.get_by_role("main")).to_contain_text("To 1 learner: Tomás Ortega")
    _fits(page)
    page.get_by_label("Start from a template").select_option(label="Pick up where you stopped")
    submit(page, page.get_by_role("button", name="Use this template"))
    expect(page.locator("#preview-heading")).to_have_text("What each learner gets")
    preview = page.locator(f"#preview-{quiet.user.pk}")
    expect(preview).to_contain_text("Hi Tomás, you stopped at Why averages mislead in Evidence")
    expect(preview.get_by_role("link", name="Why averages mislead").first).to_be_visible()
    _fits(page)
    submit(page, page.get_by_role("button", name="Send check-in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in log")
    expect(page.locator("#messages")).to_contain_text("Check-in sent to 1 learner.")
    expect(page.locator("tbody").last).to_contain_text("Waiting")
    _fits(page)

    # The learner is told in the app and by email.
    told = Notification.objects.get(recipient=quiet.user, kind=Kind.CHECK_IN)
    assert told.email_due_at is not None
    for claimed in notification_delivery.claim_due(now=told.email_due_at):
        assert notification_delivery.send_once(claimed, now=told.email_due_at) == "sent"
    (mail,) = smtp_server.messages
    assert mail.recipients == [quiet.user.email] and mail.subject == "Ms Rivera checked in with you"
    assert "Hi Tomás, you stopped at [Why averages mislead](/courses/evidence/items/" in mail.text

    learner_page = new_page(viewport=PHONE)
    sign_in(learner_page, live_server.url, quiet.user)
    visit(learner_page, f"{live_server.url}/messages/")
    submit(learner_page, learner_page.get_by_role("link", name="Ms Rivera").first)
    expect(learner_page.get_by_role("main")).to_contain_text("that link takes you straight back")
    # ...and comes back by following the link to where they stopped.
    submit(learner_page, learner_page.get_by_role("main").get_by_role("link", name="Why averages mislead").first)
    expect(learner_page.get_by_role("heading", level=1)).to_contain_text("Why averages mislead")

    # The hourly background work runs: the learner's figures, then the check-ins' outcomes.
    later = timezone.now() + timedelta(minutes=1)
    insight_services.refresh_active_courses(now=later)
    checkins_log.refresh_outcomes(now=later)
    assert CheckInLog.objects.get(learner=quiet.user).outcome == Outcome.CAME_BACK

    visit(page, f"{base}/check-ins/")
    expect(page.locator("tbody").last).to_contain_text("Came back")
    expect(page.get_by_role("table", name="Per template")).to_contain_text("Pick up where you stopped")
    _fits(page)

    # The template and rule pages: a template, and a rule with its preview of who it would reach now.
    visit(page, f"{base}/check-ins/templates/")
    _fits(page)
    page.get_by_label("Title").fill("See you")
    page.get_by_label("Text").fill("Hi {first_name}, {next_item} is next in {course}.")
    submit(page, page.get_by_role("button", name="Save template"))
    expect(page.locator("#messages")).to_contain_text("Template saved.")
    visit(page, f"{base}/check-ins/rules/")
    _fits(page)
    page.get_by_label("Name").fill("Quiet a week")
    page.get_by_label("Days", exact=True).fill("7")
    page.get_by_label("Template").select_option(label="See you")
    page.get_by_label("On", exact=True).check()
    submit(page, page.get_by_role("button", name="Save rule"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiet a week")
    expect(page.get_by_role("main")).to_contain_text("0 learners meet the condition")
    _fits(page)
