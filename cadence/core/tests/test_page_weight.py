"""Works on a slow phone: a page with its CSS and JS stays under 60 KB transferred (gzip), no CDN."""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from conftest import CourseWorld

pytestmark = pytest.mark.django_db
BUDGET = 60 * 1024


def _weight(html: str) -> int:
    total = len(gzip.compress(html.encode()))
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        path = finders.find(url.removeprefix("/static/"))
        assert path, f"{url} is not one of our static files"
        with open(path, "rb") as handle:
            total += len(gzip.compress(handle.read()))
    return total


@pytest.mark.parametrize("page", ["accounts:signup", "accounts:login", "courses:catalogue"])
def test_public_pages_are_small_and_use_no_cdn(client, page):
    html = client.get(reverse(page)).content.decode()
    assert not re.search(r'(?:src|href)="https?://', html)
    assert _weight(html) < BUDGET


def test_course_page_is_small(client, world: CourseWorld):
    client.force_login(world.learner)
    html = client.get(reverse("courses:course-detail", args=[world.course.slug])).content.decode()
    assert _weight(html) < BUDGET


@pytest.mark.parametrize("page", ["home", "content:library", "content:course-search"])
def test_learner_pages_are_small(client, world: CourseWorld, page: str):
    client.force_login(world.learner)
    url = reverse(page) if page == "home" else reverse(page, args=[world.course.slug]) + "?q=data"
    html = client.get(url).content.decode()
    assert not re.search(r'(?:src|href)="https?://', html)
    assert _weight(html) < BUDGET
