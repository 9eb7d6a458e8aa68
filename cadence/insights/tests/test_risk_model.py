"""The statistical risk model on a course's own history, the weekly observations the refresh keeps, the notice
to the staff when a learner's risk rises to high, and where teachers see both."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.courses.models import Course, Group, Membership, Role
from cadence.courses.tests.factories import MembershipFactory
from cadence.insights import risk_training, services, tasks, training_process
from cadence.insights.domain import risk, risk_model
from cadence.insights.domain.risk import Indicator
from cadence.insights.models import LearnerStats, RiskModel, RiskObservation, RiskSettings
from cadence.notifications.models import Kind, Notification
from cadence.progress import services as progress
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- Training --------------------------------------------------------------------------------------------
def _values(inactive: float, overdue: float, behind: float = 0.0) -> dict[str, float]:
    return {
        Indicator.INACTIVE.value: inactive,
        Indicator.OVERDUE.value: overdue,
        Indicator.BEHIND.value: behind,
        Indicator.FALLING.value: 0.0,
        Indicator.QUIET.value: 0.0,
        Indicator.LAST_MINUTE.value: 0.0,
    }


def _history(course: Course, *, stopped: int, carried_on: int, now: datetime) -> None:
    """Learners with a known outcome and three weekly observations each: those who stopped (30 days ago) had
    been drifting (a few days quiet, an item overdue) before; those who finished had not."""
    for n in range(stopped + carried_on):
        gone = n < stopped
        membership = MembershipFactory.create(course=course, role=Role.LEARNER)
        Membership.objects.filter(pk=membership.pk).update(joined_at=now - 70 * DAY)
        LearnerStats.objects.create(
            membership=membership,
            course=course,
            user=membership.user,
            display_name=f"Learner {n}",
            required_count=4,
            required_done=1 if gone else 4,
            last_active_at=now - (30 if gone else 1) * DAY,
            refreshed_at=now,
        )
        for week in range(3):
            observed = now - (60 - 7 * week) * DAY
            wobble = (n % 3) * 0.5
            values = _values(4 + week + wobble, 1 + week % 2, 0.5) if gone else _values(1 + wobble, n % 2 * 0.5)
            RiskObservation.objects.create(
                membership=membership,
                course=course,
                week=observed.date(),
                observed_at=observed,
                values=values,
            )
        # after the stop: teaches nothing, and must not be used
        RiskObservation.objects.create(
            membership=membership, course=course, week=(now - DAY).date(), observed_at=now - DAY, values=_values(0, 0)
        )


def test_too_little_history_keeps_the_rules_and_says_why(world: CourseWorld) -> None:
    now = timezone.now()
    _history(world.course, stopped=3, carried_on=5, now=now)
    stored = risk_training.train_course(course=world.course, now=now)
    assert (stored.in_use, stored.why) == ("rules", risk_model.Why.TOO_FEW_LEARNERS)
    assert (stored.learners_stopped, stored.learners_carried_on) == (3, 5)
    assert stored.fitted == {} and stored.figures == {}


def test_too_few_learners_who_stopped_is_named_as_the_reason(world: CourseWorld) -> None:
    now = timezone.now()
    _history(world.course, stopped=4, carried_on=40, now=now)
    stored = risk_training.train_course(course=world.course, now=now)
    assert (stored.in_use, stored.why) == ("rules", risk_model.Why.TOO_FEW_STOPPED)


def test_observations_after_a_learner_stopped_are_left_out(world: CourseWorld) -> None:
    now = timezone.now()
    _history(world.course, stopped=2, carried_on=2, now=now)
    samples = risk_training.course_samples(world.course, now=now)
    by_learner: dict[int, int] = {}
    for s in samples:
        by_learner[s.learner] = by_learner.get(s.learner, 0) + 1
    stopped = [s for s in samples if s.stopped]
    assert len(stopped) == 2 * 3  # the observation after the stop is not one of them
    assert sorted(by_learner.values()) == [3, 3, 4, 4]


def test_enough_history_trains_a_model_stored_as_json_with_both_models_figures(world: CourseWorld, commit: Any) -> None:
    now = timezone.now()
    _history(world.course, stopped=20, carried_on=24, now=now)
    with commit():
        stored = risk_training.train_course(course=world.course, now=now)
    stored.refresh_from_db()
    json.dumps([stored.fitted, stored.figures])  # plain JSON, no pickle
    model = risk_model.FittedModel.from_stored(stored.fitted)
    assert model is not None and model.feature_names == risk_model.FEATURES
    statistical = risk_model.Figures.from_stored(stored.figures["statistical"])
    rules = risk_model.Figures.from_stored(stored.figures["rules"])
    assert statistical is not None and rules is not None
    assert statistical.observations == rules.observations > 0  # the same held-out learners' weeks
    assert stored.figures["held_out_learners"] + stored.figures["training_learners"] == 44
    # The drifting learners are separable; the rule model with its defaults flags none of them as high.
    assert statistical.recall >= 0.8 and rules.f1 == 0
    assert (stored.in_use, stored.why) == ("statistical", risk_model.Why.BETTER)


def test_the_split_is_seeded_so_a_rerun_gives_the_same_model(world: CourseWorld) -> None:
    now = timezone.now()
    _history(world.course, stopped=10, carried_on=30, now=now)
    samples = risk_training.course_samples(world.course, now=now)
    first = risk_training.fit(samples, rules=risk.RiskSettings())
    second = risk_training.fit(samples, rules=risk.RiskSettings())
    assert first == second


def test_a_statistical_model_in_use_scores_learners_but_the_reasons_stay_the_rules_words(
    world: CourseWorld,
) -> None:
    now = timezone.now()
    model = risk_model.FittedModel(
        feature_names=risk_model.FEATURES,
        means=(0.0,) * len(risk_model.FEATURES),
        scales=(1.0,) * len(risk_model.FEATURES),
        coefficients=(2.0,) + (0.0,) * (len(risk_model.FEATURES) - 1),
        intercept=-4.0,
        threshold=0.5,
    )
    RiskModel.objects.create(course=world.course, trained_at=now, in_use="statistical", why="better",
                             fitted=model.stored())  # fmt: skip
    services.refresh_learners(course=world.course, now=world.learner_membership.joined_at + 20 * DAY)
    stats = LearnerStats.objects.get(membership=world.learner_membership)
    p = risk_model.probability(model, {Indicator.INACTIVE: 20.0})
    assert stats.risk_score == risk_model.score_for_probability(p) == 89  # log(1 + 20) × 2 − 4 → 0.89
    assert stats.risk_level == "high"
    assert stats.risk_reasons[0] == "no activity since joining 20 days ago"
    # In a learner's first week the rules decide: the model was never trained on such days.
    services.refresh_learners(course=world.course, now=world.learner_membership.joined_at + 5 * DAY)
    stats.refresh_from_db()
    assert (stats.risk_score, stats.risk_level) == (risk.assess(_first_days(5.0)).score, "low")


def _first_days(days: float) -> risk.RiskFacts:
    return risk.RiskFacts(days_inactive=None, days_in_course=days)


def test_observations_from_a_learners_first_week_do_not_teach_the_model(world: CourseWorld) -> None:
    now = timezone.now()
    _history(world.course, stopped=1, carried_on=1, now=now)
    later = LearnerStats.objects.filter(course=world.course).order_by("pk").values_list("membership_id", flat=True)
    # One learner joined 56 days ago: their observations of 60 and 53 days ago fall before joining and in
    # their first week.
    Membership.objects.filter(pk=later[0]).update(joined_at=now - 56 * DAY)
    samples = risk_training.course_samples(world.course, now=now)
    assert min(s.values["days_in_course"] for s in samples) >= risk_model.MIN_DAYS_IN_COURSE
    assert len(samples) == 2 * 3 + 1 - 2


def test_the_training_command_trains_every_published_course_with_observations(world: CourseWorld) -> None:
    now = timezone.now()
    _history(world.course, stopped=1, carried_on=1, now=now)
    out = io.StringIO()
    call_command("train_risk_models", "--now", now.isoformat(), stdout=out)
    assert out.getvalue().split() == ["1"]
    stored = RiskModel.objects.get(course=world.course)
    assert stored.why == risk_model.Why.TOO_FEW_LEARNERS
    assert stored.trained_at == now


def test_the_daily_task_runs_the_training_command_in_a_process_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The task worker never imports scikit-learn: a child process trains and ends (bench/memory.py)."""
    ran: list[Sequence[str]] = []

    def run(command: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 0, stdout="3\n")

    monkeypatch.setattr(training_process.subprocess, "run", run)
    assert tasks.train_risk_models_daily.call_local() == 3
    (command,) = ran
    assert command[:4] == [sys.executable, "-m", "cadence", "train_risk_models"]
    assert command[4] == "--now" and datetime.fromisoformat(command[5]).tzinfo is not None


