"""The insights app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py).

Course health and the learners table are the course's teachers' and TAs' (and site administrators'); risk settings
are changed by teachers; the teacher's home is for anyone who teaches some course (the world's outsider, learner and
observer teach nothing).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cadence.insights.domain import risk
from cadence.tests.matrix import STAFF_GO, STAFF_ONLY, TEACHERS_GO, Case, Ctx, page, slug, url


def _settings(c: Ctx) -> dict[str, Any]:
    data: dict[str, Any] = {"medium_at": 25, "high_at": 50, "planned_weeks": ""}
    for i in risk.Indicator:
        data[f"weight_{i.value}"] = risk.DEFAULT_WEIGHTS[i]
        data[f"threshold_{i.value}"] = risk.DEFAULT_THRESHOLDS[i]
    return data


def _session(c: Ctx) -> dict[str, Any]:
    return {"module": c.world.modules[0].pk, "date": (timezone.localdate() + timedelta(days=7)).isoformat()}


PAGES: dict[str, Case] = {
    "GET insights:course-health": Case(page("GET", url("insights:course-health", slug)), STAFF_ONLY),
    "POST insights:course-health-refresh": Case(page("POST", url("insights:course-health-refresh", slug)), STAFF_GO),
    "GET insights:teaching-home": Case(page("GET", url("insights:teaching-home")), STAFF_ONLY),
    "GET insights:learners-table": Case(page("GET", url("insights:learners-table", slug)), STAFF_ONLY),
    "GET insights:learners-export": Case(page("GET", url("insights:learners-export", slug)), STAFF_ONLY),
    "GET insights:risk-settings": Case(page("GET", url("insights:risk-settings", slug)), STAFF_ONLY),
    "POST insights:risk-settings": Case(page("POST", url("insights:risk-settings", slug), _settings), TEACHERS_GO),
    "GET insights:readiness": Case(page("GET", url("insights:readiness", slug)), STAFF_ONLY),
    "POST insights:readiness-check-in": Case(
        page("POST", url("insights:readiness-check-in", slug), _session), STAFF_ONLY
    ),
}
ENDPOINTS: dict[str, Case] = {}
