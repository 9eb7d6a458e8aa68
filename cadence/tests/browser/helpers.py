"""What every browser test does: visit a page, submit a form, sign in, and run axe on each page it sees."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from axe_playwright_python.sync_playwright import Axe, AxeResults
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, Response, Route, expect

from cadence.accounts.models import User
from cadence.accounts.tests.factories import PASSWORD

# Debian's chromium, never a downloaded build; the flags keep it quiet and fast in a container.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# DESIGN.md principle 5: axe-core finds no serious or critical violation on any page.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

AXE = Axe()

# The `new_page` fixture: opens a tab in a fresh browser context; keyword arguments go to `new_context`.
NewPage = Callable[..., Page]


class PageLog:
    """What one tab did: pages it reached that axe has not checked yet, and script errors it logged."""

    def __init__(self, *, javascript: bool) -> None:
        self.javascript = javascript
        self.unchecked: list[str] = []
        self.errors: list[str] = []


_logs: WeakKeyDictionary[Page, PageLog] = WeakKeyDictionary()


def watch(page: Page, *, javascript: bool = True) -> PageLog:
    """Start recording the page's navigations and errors (the fixtures call this for every page)."""
    log = _logs[page] = PageLog(javascript=javascript)

    def on_document(loaded: Page) -> None:
        # A new document, not a history entry pushed by htmx (htmx's swaps are checked where they happen).
        log.unchecked.append(loaded.url)

    def on_console(message: ConsoleMessage) -> None:
        # Chrome logs every 4xx as a failed load; `on_response` below tells the expected ones (a form with
        # errors answers 400) from a missing stylesheet or script.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            log.errors.append(f"{message.location.get('url', '')}: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            log.errors.append(f"{response.url} answered {response.status}")

    def on_page_error(error: Error) -> None:
        log.errors.append(f"uncaught: {error}")

    page.on("domcontentloaded", on_document)
    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", on_page_error)
    return log


def log_for(page: Page) -> PageLog:
    return _logs[page]


def format_violations(violations: Sequence[Mapping[str, Any]]) -> str:
    lines: list[str] = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'].strip()[:200]}")
            summary = str(node.get("failureSummary", "")).replace("\n", "\n      ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


def _audit_copy(page: Page) -> AxeResults:
    """Audit a page from a context without JavaScript.

    axe waits on timers, and timers never fire where JavaScript is off, so axe would wait for ever. Instead a
    throwaway context with JavaScript on loads the same HTML at the same address, with the same stylesheet,
    and with the site's own scripts blocked so the page is the one a person without JavaScript sees.
    """
    url, html = page.url, page.content()
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(viewport=page.viewport_size)
    try:

        def serve_copy(route: Route) -> None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        context.route("**/*.js", lambda route: route.abort())
        context.route(lambda candidate: candidate == url, serve_copy)
        copy = context.new_page()
        copy.goto(url)
        return AXE.run(copy)
    finally:
        context.close()


def check_a11y(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    results = AXE.run(page) if _logs[page].javascript else _audit_copy(page)
    _logs[page].unchecked.clear()
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found {len(blocking)} serious or critical violation(s) on {page.url}:\n" + (
        format_violations(blocking)
    )


def visit(page: Page, url: str, *, status: int = 200) -> None:
    """Open a URL as a person would (typing it in), check the status, then run axe."""
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered {response.status}, expected {status}"
    check_a11y(page)


def submit(page: Page, control: Locator) -> None:
    """Click a control that loads a new page (a plain form POST, a link), wait for it, then run axe."""
    with page.expect_navigation():
        control.click()
    check_a11y(page)


def sign_in(page: Page, base_url: str, user: User) -> None:
    """Sign in through the real form, landing on the home page."""
    visit(page, f"{base_url}/accounts/signin/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("main").get_by_role("button", name="Sign in"))
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.display_name}")
