"""Nothing a learner made is destroyed by a structural edit, or by deleting another person's account.

Django's deletion collector is asked what deleting a course, a module, an item or a teacher's account
would remove. PROTECT stops the deletion; the collector here records what PROTECT guards and carries on,
so the list is everything a cascade would reach. No learner-work row may be in it.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Model, ProtectedError
from django.db.models.deletion import Collector

from cadence.courses.models import Course, Item, Module
from cadence.tests.learner_work import LEARNER_WORK, WorkedCourse, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(world, settings, tmp_path) -> WorkedCourse:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build(world.course, world.teacher, world.learner)


def _would_remove(obj: Model) -> tuple[Counter[str], Counter[str]]:
    """(rows a deletion would remove, rows PROTECT guards), by model label."""
    collector = Collector(using=DEFAULT_DB_ALIAS, origin=obj)
    protected: Counter[str] = Counter()
    try:
        collector.collect([obj])
    except ProtectedError as exc:
        protected.update(row._meta.label for row in exc.protected_objects)
    removed: Counter[str] = Counter()
    for model, instances in collector.data.items():
        removed[model._meta.label] += len(instances)
    for qs in collector.fast_deletes:
        if count := qs.count():
            removed[qs.model._meta.label] += count
    return removed, protected


def _learner_work_in(removed: Counter[str]) -> dict[str, int]:
    labels = {model._meta.label for model in LEARNER_WORK}
    return {label: n for label, n in removed.items() if label in labels}


def test_the_worked_course_holds_every_kind_of_learner_work(worked: WorkedCourse):
    for model in LEARNER_WORK:
        assert model._default_manager.exists(), model._meta.label


@pytest.mark.parametrize("target", ["course", "module", "quiz", "assignment", "checklist", "discussion", "lesson"])
def test_deleting_structure_would_remove_no_learner_work(worked: WorkedCourse, target: str):
    obj = worked.course if target == "course" else worked.module if target == "module" else getattr(worked, target)
    removed, protected = _would_remove(obj)
    assert _learner_work_in(removed) == {}
    assert protected  # the work is there, and guarded


def test_deleting_a_teachers_account_would_remove_no_learner_work(worked: WorkedCourse):
    removed, _protected = _would_remove(worked.teacher)
    assert _learner_work_in(removed) == {}


def test_a_real_delete_of_a_course_is_refused_and_changes_nothing(worked: WorkedCourse):
    from cadence.tests.learner_work import counts

    before = counts()
    with pytest.raises(ProtectedError), transaction.atomic():
        Course.all_objects.get(pk=worked.course.pk).delete()
    assert counts() == before
    assert Module.all_objects.filter(pk=worked.module.pk).exists()
    assert Item.all_objects.filter(pk=worked.quiz.pk).exists()