# --- Observations ------------------------------------------------------------------------------------------
def test_the_refresh_keeps_one_observation_per_learner_per_week(world: CourseWorld) -> None:
    monday = datetime(2030, 3, 4, 9, tzinfo=UTC)
    services.refresh_learners(course=world.course, now=monday)
    services.refresh_learners(course=world.course, now=monday + 2 * DAY)
    rows = list(RiskObservation.objects.filter(membership=world.learner_membership))
    assert len(rows) == 1 and rows[0].observed_at == monday  # the week's first refresh is kept
    assert rows[0].values[Indicator.INACTIVE.value] > 0
    services.refresh_learners(course=world.course, now=monday + 7 * DAY)
    assert RiskObservation.objects.filter(membership=world.learner_membership).count() == 2


# --- Newly at risk -----------------------------------------------------------------------------------------
def _sensitive(course: Course) -> None:
    """High from a score of 30, trends off: a learner who has not been active since joining three weeks ago is
    high."""
    off = {Indicator.LESS_TIME.value: 0, Indicator.FEWER_DAYS.value: 0}
    RiskSettings.objects.create(course=course, weights=off, medium_at=20, high_at=30)


def _at_risk_notices(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Kind.AT_RISK))


def test_a_rise_to_high_tells_the_staff_once_with_reasons_and_a_check_in_link(world: CourseWorld) -> None:
    _sensitive(world.course)
    joined = world.learner_membership.joined_at
    services.refresh_learners(course=world.course, now=joined + 20 * DAY)
    services.refresh_learners(course=world.course, now=joined + 20 * DAY + timedelta(hours=1))
    notices = _at_risk_notices(world.teacher)
    assert len(notices) == 1  # not again on the next refresh while the level stays high
    notice = notices[0]
    assert world.learner.display_name in notice.title
    assert "no activity since joining 20 days ago" in notice.body
    assert notice.url == reverse("messaging:check-in", args=[world.course.slug, world.learner.pk])
    assert len(_at_risk_notices(world.ta)) == 1  # a TA in no group sees every learner
    assert _at_risk_notices(world.learner) == [] and _at_risk_notices(world.observer) == []
    stats = LearnerStats.objects.get(membership=world.learner_membership)
    assert stats.risk_high_since == joined + 20 * DAY


