"""Erasing a person's account in place, once a site administrator has confirmed their request.

The `User` row stays (learner work the school keeps points at it, and cascades must never remove it) but
is scrubbed: name "Former member", an unusable unique address, no password, inactive, signed out
everywhere. What is purely private goes (notes, drafts, notifications, activity tracking, tokens,
observer links, copies of data). Forum posts stay, now by "Former member", or lose their text and
attachments, as the site's privacy settings say. Messages stay with the people they were sent to.
Submissions, attempts, grades and completions stay for the school until the retention period ends
(`purge_retained_work`).

This module writes other apps' tables on purpose, in one place, so that the whole list of what an
erasure touches reads on one screen; keep it in step with new models that hold personal data.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace

from cadence.accounts.models import ApiToken, User
from cadence.assessment.models import AssignmentDraft, Attempt, FeedbackFile, GradeOverride, Submission, SubmissionFile
from cadence.community.models import Post, PostRevision, Subscription, Thread, ThreadRead
from cadence.content.models import StepTick
from cadence.core.models import AuditEntry
from cadence.courses.models import DeadlineExtension, Invitation, Membership
from cadence.insights.models import LearnerStats
from cadence.notifications.models import Delivery, DeliverySettings, Notification, Preference
from cadence.privacy.models import DataExport
from cadence.progress.models import Completion, DailyActivity, Event, ItemProgress, Note, ReleaseOverride

FORMER_MEMBER = "Former member"
REMOVED_TITLE = "(removed)"


def scrubbed_email(user_id: int) -> str:
    """A unique address that can never receive mail (.invalid is reserved, RFC 2606)."""
    return f"former-member-{user_id}-{secrets.token_hex(6)}@deleted.invalid"


def _delete_files_after_commit(names: list[str]) -> None:
    names = [n for n in names if n]

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(delete)


def _count_delete(qs: QuerySet[Any]) -> int:
    count = qs.count()
    qs.delete()
    return count


DATABASE_SESSIONS = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def _sign_out_everywhere(user: User, now: datetime) -> int:
    """Sessions kept in the database are deleted (with their cached copy, for `cached_db`); any other session
    dies anyway: the password hash it carries changed."""
    if settings.SESSION_ENGINE not in DATABASE_SESSIONS:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=500):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            store().delete(session.session_key)
            ended += 1
    return ended


def _forget_sign_in_attempts(email: str) -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return sum(
        _count_delete(model.objects.filter(username__iexact=email))
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    )


def _remove_posts(user: User, now: datetime) -> int:
    posts = Post.objects.filter(author=user)
    _delete_files_after_commit(list(posts.exclude(file="").values_list("file", flat=True)))
    PostRevision.objects.filter(post__author=user).delete()
    Thread.objects.filter(author=user).update(title=REMOVED_TITLE)
    posts.filter(deleted_at__isnull=True).update(deleted_at=now)
    return posts.update(title="", body="", file="", filename="", content_type="", size=None)


def erase_account(*, user: User, now: datetime, remove_posts: bool) -> dict[str, int]:
    """Scrub the account in the caller's transaction; returns how many rows of each kind were erased."""
    old_email = user.email
    counts: dict[str, int] = {}
    exports = DataExport.objects.filter(Q(subject=user) | Q(requested_by=user))
    _delete_files_after_commit(list(exports.exclude(file="").values_list("file", flat=True)))
    erase: dict[str, Callable[[], int]] = {
        "data_exports": lambda: _count_delete(exports),
        "api_tokens": lambda: _count_delete(ApiToken.objects.filter(user=user)),
        "notes": lambda: _count_delete(Note.objects.filter(user=user)),
        "drafts": lambda: _count_delete(AssignmentDraft.objects.filter(user=user)),
        "notifications": lambda: _count_delete(Notification.objects.filter(recipient=user)),
        "notification_deliveries": lambda: _count_delete(Delivery.objects.filter(recipient=user)),
        "notification_preferences": lambda: (
            _count_delete(Preference.objects.filter(user=user))
            + _count_delete(DeliverySettings.objects.filter(user=user))
        ),
        "events": lambda: _count_delete(Event.objects.filter(actor=user)),
        "item_progress": lambda: _count_delete(ItemProgress.objects.filter(user=user)),
        "daily_activity": lambda: _count_delete(DailyActivity.objects.filter(user=user)),
        "learner_stats": lambda: _count_delete(LearnerStats.objects.filter(user=user)),
        "checklist_ticks": lambda: _count_delete(StepTick.objects.filter(user=user)),
        "forum_reads": lambda: _count_delete(ThreadRead.objects.filter(user=user)),
        "forum_subscriptions": lambda: _count_delete(Subscription.objects.filter(user=user)),
        "invitations": lambda: _count_delete(Invitation.objects.filter(email__iexact=old_email)),
        "sign_in_records": lambda: _forget_sign_in_attempts(old_email),
        "sessions": lambda: _sign_out_everywhere(user, now),
    }
    for kind, action in erase.items():
        counts[kind] = action()
    mine = Membership.objects.filter(user=user)
    links = Membership.observed.through.objects.filter(
        Q(from_membership__in=mine) | Q(to_membership__in=mine)
    )  # fmt: skip
    counts["observer_links"] = _count_delete(links)
    counts["forum_posts_removed"] = _remove_posts(user, now) if remove_posts else 0
    # Other people's notifications about them ("Ada replied …") were written with their name: it goes too.
    old_name = user.display_name
    if old_name:
        counts["names_in_notifications"] = Notification.objects.filter(actor=user).update(
            title=Replace("title", Value(old_name), Value(FORMER_MEMBER)),
            body=Replace("body", Value(old_name), Value(FORMER_MEMBER)),
        )
    # The invitation sent to this address named it in the audit log; the entry stays, the address goes.
    for entry in AuditEntry.objects.filter(verb="invitation.sent", data__email=old_email):
        entry.data = {**entry.data, "email": "(erased)"}
        entry.save(update_fields=["data"])
    user.display_name = FORMER_MEMBER
    user.email = scrubbed_email(user.pk)
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.birth_date = None
    user.last_login = None
    user.time_zone = "UTC"
    user.language = "en"
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return counts


def purge_retained_work(*, user: User) -> dict[str, int]:
    """After the retention period: the work kept for the school goes too (files after commit)."""
    submissions = Submission.objects.filter(user=user)
    _delete_files_after_commit(
        [
            *SubmissionFile.objects.filter(submission__in=submissions).values_list("file", flat=True),
            *FeedbackFile.objects.filter(grade__submission__in=submissions).values_list("file", flat=True),
        ]
    )
    purge: dict[str, Callable[[], int]] = {
        "submissions": lambda: _count_delete(submissions),
        "attempts": lambda: _count_delete(Attempt.objects.filter(user=user)),
        "grade_overrides": lambda: _count_delete(GradeOverride.objects.filter(user=user)),
        "completions": lambda: _count_delete(Completion.objects.filter(user=user)),
        "release_overrides": lambda: _count_delete(ReleaseOverride.objects.filter(user=user)),
        "deadline_extensions": lambda: _count_delete(DeadlineExtension.objects.filter(user=user)),
        "memberships": lambda: _count_delete(Membership.objects.filter(user=user)),
    }
    return {kind: action() for kind, action in purge.items()}
