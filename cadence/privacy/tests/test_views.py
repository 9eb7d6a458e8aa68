"""The "Your data" page, the download and the administrators' pages."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Role
from cadence.courses.tests.factories import MembershipFactory
from cadence.privacy import services
from cadence.privacy.models import DataExport, DeletionRequest, ExportStatus
from conftest import CourseWorld

pytestmark = pytest.mark.django_db


def _ready(world: CourseWorld, django_capture_on_commit_callbacks, actor=None, subject=None) -> DataExport:
    with django_capture_on_commit_callbacks(execute=True):
        made = services.request_export(
            actor=actor or world.learner, subject=subject or world.learner, now=timezone.now()
        )
    made.refresh_from_db()
    assert made.status == ExportStatus.READY
    return made


def test_the_learner_asks_for_a_copy_from_their_page_and_downloads_it(
    client, world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    client.force_login(world.learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:export-request"))
    assert response.status_code == 302
    made = DataExport.objects.get()
    assert made.status == ExportStatus.READY and made.subject == world.learner
    page = client.get(reverse("privacy:home"))
    download = reverse("privacy:export-download", args=[made.pk])
    assert download.encode() in page.content
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"] and "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "README.txt" in archive.namelist()


@pytest.mark.parametrize("who", ["teacher", "admin", "observer", "outsider"])
def test_nobody_else_downloads_a_copy(
    client, world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks, who
):
    made = _ready(world, django_capture_on_commit_callbacks)
    client.force_login(getattr(world, who))
    assert client.get(reverse("privacy:export-download", args=[made.pk])).status_code == 404


def test_an_expired_copy_is_gone(client, world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks):
    made = _ready(world, django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=made.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(world.learner)
    response = client.get(reverse("privacy:export-download", args=[made.pk]))
    assert response.status_code == 410 and b"no longer available" in response.content


def test_a_parent_sees_the_request_button_only_for_a_linked_learner_under_16(
    client, world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    client.force_login(world.observer)
    home = reverse("privacy:home")
    assert b'name="subject"' not in client.get(home).content  # no birth date known
    world.learner.birth_date = timezone.localdate().replace(year=timezone.localdate().year - 13)
    world.learner.save(update_fields=["birth_date"])
    assert f'value="{world.learner.pk}"'.encode() in client.get(home).content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export-request"), {"subject": world.learner.pk})
    made = DataExport.objects.get()
    assert made.subject == world.learner and made.requested_by == world.observer
    assert client.get(reverse("privacy:export-download", args=[made.pk])).status_code == 200


@pytest.mark.parametrize("subject", ["someone", "missing", "junk", "huge"])
def test_asking_for_someone_elses_copy_is_404_and_writes_nothing(client, world: CourseWorld, subject: str):
    target = {"someone": str(world.ta.pk), "missing": "999999", "junk": "1; DROP TABLE", "huge": "9" * 40}[subject]
    client.force_login(world.teacher)
    assert client.post(reverse("privacy:export-request"), {"subject": target}).status_code == 404
    assert not DataExport.objects.exists()


def test_the_home_page_stays_within_its_query_budget(
    client, world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    world.learner.birth_date = timezone.localdate().replace(year=timezone.localdate().year - 13)
    world.learner.save(update_fields=["birth_date"])
    for _ in range(3):
        made = _ready(world, django_capture_on_commit_callbacks, actor=world.observer)
        DataExport.objects.filter(pk=made.pk).update(status=ExportStatus.EXPIRED)
    client.force_login(world.observer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("privacy:home"))
    assert response.status_code == 200


def test_the_administrators_list_stays_within_its_query_budget(
    client, world: CourseWorld, django_assert_max_num_queries
):
    for _ in range(5):
        services.request_deletion(user=UserFactory(), reason="bye", now=timezone.now())
    client.force_login(world.admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("privacy:deletion-list"))
    assert response.status_code == 200 and response.content.count(b"/privacy/deletion-requests/") >= 5


def test_pages_never_write_on_get(client, world: CourseWorld, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())
    client.force_login(world.admin)
    for url in (reverse("privacy:deletion-list"), reverse("privacy:deletion-detail", args=[deletion.pk])):
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")]
        assert not [w for w in writes if "django_session" not in w], writes


def test_an_observer_of_another_course_cannot_ask_for_a_learner(client, world: CourseWorld):
    world.learner.birth_date = timezone.localdate().replace(year=timezone.localdate().year - 13)
    world.learner.save(update_fields=["birth_date"])
    stranger = MembershipFactory(course=world.course, role=Role.OBSERVER).user  # an observer, but not linked
    client.force_login(stranger)
    assert client.post(reverse("privacy:export-request"), {"subject": world.learner.pk}).status_code == 404
    assert not DataExport.objects.exists() and not DeletionRequest.objects.exists()


def test_the_home_page_says_how_long_a_copy_lasts(client, world: CourseWorld, settings):
    settings.DATA_EXPORT_DAYS = 3
    client.force_login(world.learner)
    assert b"can be downloaded for 3 days" in client.get(reverse("privacy:home")).content


def test_the_django_admin_action_confirms_selected_requests(client, world: CourseWorld):
    from cadence.privacy.models import DeletionStatus

    deletion = services.request_deletion(user=world.learner, reason="", now=timezone.now())
    own = services.request_deletion(user=world.admin, reason="", now=timezone.now())
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:privacy_deletionrequest_changelist"),
        {"action": "confirm_selected", "_selected_action": [deletion.pk, own.pk]},
        follow=True,
    )
    assert response.status_code == 200
    deletion.refresh_from_db()
    own.refresh_from_db()
    assert deletion.status == DeletionStatus.COMPLETED
    assert own.status == DeletionStatus.PENDING  # never one's own, even from the admin
    assert b"1 account(s) erased." in response.content


def test_the_periodic_tasks_expire_copies_and_purge_after_retention(world: CourseWorld, settings):
    from cadence.privacy import tasks
    from cadence.privacy.models import DeletionStatus

    settings.CADENCE_DELETED_ACCOUNT_RETENTION_DAYS = 0
    past = timezone.now() - timedelta(days=1)
    DataExport.objects.create(
        subject=world.learner, requested_by=world.learner, status=ExportStatus.READY, requested_at=past,
        ready_at=past, expires_at=past,
    )  # fmt: skip
    deletion = services.request_deletion(user=world.ta, reason="", now=past)
    services.confirm_deletion(actor=world.admin, deletion=deletion, now=past)
    assert tasks.expire_data_exports_hourly.call_local() == 1
    assert tasks.purge_expired_retention_daily.call_local() == 1
    deletion.refresh_from_db()
    assert deletion.status == DeletionStatus.COMPLETED and deletion.purged_at is not None
