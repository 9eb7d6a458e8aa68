"""Account deletion, end to end: the learner asks, an administrator confirms, the account is erased in place."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.models import ApiToken, User
from cadence.accounts.services import create_api_token
from cadence.accounts.tests.factories import PASSWORD
from cadence.assessment.models import AssignmentDraft, Attempt, Grade, Submission, SubmissionFile
from cadence.community.models import Post
from cadence.core.errors import Conflict, InvalidInput, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses.models import Membership
from cadence.insights.models import LearnerStats
from cadence.insights.tests.factories import stats_for
from cadence.messaging.models import Message
from cadence.notifications.models import Kind, Notification
from cadence.privacy import background, services
from cadence.privacy.models import (
    DataExport,
    DeletionRequest,
    DeletionStatus,
    ForumPostsOnDeletion,
    PrivacySettings,
)
from cadence.privacy.tests.conftest import LearnerData
from cadence.progress.models import Event, Note
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, email: str):
    response = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    if response.status_code == 302:
        assert client.get(reverse("privacy:home")).status_code == 200
    return response


def _ask(client: Client, world: CourseWorld, reason: str = "Moving school") -> DeletionRequest:
    client.force_login(world.learner)
    response = client.post(reverse("privacy:deletion-request"), {"reason": reason, "understood": "on"})
    assert response.status_code == 302
    return DeletionRequest.objects.get(user=world.learner)


def test_request_then_confirm_erases_the_account_and_keeps_the_schools_record(
    client, world: CourseWorld, learner_data: LearnerData, media_root: Path, django_capture_on_commit_callbacks
):
    learner = world.learner
    old_email = learner.email
    create_api_token(user=learner, name="script")
    learner_client = Client()
    _sign_in(learner_client, old_email)
    assert learner_client.get(reverse("privacy:home")).status_code == 200
    submission_files = [f.file.name for f in SubmissionFile.objects.filter(submission__user=learner)]
    stats_for(world.learner_membership, last_active_at=timezone.now())  # the learners table's figures

    deletion = _ask(client, world)
    assert deletion.status == DeletionStatus.PENDING and deletion.reason == "Moving school"
    assert Notification.objects.filter(recipient=world.admin, kind=Kind.ACCOUNT_DELETION).exists()
    client.force_login(world.admin)
    page = client.get(reverse("privacy:deletion-list"))
    assert page.status_code == 200 and old_email.encode() in page.content
    detail = client.get(reverse("privacy:deletion-detail", args=[deletion.pk]))
    assert b"Keeps 3 forum posts" in detail.content or b"Keeps 2 forum posts" in detail.content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:deletion-confirm", args=[deletion.pk]), {"confirm": "on"})
    assert response.status_code == 302

    deletion.refresh_from_db()
    learner.refresh_from_db()
    assert deletion.status == DeletionStatus.COMPLETED and deletion.decided_by == world.admin
    # What is gone
    assert learner.display_name == "Former member" and old_email not in learner.email
    assert learner.email.endswith("@deleted.invalid")
    assert not learner.has_usable_password() and not learner.is_active and learner.birth_date is None
    assert not Note.objects.filter(user=learner).exists()
    assert not AssignmentDraft.objects.filter(user=learner).exists()
    assert not ApiToken.objects.filter(user=learner).exists()
    assert not Event.objects.filter(actor=learner).exists()
    assert not LearnerStats.objects.filter(user=learner).exists()
    assert not Notification.objects.filter(recipient=learner).exists()
    assert not world.learner_membership.observers.exists()  # the parent's link
    assert not User.objects.filter(email__iexact=old_email).exists()
    # The person cannot sign in, and the session they had is over.
    assert _sign_in(Client(), old_email).status_code == 200  # the form again, with an error
    assert learner_client.get(reverse("privacy:home")).status_code == 302
    assert not any(s.get_decoded().get("_auth_user_id") == str(learner.pk) for s in Session.objects.all())
    # What stays for the school (and for the people they talked to)
    assert Submission.objects.filter(user=learner).count() == 2 and Grade.objects.filter(submission__user=learner)
    assert Attempt.objects.filter(user=learner).exists()
    assert all(Path(media_root, name).exists() for name in submission_files)
    assert Membership.objects.filter(user=learner, course=world.course).exists()
    assert Message.objects.filter(sender=learner).exists()
    assert Post.objects.get(pk=learner_data.post.pk).body == "MY-REPLY"
    # The teachers' notifications about the learner's question no longer carry the learner's name.
    about = Notification.objects.filter(actor=learner)
    assert about.exists() and not about.filter(title__contains="Learner").exists()
    assert about.filter(title__contains="Former member").exists()
    # Their posts show "Former member"
    client.force_login(world.teacher)
    thread = client.get(reverse("community:thread-detail", args=[world.course.slug, learner_data.thread.pk]))
    assert b"Former member" in thread.content and b"MY-REPLY" in thread.content
    # Recorded in the audit log, and the person is told at their old address.
    entry = AuditEntry.objects.get(verb="privacy.account_erased")
    assert entry.actor_id == world.admin.pk and entry.data["erased"]["notes"] == 1
    assert AuditEntry.objects.filter(verb="privacy.deletion_requested", actor_id=learner.pk).exists()
    assert [m.to for m in mail.outbox] == [[old_email]]
    assert "has been deleted" in mail.outbox[0].subject


def test_with_the_remove_setting_their_posts_lose_text_and_attachments(
    world: CourseWorld, learner_data: LearnerData, media_root: Path, django_capture_on_commit_callbacks
):
    PrivacySettings.objects.create(pk=1, forum_posts_on_deletion=ForumPostsOnDeletion.REMOVE)
    attachment = Path(media_root, learner_data.post.file.name)
    assert attachment.exists()
    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_deletion(actor=world.admin, deletion=deletion, now=timezone.now())
    post = Post.objects.get(pk=learner_data.post.pk)
    assert post.body == "" and post.is_deleted and not post.file and not attachment.exists()
    learner_data.thread.refresh_from_db()
    assert learner_data.thread.title == "(removed)"
    assert Post.objects.get(pk=learner_data.other_post.pk).body == "OTHER-LEARNER-REPLY"  # others' replies stay


def test_a_copy_of_data_is_erased_with_the_account(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.request_export(actor=world.learner, subject=world.learner, now=timezone.now())
    made.refresh_from_db()
    stored = Path(media_root, made.file.name)
    assert stored.exists()
    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_deletion(actor=world.admin, deletion=deletion, now=timezone.now())
    assert not DataExport.objects.exists() and not stored.exists()


def test_the_learner_may_cancel_while_pending_but_not_after_a_decision(client, world: CourseWorld):
    deletion = _ask(client, world)
    response = client.post(reverse("privacy:deletion-cancel", args=[deletion.pk]))
    assert response.status_code == 302
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.CANCELLED
    with pytest.raises(Conflict):
        services.confirm_deletion(actor=world.admin, deletion=deletion, now=timezone.now())
    world.learner.refresh_from_db()
    assert world.learner.is_active and world.learner.display_name == "Learner"
    assert AuditEntry.objects.filter(verb="privacy.deletion_cancelled").exists()


def test_someone_else_cannot_cancel_or_see_a_request(client, world: CourseWorld):
    deletion = _ask(client, world)
    client.force_login(world.outsider)
    assert client.post(reverse("privacy:deletion-cancel", args=[deletion.pk])).status_code == 404
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.PENDING


def test_asking_twice_is_refused_and_changes_nothing(world: CourseWorld):
    services.request_deletion(user=world.learner, reason="one", now=timezone.now())
    with pytest.raises(Conflict):
        services.request_deletion(user=world.learner, reason="two", now=timezone.now())
    assert DeletionRequest.objects.count() == 1


def test_a_reason_too_long_is_refused(world: CourseWorld):
    with pytest.raises(InvalidInput):
        services.request_deletion(user=world.learner, reason="x" * 2001, now=timezone.now())
    assert not DeletionRequest.objects.exists()


def test_without_ticking_understood_nothing_is_asked(client, world: CourseWorld):
    client.force_login(world.learner)
    response = client.post(reverse("privacy:deletion-request"), {"reason": "bye"})
    assert response.status_code == 400 and not DeletionRequest.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "ta", "observer", "outsider"])
def test_only_a_site_administrator_confirms(world: CourseWorld, who: str):
    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())
    with pytest.raises(NotAllowed):
        services.confirm_deletion(actor=getattr(world, who), deletion=deletion, now=timezone.now())
    world.learner.refresh_from_db()
    assert world.learner.is_active


def test_an_administrator_never_confirms_their_own_deletion(client, world: CourseWorld):
    deletion = services.request_deletion(user=world.admin, reason="", now=timezone.now())
    with pytest.raises(NotAllowed):
        services.confirm_deletion(actor=world.admin, deletion=deletion, now=timezone.now())
    client.force_login(world.admin)
    assert client.post(reverse("privacy:deletion-confirm", args=[deletion.pk]), {"confirm": "on"}).status_code == 404


def test_confirming_needs_the_box_ticked(client, world: CourseWorld):
    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())
    client.force_login(world.admin)
    response = client.post(reverse("privacy:deletion-confirm", args=[deletion.pk]), {})
    assert response.status_code == 400
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.PENDING


def test_declining_tells_the_person_why(client, world: CourseWorld):
    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())
    client.force_login(world.admin)
    url = reverse("privacy:deletion-decline", args=[deletion.pk])
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "Your parent must agree first."}).status_code == 302
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.DECLINED
    notice = Notification.objects.get(recipient=world.learner, kind=Kind.ACCOUNT_DELETION)
    assert notice.body == "Your parent must agree first."
    client.force_login(world.learner)
    assert b"Your parent must agree first." in client.get(reverse("privacy:home")).content


def test_a_failure_halfway_through_erasure_leaves_the_account_untouched(world: CourseWorld, monkeypatch):
    from cadence.privacy import erasure

    Note.objects.create(
        user=world.learner, course=world.course, item=world.items[0], body="kept",
        created_at=timezone.now(), updated_at=timezone.now(),
    )  # fmt: skip
    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())

    def broken(email: str) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(erasure, "_forget_sign_in_attempts", broken)
    with pytest.raises(RuntimeError):
        services.confirm_deletion(actor=world.admin, deletion=deletion, now=timezone.now())
    world.learner.refresh_from_db()
    deletion.refresh_from_db()
    assert world.learner.display_name == "Learner" and world.learner.is_active
    assert Note.objects.filter(user=world.learner).exists() and deletion.status == DeletionStatus.PENDING


def test_after_the_retention_period_the_kept_work_and_its_files_are_purged(
    world: CourseWorld, learner_data: LearnerData, media_root: Path, settings, django_capture_on_commit_callbacks
):
    settings.CADENCE_DELETED_ACCOUNT_RETENTION_DAYS = 30
    files = [Path(media_root, f.file.name) for f in SubmissionFile.objects.filter(submission__user=world.learner)]
    decided = timezone.now()
    deletion = services.request_deletion(user=world.learner, reason="", now=decided)
    services.confirm_deletion(actor=world.admin, deletion=deletion, now=decided)
    with django_capture_on_commit_callbacks(execute=True):
        assert background.purge_expired_retention(now=decided + timedelta(days=29)) == 0
    assert Submission.objects.filter(user=world.learner).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert background.purge_expired_retention(now=decided + timedelta(days=30)) == 1
    assert not Submission.objects.filter(user=world.learner).exists()
    assert not Attempt.objects.filter(user=world.learner).exists()
    assert not Membership.objects.filter(user=world.learner).exists()
    assert files and not any(f.exists() for f in files)
    assert Submission.objects.filter(pk=learner_data.other_submission.pk).exists()
    assert User.objects.filter(pk=world.learner.pk).exists()  # the row stays: messages and posts point at it
    assert AuditEntry.objects.filter(verb="privacy.retained_work_purged").exists()
    assert background.purge_expired_retention(now=decided + timedelta(days=60)) == 0  # once


def test_with_sessions_cached_in_front_of_the_database_erasure_ends_the_cached_copy_too(world: CourseWorld, settings):
    """With Redis, sessions are `cached_db`: deleting only the database row would leave the copy in the cache,
    and the erased person's cookie would still open pages until it expired there."""
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.cache import cache

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = Client()
    client.force_login(world.learner)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert cache.get(SessionStore.cache_key_prefix + key) is not None
    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())
    services.confirm_deletion(actor=world.admin, deletion=deletion, now=timezone.now())
    assert cache.get(SessionStore.cache_key_prefix + key) is None
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("privacy:home")).status_code == 302
