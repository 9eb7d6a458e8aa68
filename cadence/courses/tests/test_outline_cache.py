"""The learners' outline is cached per course version: never stale, never mixed, and the database answers
when the cache is down.

The generic test: for each service that changes what a learner's course page shows, render the page (so the
outline of the current version is cached), make the change, render again, and compare with a render from
an empty cache. Equal pages mean the change raised the version (or lives in the learner's overlay)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.courses import outline_cache, services
from cadence.courses.models import Course, Group, Item, Module
from cadence.courses.services.extensions import ExtensionInput
from cadence.progress import services as progress_services
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')


def _page(client: Client, course: Course) -> str:
    response = client.get(reverse("courses:course-detail", args=[Course.objects.get(pk=course.pk).slug]))
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def _fresh(client: Client, course: Course) -> str:
    cache.clear()
    outline_cache.forget_local()
    return _page(client, course)


def _item(w: CourseWorld, n: int) -> Item:
    return Item.objects.get(pk=w.items[n].pk)


def _module(w: CourseWorld, n: int) -> Module:
    return Module.objects.get(pk=w.modules[n].pk)


def _restored(w: CourseWorld) -> None:
    services.restore_item(actor=w.teacher, item=Item.all_objects.get(pk=w.items[1].pk))


def _extension(w: CourseWorld) -> None:
    item = _item(w, 0)
    services.update_item(actor=w.teacher, item=item, data={"due_at": timezone.now() + timedelta(days=3)})
    services.grant_extension(
        actor=w.teacher, item=_item(w, 0), learner=w.learner, reason="ill",
        extension=ExtensionInput(kind="days", days=4),
    )  # fmt: skip


def _group_rule(w: CourseWorld) -> None:
    group = Group.objects.create(course=w.course, name="Early birds")
    progress_services.set_release_rule(
        actor=w.teacher, target=_item(w, 2), spec=progress_services.ReleaseSpec(groups=[group])
    )


# Done before the first render, for changes that undo something.
SETUP: dict[str, Callable[[CourseWorld], Any]] = {
    "restore an item": lambda w: services.archive_item(actor=w.teacher, item=_item(w, 1), now=timezone.now()),
}
CHANGES: dict[str, Callable[[CourseWorld], Any]] = {
    "rename an item": lambda w: services.update_item(actor=w.teacher, item=_item(w, 0), data={"title": "Renamed"}),
    "new item": lambda w: services.create_item(
        actor=w.teacher, module=_module(w, 0), data={"title": "Fresh lesson", "kind": "lesson"}
    ),
    "hide an item": lambda w: services.update_item(actor=w.teacher, item=_item(w, 1), data={"is_published": False}),
    "make an item optional": lambda w: services.update_item(
        actor=w.teacher, item=_item(w, 0), data={"is_required": False}
    ),
    "change an item's duration": lambda w: services.update_item(
        actor=w.teacher, item=_item(w, 0), data={"estimated_minutes": 42}
    ),
    "set a deadline": lambda w: services.update_item(
        actor=w.teacher, item=_item(w, 1), data={"due_at": timezone.now() + timedelta(days=2)}
    ),
    "deadline on a day in each zone": lambda w: services.update_item(
        actor=w.teacher, item=_item(w, 1), data={"due_date": timezone.localdate() + timedelta(days=5)}
    ),
    "move an item": lambda w: services.move_item(actor=w.teacher, item=_item(w, 1), offset=-1),
    "item to another module": lambda w: services.update_item(
        actor=w.teacher, item=_item(w, 0), data={}, module=_module(w, 1)
    ),
    "archive an item": lambda w: services.archive_item(actor=w.teacher, item=_item(w, 1), now=timezone.now()),
    "restore an item": _restored,
    "derived minutes": lambda w: services.set_derived_minutes(item=_item(w, 0), minutes=17),
    "rename a module": lambda w: services.update_module(actor=w.teacher, module=_module(w, 0), data={"title": "M!"}),
    "module summary": lambda w: services.update_module(
        actor=w.teacher, module=_module(w, 1), data={"summary": "Read this first."}
    ),
    "hide a module": lambda w: services.update_module(
        actor=w.teacher, module=_module(w, 1), data={"is_published": False}
    ),
    "new module": lambda w: services.create_module(actor=w.teacher, course=w.course, data={"title": "Later"}),
    "move a module": lambda w: services.move_module(actor=w.teacher, module=_module(w, 1), offset=-1),
    "archive a module": lambda w: services.archive_module(actor=w.teacher, module=_module(w, 1), now=timezone.now()),
    "course short name": lambda w: services.update_course(
        actor=w.teacher, course=Course.objects.get(pk=w.course.pk), data={"slug": "renamed-course"}
    ),
    "release rule": lambda w: progress_services.set_release_rule(
        actor=w.teacher, target=_item(w, 2), spec=progress_services.ReleaseSpec(after_item=_item(w, 0))
    ),
    "release rule for a group": _group_rule,
    "extension": _extension,
    "completion": lambda w: progress_services.mark_complete(user=w.learner, item=_item(w, 0), now=timezone.now()),
}


@pytest.mark.parametrize("change", CHANGES)
def test_after_any_change_the_learners_page_equals_a_fresh_render(world: CourseWorld, client: Client, change: str):
    if change in SETUP:
        SETUP[change](world)
    client.force_login(world.learner)
    before = _page(client, world.course)
    CHANGES[change](world)
    after = _page(client, world.course)
    assert after == _fresh(client, world.course)
    assert after != before, "the change should show on the page"


def test_each_change_to_the_outline_raises_the_course_version(world: CourseWorld):
    versions = [Course.objects.get(pk=world.course.pk).version]
    for change in ("rename an item", "move an item", "hide a module", "archive an item"):
        CHANGES[change](world)
        versions.append(Course.objects.get(pk=world.course.pk).version)
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_saving_a_course_read_before_a_raise_keeps_the_raised_version(world: CourseWorld):
    stale = Course.objects.get(pk=world.course.pk)
    services.update_item(actor=world.teacher, item=_item(world, 0), data={"title": "Raised"})
    raised = Course.objects.get(pk=world.course.pk).version
    stale.summary = "Saved from an older copy"
    stale.save()
    assert Course.objects.get(pk=world.course.pk).version > raised  # raised again by the save, never put back


def test_a_page_reads_one_version_whole(world: CourseWorld):
    """The outline of a version is built from the rows of that moment and kept under that version: a page
    holding the course row of version v gets v's outline even after a later change is cached."""
    course = Course.objects.get(pk=world.course.pk)
    old = outline_cache.learner_outline(course)
    services.update_item(actor=world.teacher, item=_item(world, 0), data={"title": "Newer"})
    newer_course = Course.objects.get(pk=world.course.pk)
    new = outline_cache.learner_outline(newer_course)
    assert outline_cache.learner_outline(course) is old
    assert next(new.items()).title == "Newer" != next(old.items()).title


def test_with_the_cache_down_the_page_comes_from_the_database(world: CourseWorld, client: Client, monkeypatch):
    client.force_login(world.learner)
    expected = _page(client, world.course)

    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("cache server stopped")

    outline_cache.forget_local()
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert _page(client, world.course) == expected
    services.update_item(actor=world.teacher, item=_item(world, 0), data={"title": "Still right"})
    assert "Still right" in _page(client, world.course)


def test_rows_escape_titles_and_keep_the_markup_of_the_editing_outline(world: CourseWorld, client: Client):
    services.update_item(actor=world.teacher, item=_item(world, 0), data={"title": "<script>alert(1)</script>"})
    client.force_login(world.learner)
    page = _page(client, world.course)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'<a href="/courses/{world.course.slug}/items/{world.items[0].pk}/">' in page
    assert '<span class="todo-mark" aria-hidden="true">○</span>' in page
