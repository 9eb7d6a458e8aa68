from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from cadence.courses.models import Item, Membership
from cadence.progress.models import Event
from cadence.progress.seeding import SeedSize, seed_large

pytestmark = pytest.mark.django_db


def test_seed_large_builds_the_requested_sizes_and_refuses_a_second_run():
    result = seed_large(
        SeedSize(courses=2, learners=5, items_per_course=20, modules_per_course=4, events=300, batch=50), progress=False
    )
    assert (result.courses, result.learners, result.items, result.events) == (2, 5, 40, 300)
    assert Item.objects.count() == 40 and Event.objects.count() == 300
    assert Membership.objects.filter(role="learner").count() == 10
    with pytest.raises(CommandError, match="already"):
        call_command(
            "seed_large", "--courses", "1", "--learners", "1", "--items", "1", "--events", "0", "--no-progress"
        )


def test_seed_large_rejects_nonsense_sizes():
    with pytest.raises(CommandError, match="positive"):
        call_command("seed_large", "--learners", "0", "--no-progress")
