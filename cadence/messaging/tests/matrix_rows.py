"""This app's rows of the authorisation matrix (see cadence/tests/matrix.py)."""

from __future__ import annotations

from cadence.tests.matrix import Case

PAGES: dict[str, Case] = {}
