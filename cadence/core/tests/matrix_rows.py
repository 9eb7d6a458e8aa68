"""The core app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py).

The session state is public (it tells a page who is signed in, and hands out a CSRF token). Kept work
is its writer's alone, in the browser that kept it: a token from elsewhere finds nothing (404).
"""

from __future__ import annotations

from cadence.tests.matrix import LOGIN, OK, Case, Row, everyone, page, url

PAGES: dict[str, Case] = {
    "GET core:session-detail": Case(page("GET", url("core:session-detail")), everyone(OK)),
    "GET core:work-resume": Case(
        page("GET", url("core:work-resume", lambda c: "not-kept-in-this-browser")),
        Row(LOGIN, 404, 404, 404, 404, 404, 404),
    ),
}
ENDPOINTS: dict[str, Case] = {}
