"""The weekly family summary email, the under-16 notice, and links from before confirmation existed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.core.testing.smtp import SmtpServer
from cadence.courses.models import Membership, Role
from cadence.courses.tests.factories import ItemFactory, MembershipFactory
from cadence.families import services
from cadence.families.models import FollowRequest, SummarySent
from cadence.families.tests.factories import graded_assignment
from cadence.notifications import schedule
from cadence.notifications.models import DeliverySettings, Kind, Notification, Preference, Timing, Weekday
from cadence.notifications.services import window_for
from cadence.progress import services as progress_services
from conftest import CourseWorld

pytestmark = pytest.mark.django_db

# Friday 17:00 in Auckland (the default digest day and time) is 04:00 UTC on that Friday (NZDT, +13).
FRIDAY_5PM_AUCKLAND = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)


def _in_auckland(world: CourseWorld) -> None:
    world.observer.time_zone = "Pacific/Auckland"
    world.observer.language = "en"
    world.observer.save(update_fields=["time_zone", "language"])


def test_weekly_summary_is_sent_once_at_the_observers_local_digest_time(
    world: CourseWorld, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    _in_auckland(world)
    now = FRIDAY_5PM_AUCKLAND + dt.timedelta(minutes=10)
    progress_services.mark_complete(user=world.learner, item=world.items[0], now=now - dt.timedelta(days=2))
    graded_assignment(world.modules[0], world.learner, title="Essay", points="8", feedback="Lovely charts.",
                      released_at=now - dt.timedelta(days=1), now=now - dt.timedelta(days=3))  # fmt: skip
    graded_assignment(world.modules[0], world.learner, title="Hidden", points="2", feedback="Unreleased words.",
                      released_at=None, now=now - dt.timedelta(days=3))  # fmt: skip
    # Due on Saturday 10:00 UTC: Saturday 23:00 in Auckland, as the email says in the observer's zone.
    ItemFactory(module=world.modules[1], title="Quiz two", due_at=dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC),
                position=70)  # fmt: skip
    assert services.send_family_summaries(now=FRIDAY_5PM_AUCKLAND - dt.timedelta(minutes=5)) == 0  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_family_summaries(now=now) == 1
    assert services.send_family_summaries(now=now + dt.timedelta(minutes=15)) == 0  # once per digest time
    [mail] = smtp_server.messages
    assert mail.recipients == [world.observer.email]
    assert mail.subject == f"Your weekly family summary: {world.learner.display_name}"
    text = mail.text
    assert "Pacific/Auckland" in text
    assert "Done in this period: 1 item" in text and "Module 0 item 0" in text
    assert "Essay" in text and "8 / 10" in text and "Lovely charts." in text
    assert "Unreleased words." not in text and "2 / 10" not in text
    assert "Quiz two" in text and "Dec. 5, 2026, 11 p.m." in text
    assert "/notifications/unsubscribe/" in text
    assert SummarySent.objects.get().learner_count == 1


def test_summary_follows_preferences_and_language(
    world: CourseWorld, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    _in_auckland(world)
    now = FRIDAY_5PM_AUCKLAND + dt.timedelta(minutes=1)
    Preference.objects.create(user=world.observer, kind=Kind.FAMILY_SUMMARY, timing=Timing.OFF)
    assert services.send_family_summaries(now=now) == 0
    Preference.objects.filter(user=world.observer).update(timing=Timing.WEEKLY)
    DeliverySettings.objects.create(user=world.observer, email_enabled=False)
    assert services.send_family_summaries(now=now) == 0
    DeliverySettings.objects.filter(user=world.observer).update(email_enabled=True, weekly_day=Weekday.MONDAY)
    assert services.send_family_summaries(now=now) == 0  # their day is Monday
    DeliverySettings.objects.filter(user=world.observer).update(weekly_day=Weekday.FRIDAY)
    world.observer.language = "fr"
    world.observer.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_family_summaries(now=now) == 1
    assert smtp_server.messages[0].subject  # rendered under the observer's language (French where translated)


def test_no_summary_for_a_pending_link(world: CourseWorld, smtp_server: SmtpServer) -> None:
    Membership.objects.get(user=world.observer).observed.clear()
    _in_auckland(world)
    parent_membership = Membership.objects.get(user=world.observer)
    FollowRequest.objects.create(observer=parent_membership, learner=world.learner_membership,
                                 requested_by=world.observer, requested_at=timezone.now())  # fmt: skip
    assert services.send_family_summaries(now=FRIDAY_5PM_AUCKLAND + dt.timedelta(minutes=1)) == 0
    assert smtp_server.messages == []


def test_previous_digest_is_the_latest_digest_time_in_the_zone() -> None:
    window = window_for(UserFactory.build(time_zone="Pacific/Auckland"), DeliverySettings())
    slot = schedule.previous_digest(FRIDAY_5PM_AUCKLAND + dt.timedelta(hours=30), window, weekly=True)
    assert slot == FRIDAY_5PM_AUCKLAND
    assert slot.astimezone(ZoneInfo("Pacific/Auckland")).hour == 17
    daily = schedule.previous_digest(FRIDAY_5PM_AUCKLAND + dt.timedelta(hours=30), window, weekly=False)
    assert daily == FRIDAY_5PM_AUCKLAND + dt.timedelta(days=1)


def test_a_learner_under_16_is_told_who_follows_them(world: CourseWorld) -> None:
    today = timezone.localdate()
    child = UserFactory(display_name="Kid", birth_date=today.replace(year=today.year - 12))
    child_membership = MembershipFactory(course=world.course, user=child, role=Role.LEARNER)
    observer = Membership.objects.get(user=world.observer)
    services.link_observer(actor=world.teacher, observer=observer, learner=child_membership, now=timezone.now())
    told = Notification.objects.get(recipient=child, kind=Kind.FOLLOWERS)
    assert world.observer.display_name in told.title
    client = Client()
    client.force_login(child)
    home = client.get(reverse("home")).content.decode()
    assert "Who follows your work" in home and world.observer.display_name in home
    # A learner of 16 or more, or with no birth date, gets no dashboard notice.
    client.force_login(world.learner)
    assert 'id="followers-notice"' not in client.get(reverse("home")).content.decode()


def test_a_follow_request_is_told_to_the_learner_and_audited(world: CourseWorld) -> None:
    other = MembershipFactory(course=world.course, role=Role.LEARNER)
    request = services.request_follow(actor=world.observer, course=world.course, email=other.user.email.upper(),
                                      now=timezone.now())  # fmt: skip
    assert request is not None
    assert Notification.objects.filter(recipient=other.user, kind=Kind.FOLLOWERS).count() == 1
    services.confirm_request(actor=world.teacher, request=request, now=timezone.now())
    verbs = set(apps.get_model("core", "AuditEntry").objects.values_list("verb", flat=True))
    assert {"follow.requested", "follow.confirmed"} <= verbs
    assert Membership.objects.get(user=world.observer).observed.filter(pk=other.pk).exists()


def test_links_from_before_confirmation_become_confirmed_requests(world: CourseWorld) -> None:
    migration = __import__(
        "cadence.families.migrations.0002_links_before_confirmation_are_confirmed", fromlist=["record_existing_links"]
    )
    migration.record_existing_links(apps, None)
    request = FollowRequest.objects.get(learner=world.learner_membership)
    assert request.status == "confirmed" and request.decided_at is not None
