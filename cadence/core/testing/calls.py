"""Counting the Python function calls a request makes: a page's cost in a form that, unlike time, does not
depend on the machine or its load, so a test can hold a page to a budget."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Mapping

from django.test import Client


def count_calls(client: Client, url: str, *, headers: Mapping[str, str] | None = None, status: int = 200) -> int:
    """The function calls (Python and built-in) of one GET of `url`, after a first GET that warms what is
    loaded once per process (templates, translations, URL resolvers), so the count is the page's own."""
    client.get(url, headers=dict(headers or {}))
    profile = cProfile.Profile()
    profile.enable()
    try:
        response = client.get(url, headers=dict(headers or {}))
    finally:
        profile.disable()
    assert response.status_code == status, (url, response.status_code)
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]  # set by Stats, not in the stubs
