"""The orphaned media command: lists files no row refers to, removes them only with --delete."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cadence.privacy import media_audit
from cadence.privacy.tests.conftest import LearnerData
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _orphan(root: Path, name: str, content: bytes = b"left behind", *, age: float = 2 * DAY) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    _age(path, age)
    return path


def _run(*args: str) -> str:
    out = StringIO()
    call_command("orphaned_media", *args, stdout=out)
    return out.getvalue()


def test_every_file_field_is_checked():
    fields = {(model._meta.label, name) for model, name in media_audit.file_fields()}
    assert {
        ("assessment.SubmissionFile", "file"), ("assessment.FeedbackFile", "file"), ("community.Post", "file"),
        ("content.CourseImage", "file"), ("content.Video", "file"), ("content.CaptionTrack", "file"),
        ("content.Resource", "file"), ("privacy.DataExport", "file"),
    } <= fields  # fmt: skip


def test_a_dry_run_lists_orphans_with_sizes_and_removes_nothing(
    world: CourseWorld, learner_data: LearnerData, media_root: Path
):
    for path in media_root.rglob("*"):
        if path.is_file():
            _age(path, 2 * DAY)  # the referenced files are old too: age alone never makes an orphan
    orphan = _orphan(media_root, "submissions/course-1/abandoned.pdf", b"x" * 1500)
    out = _run()
    assert "submissions/course-1/abandoned.pdf\t1500" in out
    assert "1 orphaned file(s)" in out and "Dry run" in out
    assert orphan.exists()


def test_delete_removes_only_old_unreferenced_files(world: CourseWorld, learner_data: LearnerData, media_root: Path):
    referenced = [p for p in media_root.rglob("*") if p.is_file()]
    assert len(referenced) == 3  # the submitted file, the feedback file and the forum attachment
    for path in referenced:
        _age(path, 2 * DAY)
    old = _orphan(media_root, "content/course-9/gone.png")
    fresh = _orphan(media_root, "content/course-9/uploading.mp4", age=60)  # its row may not be committed yet
    out = _run("--delete")
    assert "Removed 1 of 1 orphaned file(s)" in out
    assert not old.exists() and fresh.exists() and all(p.exists() for p in referenced)
    assert _run("--min-age-hours", "0").count("\t") == 1  # the fresh one, when asked to include young files


def test_an_empty_media_folder_and_bad_arguments(media_root: Path):
    assert "0 orphaned file(s)" in _run()
    with pytest.raises(CommandError):
        _run("--min-age-hours", "-1")
