"""notify(): who is told, once per key, and when their email is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from cadence.accounts.tests.factories import UserFactory
from cadence.core.errors import InvalidInput
from cadence.notifications import services
from cadence.notifications.models import DEFAULT_TIMING, DeliverySettings, Kind, Notification, Preference, Timing
from conftest import CourseWorld

NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def tell(
    world: CourseWorld, *, key: str = "k1", kind: str = Kind.REPLY, now: dt.datetime = NOON, **extra: object
) -> int:
    return services.notify(
        recipients=extra.pop("recipients", [world.learner, world.ta]),
        kind=kind,
        title="Ada replied to “Charts”",
        url="/courses/data-literacy/",
        key=key,
        actor=extra.pop("actor", world.teacher),
        course=world.course,
        now=now,
    )


def test_each_recipient_is_told_once_per_key(world: CourseWorld) -> None:
    assert tell(world) == 2
    assert tell(world) == 0  # a retried write tells nobody twice
    assert tell(world, key="k2") == 2
    assert Notification.objects.filter(recipient=world.learner).count() == 2


def test_the_actor_is_never_told_about_their_own_action(world: CourseWorld) -> None:
    assert tell(world, recipients=[world.teacher, world.learner]) == 1
    assert not Notification.objects.filter(recipient=world.teacher).exists()


def test_inactive_people_are_not_told(world: CourseWorld) -> None:
    world.ta.is_active = False
    world.ta.save()
    assert tell(world) == 1


def test_unknown_kind_is_a_programming_error(world: CourseWorld) -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        tell(world, kind="gossip")


def test_defaults_email_what_is_addressed_to_you_and_digest_the_rest(world: CourseWorld) -> None:
    assert DEFAULT_TIMING[Kind.REPLY] == Timing.IMMEDIATELY
    assert DEFAULT_TIMING[Kind.FORUM_ACTIVITY] == Timing.DAILY
    assert set(DEFAULT_TIMING) == set(Kind.values)
    tell(world, kind=Kind.REPLY, key="a")
    tell(world, kind=Kind.FORUM_ACTIVITY, key="b")
    reply = Notification.objects.get(recipient=world.learner, key="a")
    activity = Notification.objects.get(recipient=world.learner, key="b")
    assert reply.email_due_at == NOON
    assert activity.email_due_at == NOON.replace(hour=17)


def test_off_still_shows_in_the_centre_but_is_never_emailed(world: CourseWorld) -> None:
    Preference.objects.create(user=world.learner, kind=Kind.REPLY, timing=Timing.OFF)
    tell(world)
    row = Notification.objects.get(recipient=world.learner)
    assert row.timing == Timing.OFF and row.email_due_at is None


def test_email_switched_off_keeps_the_centre(world: CourseWorld) -> None:
    DeliverySettings.objects.create(user=world.learner, email_enabled=False)
    tell(world)
    assert Notification.objects.get(recipient=world.learner).email_due_at is None


def test_the_recipients_zone_and_quiet_hours_decide(world: CourseWorld) -> None:
    world.learner.time_zone = "Asia/Tokyo"  # noon UTC is 21:00 in Tokyo: quiet until 07:00
    world.learner.save()
    tell(world)
    due = Notification.objects.get(recipient=world.learner).email_due_at
    assert due == dt.datetime(2026, 11, 24, 22, 0, tzinfo=dt.UTC)  # 07:00 on the 25th in Tokyo


def test_a_rolled_back_write_leaves_no_notification(world: CourseWorld) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        tell(world)
        raise RuntimeError("the writer failed")
    assert not Notification.objects.exists()


def test_mark_read_only_touches_ones_own(world: CourseWorld) -> None:
    tell(world)
    other = Notification.objects.get(recipient=world.ta)
    assert services.mark_read(user=world.learner, notification_ids=[other.pk]) == 0
    assert services.mark_read(user=world.learner) == 1
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_preferences_reschedule_pending_email(world: CourseWorld) -> None:
    tell(world)
    services.set_preferences(
        user=world.learner, timings={Kind.REPLY: Timing.OFF}, email_enabled=True,
        quiet_start=None, quiet_end=None, digest_time=dt.time(8), weekly_day=0,
    )  # fmt: skip
    assert Notification.objects.get(recipient=world.learner).email_due_at is None
    assert services.preferences_of(world.learner)[Kind.REPLY] == Timing.OFF


@pytest.mark.parametrize(
    ("timings", "quiet", "message"),
    [
        ({"reply": "hourly"}, (None, None), "is not a choice"),
        ({"gossip": "daily"}, (None, None), "is not a choice"),
        ({}, (dt.time(21), None), "both the start and the end"),
    ],
)
def test_bad_preferences_change_nothing(
    world: CourseWorld, timings: dict[str, str], quiet: tuple[dt.time | None, dt.time | None], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        services.set_preferences(
            user=world.learner, timings=timings, email_enabled=False, quiet_start=quiet[0], quiet_end=quiet[1],
            digest_time=dt.time(8), weekly_day=0,
        )  # fmt: skip
    assert not DeliverySettings.objects.exists() and not Preference.objects.exists()


def test_unsubscribe_from_one_kind_or_all(world: CourseWorld) -> None:
    tell(world)
    services.unsubscribe(user=world.learner, kind=Kind.REPLY)
    assert services.preferences_of(world.learner)[Kind.REPLY] == Timing.OFF
    assert Notification.objects.get(recipient=world.learner).email_due_at is None
    someone = UserFactory()
    services.unsubscribe(user=someone, kind=None)
    assert DeliverySettings.objects.get(user=someone).email_enabled is False