def test_a_second_rise_after_a_fall_is_told_again(world: CourseWorld) -> None:
    _sensitive(world.course)
    joined = world.learner_membership.joined_at
    services.refresh_learners(course=world.course, now=joined + 20 * DAY)
    progress.mark_complete(user=world.learner, item=world.items[0], now=joined + 21 * DAY)
    services.refresh_learners(course=world.course, now=joined + 21 * DAY)
    stats = LearnerStats.objects.get(membership=world.learner_membership)
    assert stats.risk_level != "high" and stats.risk_high_since is None
    services.refresh_learners(course=world.course, now=joined + 40 * DAY)
    assert len(_at_risk_notices(world.teacher)) == 2


def test_a_ta_limited_to_other_groups_is_not_told(world: CourseWorld) -> None:
    _sensitive(world.course)
    mine, other = (Group.objects.create(course=world.course, name=n) for n in ("Mine", "Other"))
    Membership.objects.get(course=world.course, user=world.ta).groups.add(other)
    world.learner_membership.groups.add(mine)
    services.refresh_learners(course=world.course, now=world.learner_membership.joined_at + 20 * DAY)
    assert _at_risk_notices(world.ta) == []
    assert len(_at_risk_notices(world.teacher)) == 1
    Membership.objects.get(course=world.course, user=world.ta).groups.add(mine)
    LearnerStats.objects.all().delete()
    services.refresh_learners(course=world.course, now=world.learner_membership.joined_at + 22 * DAY)
    assert len(_at_risk_notices(world.ta)) == 1


