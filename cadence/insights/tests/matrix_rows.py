"""The insights app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py).

Course health is the course's teachers' and TAs' (and site administrators'); the teacher's home is for anyone
who teaches some course (the world's outsider, learner and observer teach nothing).
"""

from __future__ import annotations

from cadence.tests.matrix import STAFF_GO, STAFF_ONLY, Case, page, slug, url

PAGES: dict[str, Case] = {
    "GET insights:course-health": Case(page("GET", url("insights:course-health", slug)), STAFF_ONLY),
    "POST insights:course-health-refresh": Case(page("POST", url("insights:course-health-refresh", slug)), STAFF_GO),
    "GET insights:teaching-home": Case(page("GET", url("insights:teaching-home")), STAFF_ONLY),
}
ENDPOINTS: dict[str, Case] = {}
