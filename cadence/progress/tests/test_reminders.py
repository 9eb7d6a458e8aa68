"""Deadline reminders follow each learner's own deadline, once per deadline."""

from __future__ import annotations

import datetime as dt

from cadence.courses.models import DeadlineExtension, Item
from cadence.notifications.models import Kind, Notification
from cadence.progress.models import Completion
from cadence.progress.reminders import remind_deadlines
from conftest import CourseWorld

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)


def due_tomorrow(world: CourseWorld) -> Item:
    item = world.items[0]
    item.due_date = dt.date(2026, 11, 25)
    item.save()
    return item


def test_learner_is_reminded_once_with_their_local_time(world: CourseWorld) -> None:
    world.learner.time_zone = "Europe/Paris"
    world.learner.save()
    item = due_tomorrow(world)
    assert remind_deadlines(now=NOW) == 1
    assert remind_deadlines(now=NOW + dt.timedelta(hours=1)) == 0
    reminder = Notification.objects.get(recipient=world.learner)
    assert reminder.kind == Kind.DEADLINE
    assert reminder.title == f"“{item.title}” is due soon"
    assert "11:59 p.m. (Europe/Paris)" in reminder.body
    assert not Notification.objects.exclude(recipient=world.learner).exists()  # staff are not learners


def test_not_yet_within_a_day_or_already_done(world: CourseWorld) -> None:
    item = due_tomorrow(world)
    assert remind_deadlines(now=NOW - dt.timedelta(days=1)) == 0
    Completion.objects.create(user=world.learner, item=item, course=world.course, completed_at=NOW)
    assert remind_deadlines(now=NOW) == 0


def test_an_extension_earns_a_new_reminder_at_the_new_deadline(world: CourseWorld) -> None:
    item = due_tomorrow(world)
    assert remind_deadlines(now=NOW) == 1
    DeadlineExtension.objects.create(item=item, user=world.learner, due_at=NOW + dt.timedelta(days=3))
    assert remind_deadlines(now=NOW + dt.timedelta(hours=2)) == 0
    assert remind_deadlines(now=NOW + dt.timedelta(days=2, hours=1)) == 1
    assert Notification.objects.filter(recipient=world.learner, kind=Kind.DEADLINE).count() == 2