def test_a_learner_at_medium_risk_tells_nobody(world: CourseWorld) -> None:
    off = {Indicator.LESS_TIME.value: 0, Indicator.FEWER_DAYS.value: 0}  # as before the trends: inactive is medium
    RiskSettings.objects.create(course=world.course, weights=off)
    services.refresh_learners(course=world.course, now=world.learner_membership.joined_at + 20 * DAY)
    assert LearnerStats.objects.get(membership=world.learner_membership).risk_level == "medium"
    assert not Notification.objects.filter(kind=Kind.AT_RISK).exists()


# --- Pages ------------------------------------------------------------------------------------------------
def test_the_teachers_home_lists_learners_newly_at_risk_with_reasons_and_a_check_in(
    world: CourseWorld, client: Client
) -> None:
    _sensitive(world.course)
    services.refresh_learners(course=world.course, now=timezone.now() + 20 * DAY)
    LearnerStats.objects.update(risk_high_since=timezone.now() - DAY)
    client.force_login(world.teacher)
    page = client.get(reverse("insights:teaching-home")).content.decode()
    section = page[page.index('id="teaching-at-risk"') :]
    assert world.learner.display_name in section
    assert "no activity since joining 20 days ago" in section
    assert reverse("messaging:check-in", args=[world.course.slug, world.learner.pk]) in section


def test_a_rise_more_than_a_week_ago_is_no_longer_new(world: CourseWorld, client: Client) -> None:
    _sensitive(world.course)
    services.refresh_learners(course=world.course, now=timezone.now() + 20 * DAY)
    LearnerStats.objects.update(risk_high_since=timezone.now() - 8 * DAY)
    client.force_login(world.teacher)
    page = client.get(reverse("insights:teaching-home")).content.decode()
    assert "No learner's risk rose to high in the last seven days." in page


def test_a_group_limited_ta_sees_only_their_groups_learners_newly_at_risk(world: CourseWorld, client: Client) -> None:
    _sensitive(world.course)
    other = Group.objects.create(course=world.course, name="Other")
    Membership.objects.get(course=world.course, user=world.ta).groups.add(other)
    world.learner.display_name = "Zora Quist"
    world.learner.save(update_fields=["display_name"])
    services.refresh_learners(course=world.course, now=timezone.now() + 20 * DAY)
    LearnerStats.objects.update(risk_high_since=timezone.now() - DAY)
    client.force_login(world.teacher)
    assert "Zora Quist" in client.get(reverse("insights:teaching-home")).content.decode()
    client.force_login(world.ta)
    page = client.get(reverse("insights:teaching-home")).content.decode()
    section = page[page.index('id="teaching-at-risk"') :]
    assert "Zora Quist" not in section


def test_the_risk_settings_page_says_which_model_is_in_use_and_why(world: CourseWorld, client: Client) -> None:
    url = reverse("insights:risk-settings", args=[world.course.slug])
    client.force_login(world.teacher)
    page = client.get(url).content.decode()
    assert "In use: the rules above." in page and "has not been trained on this course yet" in page
    now = timezone.now()
    _history(world.course, stopped=3, carried_on=5, now=now)
    risk_training.train_course(course=world.course, now=now)
    page = client.get(url).content.decode()
    assert "8 learners have a known outcome" in page and "it needs 40" in page


def test_the_risk_settings_page_shows_both_models_figures_once_trained(
    world: CourseWorld, client: Client, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    _history(world.course, stopped=20, carried_on=24, now=now)
    risk_training.train_course(course=world.course, now=now)
    client.force_login(world.ta)  # TAs read the settings and the figures; only teachers change them
    with django_assert_max_num_queries(12):
        response = client.get(reverse("insights:risk-settings", args=[world.course.slug]))
    page = response.content.decode()
    assert "In use: the statistical model" in page
    assert 'id="risk-model-figures"' in page and "Last trained" in page
    figures = RiskModel.objects.get(course=world.course).figures
    assert f"{figures['statistical']['recall']:.2f}" in page
