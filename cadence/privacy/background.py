"""Data-rights work that runs in the background: building a copy of someone's data, expiring copies,
purging kept work after the retention period. Nothing here schedules a task, so `privacy.tasks` imports
this module and nothing imports back (`privacy.services` schedules the build through `privacy.tasks`).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from cadence import policy
from cadence.core.audit import record
from cadence.notifications.models import Kind
from cadence.notifications.services import notify
from cadence.privacy import erasure, export
from cadence.privacy.models import (
    DataExport,
    DeletionRequest,
    DeletionStatus,
    ExportStatus,
    export_path,
)

log = logging.getLogger(__name__)
# A copy not built within this long (a worker lost mid-build) is given up, so a new one may be asked for.
STALE_EXPORT = timedelta(hours=6)


def build_export(*, export_id: int, now: datetime) -> DataExport | None:
    """Write the zip to private storage, then mark the copy ready and tell whoever asked. A copy that is not
    pending (already built, expired, given up) is left alone, so a retried task does nothing twice."""
    data_export = DataExport.objects.select_related("subject", "requested_by").filter(pk=export_id).first()
    if data_export is None or data_export.status != ExportStatus.PENDING:
        return None
    stored = ""
    try:
        with tempfile.TemporaryFile() as scratch:
            export.write_zip(data_export.subject, scratch, now=now, requested_by=data_export.requested_by)
            size = scratch.tell()
            scratch.seek(0)
            digest = hashlib.sha256()
            while chunk := scratch.read(export.CHUNK):
                digest.update(chunk)
            scratch.seek(0)
            stored = default_storage.save(export_path(data_export, "export.zip"), File(scratch))
        return _mark_ready(data_export.pk, name=stored, size=size, sha256=digest.hexdigest(), now=now)
    except Exception:
        log.exception("Building data export %s failed", export_id)
        if stored:
            default_storage.delete(stored)
        _mark_failed(export_id, now=now)
        return None


@transaction.atomic
def _mark_ready(export_id: int, *, name: str, size: int, sha256: str, now: datetime) -> DataExport | None:
    data_export = (
        DataExport.objects.select_for_update(of=("self",)).select_related("subject", "requested_by").get(pk=export_id)
    )
    if data_export.status != ExportStatus.PENDING:
        transaction.on_commit(lambda: default_storage.delete(name))
        return None
    data_export.status = ExportStatus.READY
    data_export.file.name = name
    data_export.size, data_export.sha256 = size, sha256
    data_export.ready_at = now
    data_export.expires_at = now + timedelta(days=settings.DATA_EXPORT_DAYS)
    data_export.save(update_fields=["status", "file", "size", "sha256", "ready_at", "expires_at"])
    subject, requester = data_export.subject, data_export.requested_by
    title = (
        _("A copy of your data is ready to download")
        if subject.pk == requester.pk
        else _("The copy of %(name)s's data is ready to download") % {"name": subject.display_name}
    )
    notify(
        recipients=policy.audience("download", data_export, [requester.pk]),
        kind=Kind.DATA_EXPORT,
        title=title,
        body=_("Download it from Your data before %(date)s; after that it is deleted.")
        % {"date": data_export.expires_at.date().isoformat()},
        url=reverse("privacy:home"),
        key=f"privacy-export-ready-{data_export.pk}",
        now=now,
    )
    record(actor=None, verb="privacy.export_ready", obj=data_export, subject_id=subject.pk, size=size)
    return data_export


@transaction.atomic
def _mark_failed(export_id: int, *, now: datetime) -> None:
    data_export = (
        DataExport.objects.select_for_update(of=("self",)).select_related("requested_by").filter(pk=export_id).first()
    )
    if data_export is None or data_export.status != ExportStatus.PENDING:
        return
    data_export.status = ExportStatus.FAILED
    data_export.save(update_fields=["status"])
    notify(
        recipients=policy.audience("download", data_export, [data_export.requested_by_id]),
        kind=Kind.DATA_EXPORT,
        title=_("Your copy of data could not be prepared"),
        body=_("Nothing was lost. Please ask for it again; if it fails again, tell a site administrator."),
        url=reverse("privacy:home"),
        key=f"privacy-export-failed-{data_export.pk}",
        now=now,
    )
    record(actor=None, verb="privacy.export_failed", obj=data_export, subject_id=data_export.subject_id)


@transaction.atomic
def expire_exports(*, now: datetime) -> int:
    """Delete the files of copies past their expiry, and give up copies a lost worker never finished."""
    expired = list(
        DataExport.objects.select_for_update(skip_locked=True).filter(status=ExportStatus.READY, expires_at__lte=now)
    )
    names = [e.file.name for e in expired if e.file]
    DataExport.objects.filter(pk__in=[e.pk for e in expired]).update(status=ExportStatus.EXPIRED, file="")
    DataExport.objects.filter(status=ExportStatus.PENDING, requested_at__lte=now - STALE_EXPORT).update(
        status=ExportStatus.FAILED
    )
    if names:
        transaction.on_commit(lambda: _delete_files(names))
    return len(expired)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


@transaction.atomic
def purge_expired_retention(*, now: datetime) -> int:
    """Deleted accounts whose retention period has ended lose the work kept for the school too."""
    cutoff = now - timedelta(days=settings.CADENCE_DELETED_ACCOUNT_RETENTION_DAYS)
    due = list(
        DeletionRequest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .filter(status=DeletionStatus.COMPLETED, purged_at__isnull=True, decided_at__lte=cutoff)
    )
    for deletion in due:
        purged = erasure.purge_retained_work(user=deletion.user)
        deletion.purged_at = now
        deletion.save(update_fields=["purged_at"])
        record(actor=None, verb="privacy.retained_work_purged", obj=deletion, user_id=deletion.user_id, purged=purged)
    return len(due)
