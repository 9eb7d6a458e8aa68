"""Data rights: ask for a copy of one's data, build and expire it; ask for deletion, decide, erase, purge."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core.audit import record
from cadence.core.email import queue_email
from cadence.core.errors import Conflict, InvalidInput
from cadence.notifications.models import Kind
from cadence.notifications.services import notify
from cadence.privacy import erasure, tasks
from cadence.privacy.models import (
    DataExport,
    DeletionRequest,
    DeletionStatus,
    ForumPostsOnDeletion,
    PrivacySettings,
)

log = logging.getLogger(__name__)
REASON_MAX = 2000


# --- Copies of data -----------------------------------------------------------------------------------
@transaction.atomic
def request_export(*, actor: User, subject: User, now: datetime) -> DataExport:
    """Queue a copy of `subject`'s data for `actor` (themselves, or a linked parent of a learner under 16)."""
    policy.require(actor, "export_data", subject)
    try:
        with transaction.atomic():
            data_export = DataExport.objects.create(subject=subject, requested_by=actor, requested_at=now)
    except IntegrityError as exc:  # the partial unique constraint: one copy in preparation per person
        raise Conflict(_("A copy of this data is already being prepared. You will be told when it is ready.")) from exc
    record(actor=actor, verb="privacy.export_requested", obj=data_export, subject_id=subject.pk)
    if actor.pk != subject.pk:
        # Nothing about a child happens behind their back: they are told a parent asked for their data.
        notify(
            recipients=policy.audience("export_data", subject, [subject.pk]),
            kind=Kind.DATA_EXPORT,
            title=_("%(name)s asked for a copy of your data") % {"name": actor.display_name},
            url=reverse("privacy:home"),
            key=f"privacy-export-asked-{data_export.pk}",
            now=now,
        )
    pk = data_export.pk
    transaction.on_commit(lambda: tasks.build_data_export(pk))
    return data_export


# --- Deleting an account ----------------------------------------------------------------------------
def _locked_pending(deletion: DeletionRequest) -> DeletionRequest:
    locked = DeletionRequest.objects.select_for_update(of=("self",)).select_related("user").get(pk=deletion.pk)
    if locked.status != DeletionStatus.PENDING:
        raise Conflict(_("This request has already been %(status)s.") % {"status": locked.get_status_display().lower()})
    return locked


@transaction.atomic
def request_deletion(*, user: User, reason: str, now: datetime) -> DeletionRequest:
    policy.require(user, "request_deletion", user)
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("Keep the reason under %(n)s characters.") % {"n": REASON_MAX})
    try:
        with transaction.atomic():
            deletion = DeletionRequest.objects.create(user=user, reason=reason, requested_at=now)
    except IntegrityError as exc:
        raise Conflict(_("You have already asked for your account to be deleted.")) from exc
    record(actor=user, verb="privacy.deletion_requested", obj=deletion)
    admins = User.objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True)
    notify(
        recipients=policy.audience("decide", deletion, admins),
        kind=Kind.ACCOUNT_DELETION,
        title=_("%(name)s asked for their account to be deleted") % {"name": user.display_name},
        url=reverse("privacy:deletion-detail", args=[deletion.pk]),
        key=f"privacy-deletion-asked-{deletion.pk}",
        actor=user,
        now=now,
    )
    return deletion


@transaction.atomic
def cancel_deletion(*, actor: User, deletion: DeletionRequest, now: datetime) -> DeletionRequest:
    policy.require(actor, "cancel", deletion)
    deletion = _locked_pending(deletion)
    deletion.status, deletion.decided_by, deletion.decided_at = DeletionStatus.CANCELLED, actor, now
    deletion.save(update_fields=["status", "decided_by", "decided_at"])
    record(actor=actor, verb="privacy.deletion_cancelled", obj=deletion)
    return deletion


@transaction.atomic
def decline_deletion(*, actor: User, deletion: DeletionRequest, note: str, now: datetime) -> DeletionRequest:
    policy.require(actor, "decide", deletion)
    note = note.strip()
    if not note or len(note) > REASON_MAX:
        raise InvalidInput(_("Tell the person why, in at most %(n)s characters.") % {"n": REASON_MAX})
    deletion = _locked_pending(deletion)
    deletion.status, deletion.decided_by, deletion.decided_at, deletion.note = (
        DeletionStatus.DECLINED, actor, now, note,
    )  # fmt: skip
    deletion.save(update_fields=["status", "decided_by", "decided_at", "note"])
    record(actor=actor, verb="privacy.deletion_declined", obj=deletion, note=note)
    notify(
        recipients=policy.audience("cancel", deletion, [deletion.user_id]),
        kind=Kind.ACCOUNT_DELETION,
        title=_("Your request to delete your account was declined"),
        body=note,
        url=reverse("privacy:home"),
        key=f"privacy-deletion-declined-{deletion.pk}",
        actor=actor,
        now=now,
    )
    return deletion


@transaction.atomic
def confirm_deletion(*, actor: User, deletion: DeletionRequest, now: datetime) -> DeletionRequest:
    """Erase the account in place (see `erasure`), record what was erased, and tell the person by email."""
    policy.require(actor, "decide", deletion)
    deletion = _locked_pending(deletion)
    user = deletion.user
    name, email, language = user.display_name, user.email, user.language or "en"
    remove_posts = PrivacySettings.current().forum_posts_on_deletion == ForumPostsOnDeletion.REMOVE
    summary = erasure.erase_account(user=user, now=now, remove_posts=remove_posts)
    deletion.status, deletion.decided_by, deletion.decided_at, deletion.summary = (
        DeletionStatus.COMPLETED, actor, now, summary,
    )  # fmt: skip
    deletion.save(update_fields=["status", "decided_by", "decided_at", "summary"])
    record(actor=actor, verb="privacy.account_erased", obj=deletion, user_id=user.pk, erased=summary)
    queue_email(
        to=email,
        subject=_("Your Cadence account has been deleted"),
        template="privacy/email/deletion_done.txt",
        context={
            "name": name,
            "now": now,
            "posts_removed": remove_posts,
            "retention_days": settings.CADENCE_DELETED_ACCOUNT_RETENTION_DAYS,
        },
        language=language,
    )
    return deletion
