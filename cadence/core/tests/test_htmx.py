from __future__ import annotations

from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import reverse

from cadence.core.htmx import render_page_or_fragment
from conftest import CourseWorld


def _vary(response: HttpResponseBase) -> set[str]:
    return {v.strip() for v in response.get("Vary", "").split(",")}


def test_the_helper_renders_the_partial_for_htmx_and_the_page_otherwise_both_varying(world: CourseWorld) -> None:
    factory = RequestFactory()
    context = {"courses": [], "query": ""}
    plain_request = factory.get("/")
    plain_request.user = world.learner
    plain_request.htmx = False
    htmx_request = factory.get("/", headers={"HX-Request": "true"})
    htmx_request.user = world.learner
    htmx_request.htmx = True
    page = render_page_or_fragment(plain_request, "courses/catalogue.html", "catalogue-results", context)
    fragment = render_page_or_fragment(htmx_request, "courses/catalogue.html", "catalogue-results", context)
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert "HX-Request" in _vary(page) and "HX-Request" in _vary(fragment)


def test_a_post_answered_with_a_fragment_for_htmx_also_varies(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    url = reverse("progress:item-review", args=[world.course.slug, world.items[0].pk])
    fragment = client.post(url, {"marked": "1"}, headers={"HX-Request": "true"})
    plain = client.post(url, {"marked": "0"})
    assert fragment.status_code == 200 and plain.status_code == 302
    assert "HX-Request" in _vary(fragment) and "HX-Request" in _vary(plain)
