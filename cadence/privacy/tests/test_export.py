"""A copy of a learner's data: what goes in, what never does, who may ask, and how it expires."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.core.errors import Conflict, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses.models import Role
from cadence.courses.tests.factories import MembershipFactory
from cadence.notifications.models import DeliverySettings, Kind, Notification
from cadence.privacy import background, export, services
from cadence.privacy.models import DataExport, ExportStatus
from cadence.privacy.tests.conftest import ATTACHMENT, FEEDBACK_PDF, PDF, LearnerData
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def _request(actor, subject, django_capture_on_commit_callbacks) -> DataExport:
    with django_capture_on_commit_callbacks(execute=True):
        made = services.request_export(actor=actor, subject=subject, now=timezone.now())
    made.refresh_from_db()
    return made


def _zip(data_export: DataExport) -> zipfile.ZipFile:
    with default_storage.open(data_export.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _doc(archive: zipfile.ZipFile, name: str) -> object:
    return json.loads(archive.read(name))


def test_a_learners_copy_holds_every_kind_of_their_data_with_the_original_files(
    world: CourseWorld, learner_data: LearnerData, django_capture_on_commit_callbacks
):
    made = _request(world.learner, world.learner, django_capture_on_commit_callbacks)
    assert made.status == ExportStatus.READY and made.file.name.startswith("private/exports/")
    assert made.ready_at is not None and made.expires_at == made.ready_at + timedelta(days=7)
    with default_storage.open(made.file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == made.sha256
    archive = _zip(made)
    names = set(archive.namelist())
    for kind in ("profile", "memberships", "submissions", "attempts", "grades", "notes", "posts", "messages"):
        assert f"{kind}.json" in names
    assert {"progress.json", "notifications.json", "events.jsonl", "README.txt"} <= names
    assert "submissions.json" in archive.read("README.txt").decode()
    profile = _doc(archive, "profile.json")
    assert profile["email"] == world.learner.email
    submissions = _doc(archive, "submissions.json")
    mine = next(s for s in submissions["submissions"] if s["text"] == "MY-ESSAY-TEXT")
    assert archive.read(mine["files"][0]["path"]) == PDF
    assert mine["files"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert mine["grade"]["comment"] == "WELL-DONE"
    assert archive.read(mine["grade"]["feedback_files"][0]["path"]) == FEEDBACK_PDF
    assert submissions["drafts"][0]["text"] == "MY-DRAFT"
    posts = _doc(archive, "posts.json")
    assert {p["text"] for p in posts} == {"MY-FORUM-POST", "MY-REPLY"}
    reply = next(p for p in posts if p["text"] == "MY-REPLY")
    assert archive.read(reply["attachment"]["path"]) == ATTACHMENT
    assert _doc(archive, "notes.json")[0]["note"] == "MY-PRIVATE-NOTE"
    conversations = _doc(archive, "messages.json")
    assert conversations[0]["subject"] == "MY-QUESTION"
    assert conversations[0]["messages"][0] == {**conversations[0]["messages"][0], "from": "me"}
    events = [json.loads(line) for line in archive.read("events.jsonl").splitlines()]
    assert any(e["verb"] == "viewed" for e in events)
    assert _doc(archive, "memberships.json")[0]["observed_by"] == [world.observer.display_name]
    assert _doc(archive, "grades.json")[0]["course"] == world.course.title


def test_a_copy_never_holds_other_learners_data_unreleased_grades_or_unrevealed_answers(
    world: CourseWorld, learner_data: LearnerData, django_capture_on_commit_callbacks
):
    archive = _zip(_request(world.learner, world.learner, django_capture_on_commit_callbacks))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (b"OTHER-LEARNER-ESSAY", b"OTHER-LEARNER-NOTE", b"OTHER-PRIVATE-DM"):
        assert secret not in everything
    # Another learner's reply is not the learner's post; only the notification they were sent quotes it.
    assert b"OTHER-LEARNER-REPLY" not in archive.read("posts.json")
    assert b"OTHER-LEARNER-REPLY" in archive.read("notifications.json")
    assert b"NOT-RELEASED" not in everything  # graded but not released to the learner
    second = next(s for s in _doc(archive, "submissions.json")["submissions"] if s["text"] == "second")
    assert second["grade"] is None
    # The attempt is still open: no feedback, right answer or score, as on the attempt page.
    assert b"SECRET-FEEDBACK-MEDIAN" not in everything and b"EXPLANATION-OUTLIERS" not in everything
    attempt = _doc(archive, "attempts.json")[0]
    assert attempt["score"] is None
    question = attempt["questions"][0]
    assert question["outcome"] == "" and all(c["right"] is None for c in question["choices"])
    assert [c["chosen"] for c in question["choices"]].count(True) == 1


def test_the_person_who_asked_is_told_in_app_and_by_email_with_a_link(
    world: CourseWorld, learner_data: LearnerData, django_capture_on_commit_callbacks
):
    DeliverySettings.objects.create(user=world.learner, quiet_start=None, quiet_end=None)  # any hour of the test
    mail.outbox.clear()
    made = _request(world.learner, world.learner, django_capture_on_commit_callbacks)
    notice = Notification.objects.get(recipient=world.learner, kind=Kind.DATA_EXPORT)
    assert notice.url == reverse("privacy:home") and "ready" in notice.title
    assert any(reverse("privacy:home") in m.body for m in mail.outbox if world.learner.email in m.to)
    assert AuditEntry.objects.filter(verb="privacy.export_requested", object_id=str(made.pk)).exists()


@pytest.mark.parametrize(
    ("birth", "allowed"),
    [(_years_ago(12), True), (_years_ago(16, days=-1), True), (_years_ago(16), False), (None, False)],
    ids=["12", "a day before 16", "16 today", "unknown"],
)
def test_a_linked_observer_may_ask_only_for_a_learner_known_to_be_under_16(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks, birth, allowed
):
    world.learner.birth_date = birth
    world.learner.save(update_fields=["birth_date"])
    if not allowed:
        with pytest.raises(NotAllowed):
            services.request_export(actor=world.observer, subject=world.learner, now=timezone.now())
        assert not DataExport.objects.exists()
        return
    made = _request(world.observer, world.learner, django_capture_on_commit_callbacks)
    assert made.status == ExportStatus.READY and made.requested_by == world.observer
    assert "a linked parent or guardian" in _zip(made).read("README.txt").decode()
    # The learner is told; the copy is the observer's to download.
    assert Notification.objects.filter(recipient=world.learner, kind=Kind.DATA_EXPORT).exists()
    assert Notification.objects.filter(recipient=world.observer, kind=Kind.DATA_EXPORT).exists()


@pytest.mark.parametrize("who", ["teacher", "ta", "outsider", "admin", "unlinked_observer"])
def test_nobody_else_may_ask_for_a_learners_data(world: CourseWorld, who: str):
    world.learner.birth_date = _years_ago(12)
    world.learner.save(update_fields=["birth_date"])
    if who == "unlinked_observer":
        actor = MembershipFactory(course=world.course, role=Role.OBSERVER).user
    else:
        actor = getattr(world, who)
    with pytest.raises(NotAllowed):
        services.request_export(actor=actor, subject=world.learner, now=timezone.now())
    assert not DataExport.objects.exists()


def test_a_second_request_while_one_is_prepared_is_refused_and_changes_nothing(world: CourseWorld, media_root: Path):
    services.request_export(actor=world.learner, subject=world.learner, now=timezone.now())  # task runs on commit
    with pytest.raises(Conflict):
        services.request_export(actor=world.learner, subject=world.learner, now=timezone.now())
    assert DataExport.objects.count() == 1


def test_a_build_that_fails_halfway_leaves_no_file_and_lets_the_person_ask_again(
    world: CourseWorld, learner_data: LearnerData, media_root: Path, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(user, target, **kwargs):
        target.write(b"PK half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_zip", broken)
    before = {p for p in media_root.rglob("*") if p.is_file()}
    made = _request(world.learner, world.learner, django_capture_on_commit_callbacks)
    assert made.status == ExportStatus.FAILED and not made.file
    assert {p for p in media_root.rglob("*") if p.is_file()} == before
    assert Notification.objects.filter(recipient=world.learner, title__contains="could not").exists()
    monkeypatch.undo()
    again = _request(world.learner, world.learner, django_capture_on_commit_callbacks)
    assert again.status == ExportStatus.READY


def test_a_retried_build_of_a_ready_copy_does_nothing(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    made = _request(world.learner, world.learner, django_capture_on_commit_callbacks)
    files = {p for p in media_root.rglob("*") if p.is_file()}
    assert background.build_export(export_id=made.pk, now=timezone.now()) is None
    assert {p for p in media_root.rglob("*") if p.is_file()} == files


def test_expired_copies_are_deleted_from_storage(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    made = _request(world.learner, world.learner, django_capture_on_commit_callbacks)
    name = made.file.name
    assert made.expires_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert background.expire_exports(now=made.expires_at - timedelta(seconds=1)) == 0
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert background.expire_exports(now=made.expires_at) == 1
    made.refresh_from_db()
    assert made.status == ExportStatus.EXPIRED and not made.file and not default_storage.exists(name)


def test_a_copy_a_lost_worker_never_finished_is_given_up(world: CourseWorld):
    stuck = DataExport.objects.create(
        subject=world.learner, requested_by=world.learner, requested_at=timezone.now() - timedelta(hours=7)
    )
    background.expire_exports(now=timezone.now())
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED


def test_the_birth_date_is_optional_private_and_checked(client, world: CourseWorld):
    client.force_login(world.learner)
    url = reverse("accounts:profile")
    base = {"display_name": "Learner", "time_zone": "Europe/London", "language": "en"}
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert client.post(url, base | {"birth_date": future}).status_code == 200  # the form shows the error
    world.learner.refresh_from_db()
    assert world.learner.birth_date is None
    client.post(url, base | {"birth_date": "2012-03-04"})
    world.learner.refresh_from_db()
    assert world.learner.birth_date == date(2012, 3, 4)
    other = UserFactory()
    client.force_login(other)
    assert b"2012-03-04" not in client.get(reverse("accounts:profile")).content
