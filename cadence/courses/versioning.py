"""The course version: one number per course, raised in the same transaction as any change to what the
course-level cached parts show (`courses.outline_cache`), so a page reading the course row and then the
parts of that version never shows an old outline after the change commits.

Every save or delete of a course, module or item raises it (signals, so no service can forget); the few
writes that bypass `save()` (positions renumbered with `bulk_update`) call `bump` themselves. A raise costs
one UPDATE; edits are rare next to reads.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from cadence.courses.models import Course, Item, Module


def bump(course_id: int) -> None:
    """Raise the course's version (in the caller's transaction)."""
    Course.all_objects.filter(pk=course_id).update(version=F("version") + 1)


def _course_saved(sender: Any, instance: Course, created: bool, **kwargs: Any) -> None:
    if not created:
        bump(instance.pk)


def _part_changed(sender: Any, instance: Module | Item, **kwargs: Any) -> None:
    bump(instance.course_id)


def connect() -> None:
    post_save.connect(_course_saved, sender=Course, dispatch_uid="course-version-course")
    for model in (Module, Item):
        post_save.connect(_part_changed, sender=model, dispatch_uid=f"course-version-save-{model.__name__}")
        post_delete.connect(_part_changed, sender=model, dispatch_uid=f"course-version-delete-{model.__name__}")
