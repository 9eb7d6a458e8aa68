"""Assignments: submissions that are never lost or doubled, late rules by each learner's deadline, receipts."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cadence.assessment.models import AssignmentDraft, Submission, SubmissionFile
from cadence.assessment.services import assignments
from cadence.assessment.services.assignments import SubmissionInput
from cadence.content.tests.factories import upload
from cadence.core.errors import FieldError, InvalidInput, NotAllowed
from cadence.courses.models import DeadlineExtension, Item
from cadence.courses.tests.factories import ItemFactory
from cadence.progress.models import Completion
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% an essay\n%%EOF\n"


@pytest.fixture
def media_root(tmp_path: Path, settings) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def _assignment(world: CourseWorld, **settings: object):
    item = ItemFactory(module=world.modules[0], kind="assignment", title="Essay", completion_rule="submitted")
    if settings:
        assignments.save_settings(actor=world.teacher, item=item, data=settings)
    return assignments.assignment_for(item)


def _submit(world: CourseWorld, assignment, *, key: str = "k1", now=None, **data) -> Submission:
    return assignments.submit(
        user=world.learner,
        assignment=assignment,
        data=SubmissionInput(key=key, **data),
        now=now or timezone.now(),
    )


def test_a_submission_stores_text_and_files_with_checksums_and_completes_the_item(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    assignment = _assignment(world)
    with django_capture_on_commit_callbacks(execute=True):
        submission = _submit(world, assignment, text="My essay.", files=[upload("essay.pdf", PDF)])
    assert submission.number == 1 and not submission.is_late
    assert submission.text_sha256 == hashlib.sha256(b"My essay.").hexdigest()
    stored = SubmissionFile.objects.get()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.filename == "essay.pdf"
    assert Completion.objects.filter(user=world.learner, item=assignment.item).exists()
    assert len(mail.outbox) == 1 and stored.sha256 in mail.outbox[0].body


def test_the_same_key_stores_one_submission(world: CourseWorld, media_root: Path):
    assignment = _assignment(world)
    first = _submit(world, assignment, key="same", text="Once.")
    again = _submit(world, assignment, key="same", text="Once.")
    assert first.pk == again.pk and Submission.objects.count() == 1


def test_a_double_post_through_the_view_stores_one_submission(client, world: CourseWorld, media_root: Path):
    assignment = _assignment(world)
    client.force_login(world.learner)
    url = reverse("assessment:submit", args=[world.course.slug, assignment.item.pk])
    responses = [client.post(url, {"key": "double-click", "text": "Hello"}) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Submission.objects.count() == 1


def test_bad_input_is_refused_and_nothing_is_stored(world: CourseWorld, media_root: Path):
    assignment = _assignment(world, max_files=1, max_file_mb=1)
    cases = [
        ({"text": ""}, "nothing to submit"),
        ({"files": [upload("a.pdf", PDF), upload("b.pdf", PDF)]}, "at most 1 files"),
        ({"files": [upload("big.pdf", PDF + b"0" * 1_100_000)]}, "too large"),
        ({"files": [upload("page.html", b"<script>alert(1)</script>")]}, "cannot be submitted"),
        ({"files": [upload("fake.pdf", b"MZ not a pdf")]}, "cannot be submitted"),
        ({"files": [upload("data.csv", "naïve".encode("latin-1"))]}, "is not UTF-8 text"),
    ]
    for data, message in cases:
        with pytest.raises(FieldError, match=message):
            _submit(world, assignment, key=f"k-{message}", **data)
    with pytest.raises(InvalidInput, match="missing its submission key"):
        _submit(world, assignment, key="  ", text="x")
    assert Submission.objects.count() == 0 and not list(media_root.rglob("*.*"))


def test_only_the_courses_learners_submit(world: CourseWorld):
    assignment = _assignment(world)
    for person in (world.teacher, world.ta, world.observer, world.outsider):
        with pytest.raises(NotAllowed):
            assignments.submit(
                user=person, assignment=assignment, data=SubmissionInput(key="x", text="x"), now=timezone.now()
            )


def test_late_work_is_flagged_by_the_learners_own_deadline_and_extension(world: CourseWorld):
    assignment = _assignment(world)
    due = datetime(2026, 12, 1, 12, tzinfo=UTC)
    Item.objects.filter(pk=assignment.item.pk).update(due_at=due)
    assignment.item.refresh_from_db()
    late = _submit(world, assignment, key="late", text="x", now=due + timedelta(minutes=5))
    assert late.is_late and late.late_seconds == 300 and late.deadline_at == due
    DeadlineExtension.objects.create(item=assignment.item, user=world.learner, due_at=due + timedelta(days=2))
    Submission.objects.all().delete()
    on_time = _submit(world, assignment, key="ext", text="x", now=due + timedelta(days=1))
    assert not on_time.is_late and on_time.deadline_at == due + timedelta(days=2)


def test_closing_at_the_due_time_and_resubmission_rules(world: CourseWorld):
    assignment = _assignment(world, late_policy="close")
    due = timezone.now() + timedelta(hours=1)
    Item.objects.filter(pk=assignment.item.pk).update(due_at=due)
    assignment.item.refresh_from_db()
    _submit(world, assignment, key="1", text="first")
    second = _submit(world, assignment, key="2", text="second, still before the due time")
    assert second.number == 2 and Submission.objects.count() == 2  # history kept
    with pytest.raises(NotAllowed, match="no longer accepts work"):
        _submit(world, assignment, key="3", text="too late", now=due + timedelta(seconds=1))
    one_only = _assignment(world, allow_resubmission=False)
    _submit(world, one_only, key="a", text="x")
    with pytest.raises(NotAllowed, match="takes one submission"):
        _submit(world, one_only, key="b", text="y")


def test_the_time_of_record_is_when_the_request_arrived(client, world: CourseWorld, monkeypatch):
    """A request that arrived before the deadline is on time even if it is processed after it."""
    from types import SimpleNamespace

    from cadence.core import middleware

    assignment = _assignment(world)
    due = timezone.now() - timedelta(seconds=30)  # processing happens after the deadline...
    Item.objects.filter(pk=assignment.item.pk).update(due_at=due)
    arrived = due - timedelta(seconds=2)  # ...but the request arrived before it
    monkeypatch.setattr(middleware, "timezone", SimpleNamespace(now=lambda: arrived))
    client.force_login(world.learner)
    client.post(reverse("assessment:submit", args=[world.course.slug, assignment.item.pk]), {"key": "t", "text": "x"})
    submission = Submission.objects.get()
    assert submission.submitted_at == arrived and not submission.is_late


def test_drafts_autosave_and_a_refused_submit_keeps_the_text(client, world: CourseWorld):
    assignment = _assignment(world, accept_files=False, accept_url=True)
    client.force_login(world.learner)
    draft_url = reverse("assessment:draft", args=[world.course.slug, assignment.item.pk])
    response = client.post(draft_url, {"text": "Half written", "url": ""}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 200 and "saved_at" in response.json()
    page = client.get(reverse("courses:item-detail", args=[world.course.slug, assignment.item.pk])).content.decode()
    assert "Half written" in page
    submit = reverse("assessment:submit", args=[world.course.slug, assignment.item.pk])
    client.post(submit, {"key": "x", "text": "My full answer", "url": "javascript:alert(1)"})
    assert Submission.objects.count() == 0
    assert AssignmentDraft.objects.get().text == "My full answer"


def test_receipts_are_private_to_the_learner_staff_and_their_observer(client, world: CourseWorld, media_root: Path):
    from cadence.accounts.tests.factories import UserFactory
    from cadence.courses.tests.factories import MembershipFactory

    assignment = _assignment(world)
    submission = _submit(world, assignment, text="Mine", files=[upload("essay.pdf", PDF)])
    receipt = reverse("assessment:receipt", args=[world.course.slug, submission.pk])
    file_url = reverse("assessment:submission-file", args=[world.course.slug, submission.pk, submission.files.get().pk])
    other = UserFactory()
    MembershipFactory(user=other, course=world.course, role="learner")
    client.force_login(other)
    assert client.get(receipt).status_code == 404 and client.get(file_url).status_code == 404
    for person in (world.learner, world.teacher, world.ta, world.observer):
        client.force_login(person)
        assert client.get(receipt).status_code == 200
    client.force_login(world.learner)
    page = client.get(receipt).content.decode()
    assert "Time of record" in page and submission.files.get().sha256 in page
    download = client.get(file_url)
    assert download["Content-Disposition"].startswith("attachment;") and b"".join(download.streaming_content) == PDF


def test_settings_need_one_kind_of_submission(client, world: CourseWorld):
    item = ItemFactory(module=world.modules[0], kind="assignment", title="Essay")
    client.force_login(world.teacher)
    url = reverse("assessment:assignment-edit", args=[world.course.slug, item.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"max_files": 3, "max_file_mb": 20, "late_policy": "flag", "penalty_percent_per_day": 10,
                            "max_points": 100, "grade_release": "manual"})  # fmt: skip
    assert bad.status_code == 400 and "at least one kind of submission" in bad.content.decode()


def test_nothing_is_accepted_after_the_assignment_closes(world: CourseWorld):
    now = timezone.now()
    assignment = _assignment(world, closes_at=now + timedelta(hours=1))
    _submit(world, assignment, key="before", text="x", now=now)
    with pytest.raises(NotAllowed, match="has closed"):
        _submit(world, assignment, key="after", text="y", now=now + timedelta(hours=2))
    assert Submission.objects.count() == 1
    with pytest.raises(InvalidInput, match="close after it opens"):
        assignments.save_settings(
            actor=world.teacher, item=assignment.item, data={"opens_at": now + timedelta(hours=3)}
        )
