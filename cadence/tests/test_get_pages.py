"""Every page a GET can reach, for the people who use it most: a GET never writes, and a page that answers
htmx with a fragment says so with `Vary: HX-Request`.

The pages are the authorisation matrix's (so a new page is covered as soon as it has its row there).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cadence.accounts.models import SiteSettings
from cadence.assessment.models import Assignment, Quiz
from cadence.core.htmx import VARY
from cadence.core.testing.queries import serve, written_table
from cadence.courses.tests.factories import ItemFactory
from cadence.tests.matrix import ALLOWED, Ctx
from cadence.tests.test_authorisation_matrix import PAGES
from conftest import CourseWorld


@pytest.fixture
def world(shared_world: CourseWorld) -> CourseWorld:
    """Built once for the module: these tests only read it or change it through the database (rolled back)."""
    return shared_world


ACTORS = ("anonymous", "teacher", "learner")
GET_PAGES = sorted(key for key in PAGES if key.startswith("GET "))

# What a learner opens is recorded as it happens (the item page's view, a search, a library download):
# the learner's own activity log and the aggregates built from it.
ACTIVITY_TABLES = frozenset(
    {"progress_event", "progress_itemprogress", "progress_completion", "progress_dailyactivity"}
)
# Everyone's own reading markers (a thread's, a conversation's, a notification's "read") and their own
# session (Django's password-reset link keeps its token there). Nothing else may change on a GET.
OWN_STATE = (
    re.compile(r'^(INSERT INTO|UPDATE) "community_threadread"'),
    re.compile(r'^UPDATE "messaging_participant" SET "last_read_at" = [^,]*? WHERE'),
    re.compile(r'^UPDATE "notifications_notification" SET "read_at" = [^,]*? WHERE'),
    re.compile(r'^(INSERT INTO|UPDATE) "django_session"'),
)


def _allowed(sql: str, actor: str) -> bool:
    if actor == "learner" and written_table(sql) in ACTIVITY_TABLES:
        return True
    return any(pattern.match(sql) for pattern in OWN_STATE)


def _cases() -> list[Any]:
    return [
        pytest.param(key, actor, id=f"{key} | {actor}")
        for key in GET_PAGES
        for actor in ACTORS
        if getattr(PAGES[key].expect, actor) in ALLOWED
    ]


def _login(client: Client, world: CourseWorld, actor: str) -> None:
    user = world.user(actor)
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize(("key", "actor"), _cases())
def test_a_get_writes_nothing(client: Client, world: CourseWorld, key: str, actor: str) -> None:
    _login(client, world, actor)
    req = PAGES[key].build(Ctx(world, actor))
    served = serve(client, req.url, status=None)
    assert served.response.status_code < 500
    unexpected = [sql for sql in served.writes if not _allowed(sql, actor)]
    assert not unexpected, unexpected


def _is_whole_page(response: Any) -> bool:
    return b"<html" in response.content[:500].lower()


def _is_html(response: Any) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and not response.streaming


@pytest.mark.parametrize(("key", "actor"), _cases())
def test_a_page_that_answers_htmx_with_a_fragment_varies_on_hx_request(
    client: Client, world: CourseWorld, key: str, actor: str
) -> None:
    _login(client, world, actor)
    req = PAGES[key].build(Ctx(world, actor))
    plain = client.get(req.url)
    htmx = client.get(req.url, headers={"HX-Request": "true"})
    if not (_is_html(plain) and _is_html(htmx)):
        return  # files and exports: the same bytes whoever asks
    differs = plain.status_code != htmx.status_code or _is_whole_page(plain) != _is_whole_page(htmx)
    if differs:
        for response in (plain, htmx):
            vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
            assert VARY.lower() in vary, (response.status_code, response.get("Vary"))


@pytest.mark.parametrize("kind", ["quiz", "assignment"])
def test_opening_a_new_quiz_or_assignment_settings_page_creates_no_settings_row(
    client: Client, world: CourseWorld, kind: str
) -> None:
    item = ItemFactory.create(module=world.modules[0], kind=kind, title="Fresh", position=50)
    client.force_login(world.teacher)
    served = serve(client, reverse(f"assessment:{kind}-edit", args=[world.course.slug, item.pk]))
    assert served.writes == []
    assert not Quiz.objects.filter(item=item).exists() and not Assignment.objects.filter(item=item).exists()
    assert b'name="attempts_allowed"' in served.response.content or b'name="max_points"' in served.response.content


def test_the_sign_up_page_creates_no_site_settings_row(client: Client, db: None) -> None:
    served = serve(client, reverse("accounts:signup"))
    assert served.writes == []
    assert not SiteSettings.objects.exists()
