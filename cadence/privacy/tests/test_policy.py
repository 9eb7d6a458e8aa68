"""The data-rights rules of the policy, as a table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cadence import policy
from cadence.privacy.models import DataExport, DeletionRequest
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
ACTORS = ("learner", "observer", "teacher", "ta", "outsider", "admin")


def _aged(world: CourseWorld, years: int | None) -> None:
    """Born the day after `years` years ago: they turn `years` tomorrow, so they are `years - 1` today."""
    today = timezone.localdate()
    world.learner.birth_date = None if years is None else today.replace(year=today.year - years) + timedelta(days=1)
    world.learner.save(update_fields=["birth_date"])


@pytest.mark.parametrize(
    ("age", "allowed"),
    [
        (13, {"learner", "observer"}),
        (16, {"learner", "observer"}),  # 15 until tomorrow
        (17, {"learner"}),  # 16
        (None, {"learner"}),
    ],
)
def test_who_may_ask_for_a_copy_of_a_learners_data(world: CourseWorld, age: int | None, allowed: set[str]):
    _aged(world, age)
    for actor in ACTORS:
        assert policy.can(getattr(world, actor), "export_data", world.learner) == (actor in allowed), actor


def test_a_deleted_or_inactive_learner_has_no_copy_made(world: CourseWorld):
    world.learner.is_active = False
    world.learner.save(update_fields=["is_active"])
    assert not policy.can(world.observer, "export_data", world.learner)


@pytest.mark.parametrize(
    ("action", "allowed"),
    [("cancel", {"learner"}), ("decide", {"admin"})],
)
def test_who_may_act_on_a_deletion_request(world: CourseWorld, action: str, allowed: set[str]):
    deletion = DeletionRequest.objects.create(user=world.learner, requested_at=timezone.now())
    for actor in ACTORS:
        assert policy.can(getattr(world, actor), action, deletion) == (actor in allowed), actor
    listed = {a for a in ACTORS if policy.scope(getattr(world, a), "decide", DeletionRequest.objects.all()).exists()}
    assert listed == {"admin"}


def test_an_administrator_never_lists_or_decides_their_own_request(world: CourseWorld):
    own = DeletionRequest.objects.create(user=world.admin, requested_at=timezone.now())
    assert not policy.can(world.admin, "decide", own)
    assert not policy.scope(world.admin, "decide", DeletionRequest.objects.all()).exists()


def test_only_whoever_asked_downloads_a_copy(world: CourseWorld):
    made = DataExport.objects.create(subject=world.learner, requested_by=world.observer, requested_at=timezone.now())
    for actor in ACTORS:
        assert policy.can(getattr(world, actor), "download", made) == (actor == "observer"), actor
        in_scope = policy.scope(getattr(world, actor), "download", DataExport.objects.all()).exists()
        assert in_scope == (actor == "observer"), actor
