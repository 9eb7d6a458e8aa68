"""Shared computers: nothing shown to a signed-in person may be kept by the browser's cache, so the next
person at a school's computer cannot bring a pupil's messages or grades back with the back button."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cadence.accounts import services as account_services
from cadence.community.models import ForumKind
from cadence.community.tests import factories as forums
from cadence.content import services as content_services
from cadence.content.tests.factories import png_bytes, upload
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
NO_STORE = "no-store, private"


def test_signed_in_page_is_not_stored(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    response = client.get(reverse("courses:course-detail", args=[world.course.slug]))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_htmx_fragment_is_not_stored(client: Client, world: CourseWorld) -> None:
    forum = forums.forum(world.course, kind=ForumKind.QA)
    client.force_login(world.learner)
    url = reverse("community:thread-suggest", args=[world.course.slug, forum.pk])
    response = client.get(url + "?title=median", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert response["Cache-Control"] == NO_STORE


def test_api_responses_are_not_stored_with_a_token_or_a_session(client: Client, world: CourseWorld) -> None:
    issued = account_services.create_api_token(user=world.learner, name="script")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.secret}"})
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE
    refused = client.get("/api/v1/me", headers={"Authorization": "Bearer cdn_wrong"})
    assert refused.status_code == 401 and refused["Cache-Control"] == NO_STORE
    client.force_login(world.learner)
    assert client.get("/api/v1/me")["Cache-Control"] == NO_STORE


def test_media_for_a_signed_in_person_is_not_stored(
    client: Client, world: CourseWorld, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    item = world.items[0]
    image = content_services.upload_image(
        actor=world.teacher, item=item, upload=upload("chart.png", png_bytes()), alt_text="A chart"
    )
    client.force_login(world.learner)
    response = client.get(
        reverse("content:image-file", args=[world.course.slug, image.pk, image.filename]),
        headers={"Range": "bytes=0-9"},
    )
    assert response.status_code == 206
    assert response["Cache-Control"] == NO_STORE
    assert response["X-Content-Type-Options"] == "nosniff"  # the media view's own headers stay


def test_signed_out_pages_keep_their_own_caching(client: Client, world: CourseWorld) -> None:
    response = client.get(reverse("courses:catalogue"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    client.force_login(world.learner)
    assert client.get(reverse("courses:catalogue"))["Cache-Control"] == NO_STORE


def test_after_sign_out_the_back_button_must_ask_the_server_again(client: Client, world: CourseWorld) -> None:
    client.force_login(world.learner)
    page = client.get(reverse("home"))
    assert page["Cache-Control"] == NO_STORE
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302  # the server, asked again, sends them to sign in
