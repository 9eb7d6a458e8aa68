"""Real-browser fixtures: one Debian chromium per session, a fresh context and tab per test.

Every tab is watched: a test fails if it reached a page that axe never checked, or if the page logged a
script error (a Content-Security-Policy refusal shows up there too).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from cadence.courses.models import Course
from cadence.courses.tests.factories import CourseFactory, ItemFactory, ModuleFactory
from cadence.tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, NewPage, log_for, watch


class SerialLiveServer(ThreadedWSGIServer):
    """The live server, answering one request at a time.

    Under SQLite the tests' database lives in memory, and the server's threads share its one connection,
    which cannot serve two requests at once ("database table is locked"). A page that plays a video while
    its script sends activity makes requests in parallel, so each request runs whole (its body included)
    under a lock. Connections still stay open between requests, as browsers expect.
    """

    def set_app(self, application: Any) -> None:
        lock = threading.Lock()

        def serial(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            with lock:
                result = application(environ, start_response)
                try:
                    return list(result)
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()

        super().set_app(serial)


LiveServerThread.server_class = SerialLiveServer

# The same window for every test, so screenshots and layouts are comparable.
CONTEXT_DEFAULTS: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "en-GB",
    "timezone_id": "UTC",
}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as runner:
        yield runner


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[NewPage]:
    """Open a tab in a new context (its own cookies); keyword arguments go to `browser.new_context`."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def open_page(**context_args: Any) -> Page:
        context = browser.new_context(**(CONTEXT_DEFAULTS | context_args))
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch(page, javascript=context_args.get("java_script_enabled", True))
        pages.append(page)
        return page

    yield open_page
    problems = []
    for page in pages:
        log = log_for(page)
        problems += [f"never checked by axe: {url}" for url in log.unchecked]
        problems += [f"browser error: {error}" for error in log.errors]
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


@pytest.fixture
def code_course(db: None) -> Course:
    """A published course people join with the code ABCD2345, with one module and one lesson."""
    course = CourseFactory(
        title="Statistics for Poets", slug="statistics-for-poets", enrolment="code", enrolment_code="ABCD2345"
    )
    module = ModuleFactory(course=course, title="Counting what counts", position=0)
    ItemFactory(module=module, title="Why averages mislead", position=0)
    return course
