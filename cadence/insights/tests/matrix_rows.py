"""The insights app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py).

Course health and the learners table are the course's teachers' and TAs' (and site administrators'); risk settings
are changed by teachers; the teacher's home is for anyone who teaches some course (the world's outsider, learner and
observer teach nothing). Check-ins: the course's staff check in from the learners table with templates, see the
templates and the log; teachers write templates and automated rules. The API's learners table, check-ins and log
follow the pages: the course's staff (outsiders may discover the course, so they get 403 like its members).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cadence.insights.domain import risk
from cadence.insights.models import CheckInRule, CheckInTemplate
from cadence.insights.tests.factories import stats_for
from cadence.tests.matrix import (
    STAFF_GO,
    STAFF_ONLY,
    TEACHERS_GO,
    TEACHERS_ONLY,
    Case,
    Ctx,
    Row,
    call,
    course_path,
    page,
    slug,
    url,
)


def _settings(c: Ctx) -> dict[str, Any]:
    data: dict[str, Any] = {"medium_at": 25, "high_at": 50, "planned_weeks": ""}
    for i in risk.Indicator:
        data[f"weight_{i.value}"] = risk.DEFAULT_WEIGHTS[i]
        data[f"threshold_{i.value}"] = risk.DEFAULT_THRESHOLDS[i]
    return data


def _session(c: Ctx) -> dict[str, Any]:
    return {"module": c.world.modules[0].pk, "date": (timezone.localdate() + timedelta(days=7)).isoformat()}


def _template(c: Ctx) -> int:
    row = CheckInTemplate.objects.create(
        course=c.world.course,
        title="Nudge",
        body="Hi {first_name}",
        created_by=c.world.teacher,
        updated_at=timezone.now(),
    )
    return row.pk


def _rule(c: Ctx) -> int:
    row = CheckInRule.objects.create(
        course=c.world.course, name="Quiet", trigger="inactive", days=5, template_key="builtin:quiet",
        sender=c.world.teacher, updated_at=timezone.now(),
    )  # fmt: skip
    return row.pk


def _compose(c: Ctx) -> dict[str, Any]:
    return {"learners": str(c.world.learner.pk)}


def _template_data(c: Ctx) -> dict[str, Any]:
    return {"title": "Hello again", "body": "Hi {first_name}, how is {course} going?"}


def _rule_data(c: Ctx) -> dict[str, Any]:
    return {
        "name": "Gone quiet",
        "trigger": "inactive",
        "days": 5,
        "template_key": "builtin:quiet",
        "period_days": 14,
        "confirm_over": 10,
    }


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
    "POST insights:check-in-compose": Case(page("POST", url("insights:check-in-compose", slug), _compose), STAFF_ONLY),
    "GET insights:check-in-log": Case(page("GET", url("insights:check-in-log", slug)), STAFF_ONLY),
    "GET insights:check-in-templates": Case(page("GET", url("insights:check-in-templates", slug)), STAFF_ONLY),
    "POST insights:check-in-templates": Case(
        page("POST", url("insights:check-in-templates", slug), _template_data), TEACHERS_GO
    ),
    "GET insights:check-in-template": Case(
        page("GET", url("insights:check-in-template", slug, _template)), TEACHERS_ONLY
    ),
    "POST insights:check-in-template": Case(
        page("POST", url("insights:check-in-template", slug, _template), _template_data), TEACHERS_GO
    ),
    "GET insights:check-in-rules": Case(page("GET", url("insights:check-in-rules", slug)), TEACHERS_ONLY),
    "POST insights:check-in-rules": Case(page("POST", url("insights:check-in-rules", slug), _rule_data), TEACHERS_GO),
    "GET insights:check-in-rule": Case(page("GET", url("insights:check-in-rule", slug, _rule)), TEACHERS_ONLY),
    "POST insights:check-in-rule": Case(
        page("POST", url("insights:check-in-rule", slug, _rule), _rule_data), TEACHERS_GO
    ),
}


def _learner_row(c: Ctx) -> str:
    stats_for(c.world.learner_membership)
    return f"/courses/{c.course_id}/learners/{c.world.learner.pk}"


def _check_in(c: Ctx) -> dict[str, Any]:
    return {"learner_ids": [c.world.learner.pk], "template": "builtin:hello"}


#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
API_STAFF = Row(401, 403, 403, 200, 200, 200, 403)

ENDPOINTS: dict[str, Case] = {
    "GET /api/v1/courses/{course_id}/learners": Case(call("GET", course_path("/learners")), API_STAFF),
    "GET /api/v1/courses/{course_id}/learners/{user_id}": Case(call("GET", _learner_row), API_STAFF),
    # A teacher is no learner: their row does not exist for anyone.
    "GET /api/v1/courses/{course_id}/learners/{user_id} [a teacher]": Case(
        call("GET", lambda c: f"/courses/{c.course_id}/learners/{c.world.teacher.pk}"),
        Row(401, 403, 403, 404, 404, 404, 403),
    ),
    "GET /api/v1/courses/{course_id}/check-ins/templates": Case(
        call("GET", course_path("/check-ins/templates")), API_STAFF
    ),
    "GET /api/v1/courses/{course_id}/check-ins": Case(call("GET", course_path("/check-ins")), API_STAFF),
    "POST /api/v1/courses/{course_id}/check-ins": Case(
        call("POST", course_path("/check-ins"), _check_in), Row(401, 403, 403, 201, 201, 201, 403)
    ),
}
