from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from cadence.assessment.models import Grade, Submission
from cadence.assessment.seeding import seed_gradebook
from cadence.assessment.selectors import gradebook
from cadence.courses.models import Course
from cadence.progress.seeding import SeedSize, seed_large

pytestmark = pytest.mark.django_db


def test_seed_gradebook_grades_every_learner_once_and_refuses_a_second_run():
    seed_large(
        SeedSize(courses=2, learners=6, items_per_course=10, modules_per_course=2, events=0, batch=50), progress=False
    )
    result = seed_gradebook(items=3, progress=False)
    assert (result.learners, result.items, result.grades) == (6, 3, 18)
    assert Submission.objects.count() == Grade.objects.count() == 18
    course = Course.objects.get(slug="bench-000")
    rows = list(gradebook.csv_rows(course))
    assert len(rows) == 1 + 6 and sum("Task" in str(cell) for cell in rows[0]) == 3
    with pytest.raises(CommandError, match="already"):
        call_command("seed_gradebook", "--items", "1", "--no-progress")
