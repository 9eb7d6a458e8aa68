"""A teacher in London gives an Auckland learner an extension and an accommodation on a 360 px phone
without JavaScript; the pages are axe-clean and fit the screen, and the learner sees only the effect."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.courses.models import Accommodation, DeadlineExtension, Item
from cadence.courses.tests.factories import MembershipFactory
from cadence.tests.browser.helpers import NewPage, sign_in, submit, visit
from conftest import CourseWorld

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + e.getBoundingClientRect().right)"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), wide


def test_a_teacher_extends_and_accommodates_a_learner_without_javascript_on_a_phone(
    live_server: LiveServer, new_page: NewPage, world: CourseWorld
) -> None:
    world.teacher.time_zone = "Europe/London"
    world.teacher.save(update_fields=["time_zone"])
    world.learner.time_zone = "Pacific/Auckland"
    world.learner.save(update_fields=["time_zone"])
    MembershipFactory(course=world.course, user__time_zone="Pacific/Kiritimati")
    item = world.items[0]
    Item.objects.filter(pk=item.pk).update(due_date=date(2026, 12, 15))
    page = new_page(java_script_enabled=False, viewport={"width": 360, "height": 740})
    sign_in(page, live_server.url, world.teacher)
    course_url = f"{live_server.url}/courses/{world.course.slug}/"

    visit(page, f"{course_url}items/{item.pk}/")
    expect(page.locator(f"#item-{item.pk}-spread")).to_contain_text("Pacific/Kiritimati")
    _fits(page)
    submit(page, page.get_by_role("link", name="Extensions"))
    _fits(page)
    page.get_by_label("A learner").select_option(str(world.learner_membership.pk))
    page.get_by_label("The end of a day in the learner's own time zone").check()
    page.get_by_label("Day whose end").fill("2026-12-18")
    submit(page, page.get_by_role("button", name="Grant"))
    extension = DeadlineExtension.objects.get()
    expect(page.locator(f"#extension-{extension.pk}")).to_contain_text("Pacific/Auckland")
    _fits(page)

    visit(page, f"{course_url}people/accommodations/")
    _fits(page)
    page.get_by_label("A learner").select_option(str(world.learner_membership.pk))
    page.get_by_label("Time on timed quizzes ×").fill("1.5")
    page.get_by_label("Days added to every deadline").fill("2")
    submit(page, page.get_by_role("button", name="Save"))
    assert Accommodation.objects.get().extension_days == 2
    visit(page, f"{course_url}people/")
    expect(page.locator(f"#membership-{world.learner_membership.pk}-accommodation")).to_contain_text("× 1.5")
