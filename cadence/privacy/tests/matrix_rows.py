"""The privacy app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py).

A copy of data is downloaded only by whoever asked for it; deletion requests are decided by site
administrators only (never their own), and cancelled only by the person who asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from cadence.privacy.models import DataExport, DeletionRequest, ExportStatus
from cadence.tests.matrix import GO, LOGIN, OK, Case, Ctx, Row, page, signed_in, url


def learners_copy(c: Ctx) -> DataExport:
    now = timezone.now()
    name = default_storage.save("private/exports/matrix.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    return DataExport.objects.create(
        subject=c.world.learner, requested_by=c.world.learner, status=ExportStatus.READY, requested_at=now,
        ready_at=now, expires_at=now + timedelta(days=7), file=name, size=22,
    )  # fmt: skip


def learners_request(c: Ctx) -> DeletionRequest:
    return DeletionRequest.objects.create(user=c.world.learner, reason="matrix", requested_at=timezone.now())


def _deletion_url(name: str) -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[learners_request(c).pk])


#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
LEARNERS_OWN = Row(LOGIN, 404, OK, 404, 404, 404, 404)
LEARNER_CANCELS = Row(LOGIN, 404, GO, 404, 404, 404, 404)
ADMINS_ONLY = Row(LOGIN, 403, 403, 403, 403, OK, 403)
ADMINS_GO = Row(LOGIN, 403, 403, 403, 403, GO, 403)

PAGES: dict[str, Case] = {
    "GET privacy:home": Case(page("GET", url("privacy:home")), signed_in(OK)),
    "POST privacy:export-request": Case(page("POST", url("privacy:export-request")), signed_in(GO)),
    "GET privacy:export-download": Case(
        page("GET", lambda c: reverse("privacy:export-download", args=[learners_copy(c).pk])), LEARNERS_OWN
    ),
    "POST privacy:deletion-request": Case(
        page("POST", url("privacy:deletion-request"), lambda c: {"reason": "matrix", "understood": "on"}),
        signed_in(GO),
    ),
    "POST privacy:deletion-cancel": Case(page("POST", _deletion_url("privacy:deletion-cancel")), LEARNER_CANCELS),
    "GET privacy:deletion-list": Case(page("GET", url("privacy:deletion-list")), ADMINS_ONLY),
    "GET privacy:deletion-detail": Case(page("GET", _deletion_url("privacy:deletion-detail")), ADMINS_ONLY),
    "POST privacy:deletion-confirm": Case(
        page("POST", _deletion_url("privacy:deletion-confirm"), lambda c: {"confirm": "on"}), ADMINS_GO
    ),
    "POST privacy:deletion-decline": Case(
        page("POST", _deletion_url("privacy:deletion-decline"), lambda c: {"note": "Not now."}), ADMINS_GO
    ),
}
ENDPOINTS: dict[str, Case] = {}
