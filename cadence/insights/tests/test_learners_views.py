"""The learners table, its CSV export and the risk settings page: who may see them, filters, sorting,
selection, bad parameters, and a query count that does not grow with the number of learners."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.core.models import AuditEntry
from cadence.core.testing.queries import count_queries
from cadence.courses.models import Course, Membership, Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, MembershipFactory, ModuleFactory
from cadence.insights.domain import risk
from cadence.insights.models import RiskSettings
from cadence.insights.tests.factories import stats_for
from cadence.insights.views.learners import COLUMNS
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def table(course: Course, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("insights:learners-table", args=[course.slug]) + (f"?{query}" if query else "")


def export(course: Course, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("insights:learners-export", args=[course.slug]) + (f"?{query}" if query else "")


def _learner(course: Course, name: str, **fields: Any) -> Membership:
    membership = MembershipFactory(course=course, role=Role.LEARNER, user=UserFactory(display_name=name))
    stats_for(membership, **fields)
    return membership


@pytest.fixture
def class_(world: CourseWorld) -> dict[str, Membership]:
    now = timezone.now()
    stats_for(
        world.learner_membership,
        last_active_at=now,
        risk_score=5,
        pace="on_track",
        started_modules=f",{world.modules[0].pk},",
    )
    return {
        "ada": _learner(world.course, "Ada", last_active_at=now - 12 * DAY, risk_score=80, risk_level="high",
                        risk_reasons=["no activity for 12 days"], pace="behind", pace_items=-3, pace_days=-16,
                        overdue_count=2),
        "bo": _learner(world.course, "Bo", last_active_at=now - 2 * DAY, risk_score=30, risk_level="medium",
                       pace="ahead", pace_items=1, pace_days=4, started_modules=f",{world.modules[0].pk},"),
        "cy": _learner(world.course, "=cmd|' /C calc'!A0", last_active_at=None, risk_score=60, risk_level="high"),
    }  # fmt: skip


def _names(response: Any) -> list[str]:
    return [row.stats.display_name for row in response.context["rows"]]


def test_the_teacher_sees_every_learner_with_reasons_highest_risk_first(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    client.force_login(world.teacher)
    response = client.get(table(world.course))
    assert response.status_code == 200
    assert _names(response) == ["Ada", "=cmd|' /C calc'!A0", "Bo", "Learner"]
    assert "no activity for 12 days" in response.content.decode()
    assert "Behind by 3 items, 16 days" in response.content.decode()
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_the_course_page_links_the_table_for_staff_only(client: Client, world: CourseWorld) -> None:
    link = table(world.course)
    client.force_login(world.ta)
    assert link in client.get(reverse("courses:course-detail", args=[world.course.slug])).content.decode()
    client.force_login(world.learner)
    assert link not in client.get(reverse("courses:course-detail", args=[world.course.slug])).content.decode()


@pytest.mark.parametrize("role, status", [("learner", 403), ("observer", 403), ("outsider", 403)])
def test_learners_observers_and_outsiders_are_refused(
    client: Client, world: CourseWorld, class_: dict[str, Membership], role: str, status: int
) -> None:
    client.force_login(world.user(role))
    for url in (table(world.course), export(world.course), reverse("insights:risk-settings", args=[world.course.slug])):
        assert client.get(url).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, world: CourseWorld) -> None:
    response = client.get(table(world.course))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_teacher_of_another_course_sees_nothing_here(client: Client, world: CourseWorld) -> None:
    other = CourseFactory(visibility="draft")
    MembershipFactory(course=other, user=world.teacher, role=Role.TEACHER)
    client.force_login(world.teacher)
    assert client.get(table(other)).context["total"] == 0  # their own course: no learners yet
    stranger = UserFactory()
    MembershipFactory(course=other, user=stranger, role=Role.TEACHER)
    client.force_login(stranger)
    assert client.get(table(world.course)).status_code == 403


def test_a_ta_limited_to_a_group_sees_only_its_learners(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    group = GroupFactory(course=world.course, name="Tuesday")
    Membership.objects.get(course=world.course, user=world.ta).groups.add(group)
    class_["bo"].groups.add(group)
    client.force_login(world.ta)
    assert _names(client.get(table(world.course))) == ["Bo"]
    rows = list(csv.reader(io.StringIO(b"".join(client.get(export(world.course)).streaming_content).decode())))
    assert [r[0] for r in rows[1:]] == ["Bo"]
    client.force_login(world.teacher)
    assert len(_names(client.get(table(world.course)))) == 4


def test_filters(client: Client, world: CourseWorld, class_: dict[str, Membership]) -> None:
    group = GroupFactory(course=world.course, name="Evening")
    class_["ada"].groups.add(group)
    client.force_login(world.teacher)
    assert _names(client.get(table(world.course, group=group.pk))) == ["Ada"]
    assert _names(client.get(table(world.course, pace="ahead"))) == ["Bo"]
    assert _names(client.get(table(world.course, risk="high"))) == ["Ada", "=cmd|' /C calc'!A0"]
    # Never active counts as inactive since joining (the fixture's learners joined just now: not yet).
    assert _names(client.get(table(world.course, inactive=10))) == ["Ada"]
    assert _names(client.get(table(world.course, inactive=1, sort="name"))) == ["Ada", "Bo"]
    not_started = _names(client.get(table(world.course, not_started=world.modules[0].pk, sort="name")))
    assert not_started == ["=cmd|' /C calc'!A0", "Ada"]


def test_sorting_by_each_column_in_both_directions(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    client.force_login(world.teacher)
    assert _names(client.get(table(world.course, sort="name")))[0] == "=cmd|' /C calc'!A0"
    assert _names(client.get(table(world.course, sort="-name")))[0] == "Learner"
    assert _names(client.get(table(world.course, sort="risk")))[0] == "Learner"
    assert _names(client.get(table(world.course, sort="-last_active")))[:2] == ["Learner", "Bo"]
    assert _names(client.get(table(world.course, sort="last_active")))[-1] == "=cmd|' /C calc'!A0"  # never: last
    assert _names(client.get(table(world.course, sort="-overdue")))[0] == "Ada"

    for key, _label in COLUMNS:
        for sort in (key, f"-{key}"):
            assert client.get(table(world.course, sort=sort)).status_code == 200
    response = client.get(table(world.course, sort="-risk"))
    assert 'aria-sort="descending"' in response.content.decode()


def test_bad_parameters_are_reported_or_ignored_safely(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    client.force_login(world.teacher)
    for params in (
        {"inactive": "abc"},
        {"inactive": "-4"},
        {"group": "999999"},
        {"not_started": "x"},
        {"pace": "sideways"},
        {"sort": "password"},
        {"page": "9999"},
        {"page": "zz"},
        {"sort": "-", "risk": "%00"},
    ):
        response = client.get(table(world.course, **params))
        assert response.status_code == 200, params
        assert len(_names(response)) == 4, params  # the unreadable filter is left out
    assert "Some filters could not be read" in client.get(table(world.course, inactive="abc")).content.decode()


def test_csv_export_has_the_filtered_rows_with_formulas_defused(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    client.force_login(world.teacher)
    response = client.get(export(world.course, risk="high", sort="name"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["name", "email", "last active"]
    assert [r[0] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "Ada"]
    assert rows[2][rows[0].index("reasons")] == "no activity for 12 days"


def test_choosing_all_matching_rows_carries_their_ids(
    client: Client, world: CourseWorld, class_: dict[str, Membership]
) -> None:
    client.force_login(world.teacher)
    response = client.get(table(world.course, risk="high", select="all"))
    ids = sorted(int(i) for i in response.context["all_ids"].split(","))
    assert ids == sorted([class_["ada"].user_id, class_["cy"].user_id])
    assert 'name="learners"' in response.content.decode()


def _course_with(n: int, teacher: Any) -> Course:
    course = CourseFactory()
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    ModuleFactory(course=course)
    GroupFactory(course=course)
    for i in range(n):
        _learner(course, f"Learner {i}", risk_score=i % 100, risk_reasons=["2 items overdue"])
    return course


def test_the_page_costs_the_same_queries_for_3_and_60_learners(client: Client) -> None:
    teacher = UserFactory()
    small, large = _course_with(3, teacher), _course_with(60, teacher)
    client.force_login(teacher)
    assert count_queries(client, table(small)) == count_queries(client, table(large))
    assert count_queries(client, table(small, risk="low", inactive=3, sort="name")) == count_queries(
        client, table(large, risk="low", inactive=3, sort="name")
    )


# --- Risk settings ------------------------------------------------------------------------------------
def _settings_form(**overrides: Any) -> dict[str, Any]:

    data: dict[str, Any] = {"medium_at": 25, "high_at": 50, "planned_weeks": ""}
    for i in risk.Indicator:
        data[f"weight_{i.value}"] = risk.DEFAULT_WEIGHTS[i]
        data[f"threshold_{i.value}"] = risk.DEFAULT_THRESHOLDS[i]
    return {**data, **overrides}


def test_the_teacher_adjusts_the_risk_settings(client: Client, world: CourseWorld) -> None:
    url = reverse("insights:risk-settings", args=[world.course.slug])
    client.force_login(world.teacher)
    assert client.get(url).status_code == 200
    assert not RiskSettings.objects.exists()  # GET writes nothing
    response = client.post(url, _settings_form(weight_overdue=8, threshold_inactive=10, planned_weeks=6))
    assert response.status_code == 302
    stored = RiskSettings.objects.get(course=world.course)
    assert stored.weights["overdue"] == 8
    assert stored.thresholds["inactive"] == 10
    assert stored.planned_weeks == 6
    entry = AuditEntry.objects.get(verb="insights.risk_settings_changed")
    assert entry.actor_id == world.teacher.pk and entry.data["weights"]["overdue"] == 8


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("weight_overdue", 11, "Must be between 0 and 10"),
        ("threshold_inactive", 0, "Must be between 1 and 120"),
        ("high_at", 20, "The high level must start above the medium level."),
        ("planned_weeks", 500, "Must be between 1 and 104 weeks."),
        ("weight_quiet", "lots", "Enter a whole number."),
    ],
)
def test_out_of_range_settings_are_refused_with_a_clear_message(
    client: Client, world: CourseWorld, field: str, value: Any, message: str
) -> None:
    client.force_login(world.teacher)
    response = client.post(
        reverse("insights:risk-settings", args=[world.course.slug]), _settings_form(**{field: value})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was changed" in response.content.decode()
    assert not RiskSettings.objects.exists()


def test_a_ta_reads_the_settings_but_may_not_change_them(client: Client, world: CourseWorld) -> None:
    url = reverse("insights:risk-settings", args=[world.course.slug])
    client.force_login(world.ta)
    response = client.get(url)
    assert response.status_code == 200
    assert "Only the course's teachers change these settings." in response.content.decode()
    assert client.post(url, _settings_form()).status_code == 403
    assert not RiskSettings.objects.exists()


def test_the_risk_settings_page_stays_within_its_query_budget(
    client: Client, world: CourseWorld, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.teacher)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("insights:risk-settings", args=[world.course.slug])).status_code == 200
