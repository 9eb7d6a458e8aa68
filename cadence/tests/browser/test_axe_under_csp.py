"""The accessibility checks are real: axe runs under the site's strict Content-Security-Policy and finds faults."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error, Page
from pytest_django.live_server_helper import LiveServer

from cadence.tests.browser.helpers import AXE, check_a11y, log_for

pytestmark = pytest.mark.browser


def test_axe_runs_and_finds_faults_under_the_content_security_policy(live_server: LiveServer, page: Page) -> None:
    response = page.goto(f"{live_server.url}/accounts/signin/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    check_a11y(page)

    # The policy is enforced: the page itself may not run an inline script, and the watcher that fails any
    # test whose pages log an error has seen the refusal.
    with pytest.raises(Error, match="violates the following Content Security Policy directive"):
        page.add_script_tag(content="window.inlineScriptRan = true")
    assert page.evaluate("window.inlineScriptRan") is None
    log = log_for(page)
    assert any("Content Security Policy" in error for error in log.errors), log.errors
    log.errors.clear()

    # axe is injected through the DevTools protocol, which the policy does not govern, and it still works:
    # a button with no name is a critical fault it must report.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<button id=\"nameless\"></button>')")
    results = AXE.run(page)
    assert ("button-name", "critical") in {(v["id"], v["impact"]) for v in results.response["violations"]}
    with pytest.raises(AssertionError, match="button-name"):
        check_a11y(page)

    page.evaluate("document.getElementById('nameless').remove()")
    check_a11y(page)
