"""A check-in's suggested text says only what the learner's figures show (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cadence.insights import services as insights_services
from cadence.messaging.domain.check_in import QUIET_DAYS, suggested_text
from cadence.progress import services as progress_services
from conftest import CourseWorld

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_a_learner_active_ten_minutes_ago_is_not_told_it_has_been_a_while() -> None:
    text = suggested_text(
        name="Ana", course="Data", figures_known=True, last_active_at=NOW - timedelta(minutes=10), now=NOW
    )
    assert "while" not in text and "not been active" not in text and "not started" not in text
    assert text.startswith("Hi Ana, I wanted to check in on how Data is going for you.")


def test_a_quiet_learner_is_told_the_real_number_of_days() -> None:
    text = suggested_text(
        name="Ana", course="Data", figures_known=True, last_active_at=NOW - timedelta(days=9), now=NOW
    )
    assert "have not been active in Data for 9 days." in text


def test_never_active_is_not_started_and_unknown_figures_say_nothing_about_activity() -> None:
    assert "not started Data yet" in suggested_text(
        name="Ana", course="Data", figures_known=True, last_active_at=None, now=NOW
    )
    unknown = suggested_text(name="Ana", course="Data", figures_known=False, last_active_at=None, now=NOW)
    assert "not started" not in unknown and "not been active" not in unknown


@given(st.integers(min_value=0, max_value=400 * 24 * 60))
def test_the_text_names_a_gap_only_when_there_is_one(minutes: int) -> None:
    gap = timedelta(minutes=minutes)
    text = suggested_text(name="Ana", course="Data", figures_known=True, last_active_at=NOW - gap, now=NOW)
    assert ("not been active" in text) == (gap.days >= QUIET_DAYS)
    if "not been active" in text:
        assert f"for {gap.days} day" in text


@pytest.mark.django_db
def test_the_check_in_page_suggests_text_from_the_learners_own_figures(client: Client, world: CourseWorld) -> None:
    progress_services.record_view(user=world.learner, item=world.items[0], now=timezone.now())
    insights_services.refresh_learners(course=world.course, now=timezone.now(), user_ids=[world.learner.pk])
    client.force_login(world.teacher)
    page = client.get(reverse("messaging:check-in", args=[world.course.slug, world.learner.pk])).content.decode()
    assert "I wanted to check in on how" in page
    assert "a while" not in page and "not been active" not in page
