"""The hard purge: site administrators only, only after the retention period, files with rows, audited."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import timezone

from cadence.assessment.models import Submission, SubmissionFile
from cadence.core.errors import NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses import purge, services
from cadence.courses.models import Course, Item, Module
from cadence.tests.learner_work import LEARNER_WORK, WorkedCourse, build, counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.ARCHIVE_RETENTION_DAYS = 30
    return root


@pytest.fixture
def worked(world, media) -> WorkedCourse:
    return build(world.course, world.teacher, world.learner)


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_purging_too_early_is_refused_and_changes_nothing(worked: WorkedCourse, world, media: Path):
    now = timezone.now()
    services.archive_item(actor=worked.teacher, item=worked.assignment, now=now - timedelta(days=29))
    before, files = counts(), _stored_files(media)
    with pytest.raises(purge.TooYoung, match="cannot be purged before"):
        purge.purge(actor=world.admin, target=worked.assignment, now=now)
    assert counts() == before and _stored_files(media) == files
    assert Item.all_objects.filter(pk=worked.assignment.pk).exists()


def test_only_site_administrators_purge(worked: WorkedCourse, world):
    now = timezone.now()
    services.archive_item(actor=worked.teacher, item=worked.assignment, now=now - timedelta(days=31))
    for user in (world.teacher, world.ta, world.learner):
        with pytest.raises(NotAllowed):
            purge.purge(actor=user, target=worked.assignment, now=now)
    assert Item.all_objects.filter(pk=worked.assignment.pk).exists()


def test_a_live_item_cannot_be_purged(worked: WorkedCourse, world):
    with pytest.raises(purge.Conflict):
        purge.purge(actor=world.admin, target=worked.lesson, now=timezone.now())


def test_purging_an_old_archived_item_deletes_its_work_and_files_after_commit_and_audits_counts(
    worked: WorkedCourse, world, media: Path, django_capture_on_commit_callbacks
):
    now = timezone.now()
    submission = Submission.objects.get(assignment_id=worked.assignment.pk)
    stored = SubmissionFile.objects.get(submission=submission).file.name
    assert (media / stored).exists()
    services.archive_item(actor=worked.teacher, item=worked.assignment, now=now - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = purge.purge(actor=world.admin, target=worked.assignment, now=now)
        assert (media / stored).exists()  # not before the commit
    for callback in callbacks:
        callback()
    assert not (media / stored).exists()
    assert not Item.all_objects.filter(pk=worked.assignment.pk).exists()
    assert not Submission.objects.filter(pk=submission.pk).exists()
    assert result.counts["assessment.Submission"] == 1 and result.counts["courses.Item"] == 1
    assert result.files == 2  # the submitted essay and the teacher's feedback file
    entry = AuditEntry.objects.get(verb="archive.purged")
    assert entry.actor == world.admin and entry.object_id == str(worked.assignment.pk)
    assert entry.data["removed"]["assessment.Submission"] == 1 and entry.data["files"] == 2
    assert Item.objects.filter(pk=worked.quiz.pk).exists()  # the rest of the course is untouched


def test_purging_an_old_deleted_course_removes_everything_in_it(worked: WorkedCourse, world, media: Path):
    now = timezone.now()
    services.archive_course(actor=worked.teacher, course=worked.course, now=now - timedelta(days=40))
    result = purge.purge(actor=world.admin, target=Course.all_objects.get(pk=worked.course.pk), now=now)
    assert not Course.all_objects.filter(pk=worked.course.pk).exists()
    assert all(counts()[model._meta.label] == 0 for model in LEARNER_WORK)
    assert result.counts["courses.Course"] == 1


def test_the_command_purges_only_what_is_old_enough(worked: WorkedCourse, world, media: Path):
    now = timezone.now()
    services.archive_item(actor=worked.teacher, item=worked.lesson, now=now - timedelta(days=31))
    services.archive_item(actor=worked.teacher, item=worked.quiz, now=now - timedelta(days=2))
    out = StringIO()
    call_command("purge_archive", "--dry-run", stdout=out)
    assert "Reading" in out.getvalue() and Item.all_objects.filter(pk=worked.lesson.pk).exists()
    call_command("purge_archive", stdout=out)
    assert not Item.all_objects.filter(pk=worked.lesson.pk).exists()
    assert Item.all_objects.filter(pk=worked.quiz.pk).exists()
    with pytest.raises(CommandError, match="cannot be purged before"):
        call_command("purge_archive", "--item", str(worked.quiz.pk), stdout=out)
    with pytest.raises(CommandError, match="not an active site administrator"):
        call_command("purge_archive", "--by", world.teacher.email, stdout=out)


def test_the_admin_action_refuses_all_when_one_is_too_young(worked: WorkedCourse, world, media: Path):
    now = timezone.now()
    services.archive_module(actor=worked.teacher, module=worked.module, now=now - timedelta(days=31))
    services.archive_module(actor=worked.teacher, module=world.modules[0], now=now - timedelta(days=1))
    model_admin = site._registry[Module]
    request = RequestFactory().post("/")
    request.user = world.admin
    request.session = SessionStore()
    setattr(request, "_messages", FallbackStorage(request))  # noqa: B010  # what the messages middleware sets
    model_admin.purge_selected(request, Module.all_objects.filter(course=world.course, removed_at__isnull=False))
    assert Module.all_objects.filter(pk=worked.module.pk).exists()
    model_admin.purge_selected(request, Module.all_objects.filter(pk=worked.module.pk))
    assert not Module.all_objects.filter(pk=worked.module.pk).exists()
    assert not model_admin.has_delete_permission(request)
