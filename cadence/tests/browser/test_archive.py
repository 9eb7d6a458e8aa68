"""A teacher deletes an item and a module, finds them in the course archive and restores them (with and
without JavaScript, on a 360 px phone screen)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.assessment.models import Submission
from cadence.courses.models import Item, Module
from cadence.tests.browser.helpers import NewPage, sign_in, submit, visit
from cadence.tests.learner_work import build
from conftest import CourseWorld

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_teacher_deletes_an_item_and_restores_it_from_the_archive(
    live_server: LiveServer, new_page: NewPage, world: CourseWorld, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    worked = build(world.course, world.teacher, world.learner)
    page = new_page(viewport={"width": 360, "height": 740})
    confirmations: list[str] = []

    def accept(dialog: Dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    sign_in(page, live_server.url, world.teacher)
    course_url = f"{live_server.url}/courses/{world.course.slug}/"
    visit(page, f"{course_url}items/{worked.assignment.pk}/edit/")
    submit(page, page.get_by_role("button", name="Delete item"))
    assert confirmations and "archive" in confirmations[0]
    expect(page.get_by_role("status").first).to_contain_text("moved to the course archive")
    expect(page.locator("#course-outline")).not_to_contain_text("Essay")
    assert Submission.objects.filter(assignment_id=worked.assignment.pk).exists()

    submit(page, page.get_by_role("link", name="Archive", exact=True))
    _fits(page)
    expect(page.locator(f"#item-{worked.assignment.pk}-archived")).to_contain_text("Essay")
    submit(page, page.get_by_role("button", name="Restore Essay"))
    expect(page.get_by_role("status").first).to_contain_text("is back in the course")
    assert Item.objects.filter(pk=worked.assignment.pk).exists()


def test_a_module_is_deleted_and_restored_without_javascript(
    live_server: LiveServer, new_page: NewPage, world: CourseWorld
) -> None:
    page = new_page(java_script_enabled=False, viewport={"width": 360, "height": 740})
    module = world.modules[1]
    sign_in(page, live_server.url, world.teacher)
    course_url = f"{live_server.url}/courses/{world.course.slug}/"
    visit(page, f"{course_url}modules/{module.pk}/edit/")
    submit(page, page.get_by_role("button", name="Delete module"))
    assert not Module.objects.filter(pk=module.pk).exists()
    visit(page, f"{course_url}archive/")
    _fits(page)
    expect(page.locator(f"#module-{module.pk}-archived")).to_contain_text("3 items come back with it.")
    submit(page, page.get_by_role("button", name=f"Restore {module.title}"))
    assert Module.objects.filter(pk=module.pk).exists()
    expect(page.get_by_role("status").first).to_contain_text("is back in the course")
    visit(page, course_url)
    expect(page.locator("#course-outline")).to_contain_text(module.title)
