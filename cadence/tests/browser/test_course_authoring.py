"""A teacher builds a course: adds a module and items, reorders them (with and without JavaScript), previews."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.courses.models import Item, Module
from cadence.courses.tests.factories import ItemFactory
from cadence.tests.browser.helpers import NewPage, check_a11y, log_for, sign_in, submit, visit
from conftest import CourseWorld

pytestmark = pytest.mark.browser


def item_titles(page: Page, module: Module) -> list[str]:
    return page.locator(f"#module-{module.pk} .items li a").all_inner_texts()


def stored_titles(module: Module) -> list[str]:
    return list(Item.objects.filter(module=module).order_by("position", "id").values_list("title", flat=True))


def test_teacher_adds_a_module_and_items_then_reorders_them_in_place(
    live_server: LiveServer, page: Page, world: CourseWorld
) -> None:
    sign_in(page, live_server.url, world.teacher)
    submit(page, page.get_by_role("link", name="Data Literacy"))
    course_url = f"{live_server.url}/courses/data-literacy/"
    expect(page).to_have_url(course_url)

    submit(page, page.get_by_role("link", name="Add module"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New module")
    page.get_by_label("Title").fill("Charts that mislead")
    page.get_by_label("Summary").fill("Axes, areas and colours that bend the truth.")
    submit(page, page.get_by_role("button", name="Save module"))
    expect(page).to_have_url(course_url)
    expect(page.get_by_role("status").first).to_have_text("Module “Charts that mislead” added.")
    expect(page.locator("#course-outline").get_by_role("heading", name="Charts that mislead")).to_be_visible()
    module = Module.objects.get(course=world.course, title="Charts that mislead")

    submit(page, page.get_by_role("link", name="Add item to Charts that mislead"))
    expect(page.get_by_label("Module")).to_have_value(str(module.pk))
    page.get_by_label("Title").fill("Reading a bar chart")
    page.get_by_label("Type").select_option("lesson")
    submit(page, page.get_by_role("button", name="Save item"))
    expect(page.get_by_role("status").first).to_have_text("“Reading a bar chart” added.")
    assert item_titles(page, module) == ["Reading a bar chart"]

    submit(page, page.get_by_role("link", name="Add item to Charts that mislead"))
    page.get_by_label("Title").fill("Truncated axes")
    page.get_by_label("Type").select_option("video")
    submit(page, page.get_by_role("button", name="Save item"))
    assert item_titles(page, module) == ["Reading a bar chart", "Truncated axes"]
    assert stored_titles(module) == ["Reading a bar chart", "Truncated axes"]

    # Move "Truncated axes" up: htmx swaps #course-outline, and the page itself never reloads.
    page.evaluate("window.sameDocument = true")
    up = page.get_by_role("button", name="Move up: Truncated axes")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#module-{module.pk} .items li").first).to_contain_text("Truncated axes")
    assert item_titles(page, module) == ["Truncated axes", "Reading a bar chart"]
    assert page.evaluate("window.sameDocument") is True
    assert log_for(page).unchecked == [], "the move loaded a new page"
    expect(page.locator("#outline-status")).to_have_text("Moved “Truncated axes”.")
    # The Up button is gone now the item is first; the keyboard user lands on its Down button instead.
    expect(page.get_by_role("button", name="Move down: Truncated axes")).to_be_focused()
    check_a11y(page)
    assert stored_titles(module) == ["Truncated axes", "Reading a bar chart"]


def test_reordering_works_without_javascript(live_server: LiveServer, new_page: NewPage, world: CourseWorld) -> None:
    page = new_page(java_script_enabled=False)
    module = world.modules[0]
    sign_in(page, live_server.url, world.teacher)
    visit(page, f"{live_server.url}/courses/data-literacy/")
    assert item_titles(page, module) == ["Module 0 item 0", "Module 0 item 1", "Module 0 item 2"]

    # A plain form POST, answered with a redirect back to the course page.
    submit(page, page.get_by_role("button", name="Move down: Module 0 item 0"))
    expect(page).to_have_url(f"{live_server.url}/courses/data-literacy/")
    expect(page.get_by_role("status").first).to_have_text("Moved “Module 0 item 0”.")
    assert item_titles(page, module) == ["Module 0 item 1", "Module 0 item 0", "Module 0 item 2"]
    assert stored_titles(module) == ["Module 0 item 1", "Module 0 item 0", "Module 0 item 2"]


def test_preview_as_learner_hides_unpublished_items_until_the_preview_ends(
    live_server: LiveServer, page: Page, world: CourseWorld
) -> None:
    ItemFactory(module=world.modules[1], title="Draft: next week's quiz", kind="quiz", is_published=False)
    sign_in(page, live_server.url, world.teacher)
    visit(page, f"{live_server.url}/courses/data-literacy/")
    outline = page.locator("#course-outline")
    draft = outline.locator(".items > li").filter(has_text="Draft: next week's quiz")
    expect(draft).to_contain_text("Hidden")

    submit(page, page.get_by_role("button", name="Preview as learner"))
    expect(page.get_by_role("note")).to_contain_text("You are previewing this course as a learner sees it.")
    expect(outline.get_by_role("link", name="Module 1 item 0")).to_be_visible()
    expect(draft).to_have_count(0)
    expect(page.get_by_role("link", name="Add module")).to_have_count(0)
    expect(page.get_by_role("button", name="Move down: Module 0 item 0")).to_have_count(0)

    submit(page, page.get_by_role("button", name="Exit preview"))
    expect(page.get_by_role("note")).to_have_count(0)
    expect(draft).to_contain_text("Hidden")
    expect(page.get_by_role("link", name="Add module")).to_be_visible()
