"""Script-injection payloads in private conversations and notifications render harmless."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, MembershipFactory
from cadence.messaging import services
from cadence.tests.browser.helpers import NewPage, sign_in, visit
from cadence.tests.browser.xss import PAYLOADS, assert_nothing_ran, watch_for_dialogs

pytestmark = pytest.mark.browser


def test_payloads_in_questions_messages_and_notifications_never_run(live_server: LiveServer, new_page: NewPage) -> None:
    course = CourseFactory(title=PAYLOADS[0] + " course", slug="xss-course")
    attacker = UserFactory(display_name=PAYLOADS[1][:100])
    teacher = UserFactory(display_name="Grace")
    MembershipFactory(course=course, user=attacker, role=Role.LEARNER)
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    now = timezone.now()
    question = services.ask_question(
        actor=attacker, course=course, subject=PAYLOADS[8], body="\n\n".join(PAYLOADS), key="q", now=now
    )
    for n, payload in enumerate(PAYLOADS):
        # A minute apart: the rate limit counts messages per minute.
        services.reply(
            actor=attacker, conversation=question, body=payload, key=f"r{n}", now=now - timedelta(minutes=n + 1)
        )
    services.send_direct(
        actor=attacker, course=course, recipients=[teacher], body="\n".join(PAYLOADS), key="d", now=now
    )
    page = new_page()
    dialogs = watch_for_dialogs(page)
    sign_in(page, live_server.url, teacher)
    for path in (
        "/notifications/",
        "/messages/",
        f"/messages/{question.pk}/",
        f"/courses/{course.slug}/ask/queue/",
        f"/messages/new/?course={course.slug}",
    ):
        visit(page, live_server.url + path)
        assert_nothing_ran(page, dialogs)
    # The payloads are there, shown as text: the test looked at the right pages.
    visit(page, f"{live_server.url}/messages/{question.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>window.__xss=1</script>")
