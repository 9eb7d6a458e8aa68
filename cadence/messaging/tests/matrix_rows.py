"""The messaging app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py)."""

from __future__ import annotations

from cadence.tests.matrix import Case

PAGES: dict[str, Case] = {}
ENDPOINTS: dict[str, Case] = {}
