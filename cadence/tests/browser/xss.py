"""A corpus of script-injection payloads and the check that none of them ran on a page.

Each payload, if it ever ran, would set `window.__xss` or open a dialog. Images carry alt text and a
data: address (which the sanitiser drops) so the pages stay accessible and load nothing that is missing.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img alt="" src="data:image/png;base64,AAAA" onerror="window.__xss=1;alert(1)">',
    '<a href="javascript:window.__xss=1">click</a>',
    "[md link](javascript:window.__xss=1)",
    '<a href="data:text/html,<script>parent.__xss=1</script>">data</a>',
    "<svg onload=window.__xss=1><circle r=5></circle></svg>",
    '<div style="width: expression(window.__xss=1)">css</div>',
    '<p onmouseover="window.__xss=1">hover',
    '"><script>window.__xss=1</script><"',
    '<iframe src="javascript:window.__xss=1"></iframe>',
    '<math><mtext><table><mglyph><style><img alt="" src="data:," onerror=window.__xss=1>',
    "<details open ontoggle=window.__xss=1>",
    "</textarea><script>window.__xss=1</script>",
    "<body onload=window.__xss=1>",
]


def watch_for_dialogs(page: Page) -> list[str]:
    """Record (and dismiss) every alert, confirm or prompt the page opens."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    """Move the pointer over the page (for hover handlers), then check no payload left a trace."""
    page.mouse.move(200, 300)
    page.mouse.move(400, 500)
    assert page.evaluate("typeof window.__xss") == "undefined", page.url
    assert page.evaluate("typeof window.parent.__xss") == "undefined", page.url
    assert not dialogs, dialogs
