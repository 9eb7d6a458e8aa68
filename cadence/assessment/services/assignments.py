"""Assignments: settings, autosaved drafts, and submissions that are never lost.

A submission carries an idempotency key from the form: a retried or doubled POST returns the
submission already stored. Everything (files included) is written and committed before the receipt is
shown; the receipt gives the time of record (when the request arrived) and a SHA-256 checksum of
each file and of the text, and an email copy is sent by a background task after the commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment.models import Assignment, AssignmentDraft, LatePolicy, Submission, SubmissionFile
from cadence.content.services.common import check_web_address
from cadence.core import audit, uploads
from cadence.core.email import queue_email
from cadence.core.errors import FieldError, InvalidInput, NotAllowed
from cadence.core.uploads import delete_files_if_rolled_back
from cadence.courses import selectors as course_selectors
from cadence.courses.models import CompletionRule, Item, ItemKind
from cadence.insights import services as insights_services
from cadence.progress import selectors as progress_selectors
from cadence.progress import services as progress_services
from cadence.progress.models import Verb

MAX_TEXT_CHARS = 200_000
KEY_CHARS = 64

ASSIGNMENT_SETTINGS = (
    "instructions", "accept_text", "accept_files", "accept_url", "max_files", "max_file_mb", "opens_at", "closes_at",
    "late_policy", "penalty_percent_per_day", "allow_resubmission", "max_points", "grade_release", "rubric",
)  # fmt: skip


def assignment_for(item: Item) -> Assignment:
    """The assignment of an assignment item, created with default settings the first time it is needed."""
    if item.kind != ItemKind.ASSIGNMENT:
        raise InvalidInput(_("“%(title)s” is not an assignment.") % {"title": item.title})
    assignment, _created = Assignment.objects.get_or_create(item=item)
    assignment.item = item
    return assignment


def assignment_settings(item: Item) -> Assignment:
    """For reading: the assignment, or its default settings unsaved (a page view never writes)."""
    assignment = Assignment.objects.filter(item=item).first() or Assignment(item=item)
    assignment.item = item
    return assignment


@transaction.atomic
def save_settings(*, actor: User, item: Item, data: Mapping[str, Any]) -> Assignment:
    policy.require(actor, "edit", item)
    assignment = assignment_for(item)
    unknown = set(data) - set(ASSIGNMENT_SETTINGS)
    if unknown:
        raise InvalidInput(_("Unknown assignment settings: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    for name, value in data.items():
        setattr(assignment, name, value)
    if assignment.rubric is not None and assignment.rubric.course_id != item.course_id:
        raise InvalidInput(_("That rubric belongs to another course."))
    if not (assignment.accept_text or assignment.accept_files or assignment.accept_url):
        raise InvalidInput(_("Accept at least one kind of submission: text, files or a web address."))
    if assignment.opens_at and assignment.closes_at and assignment.closes_at <= assignment.opens_at:
        raise InvalidInput(_("The assignment must close after it opens."))
    assignment.full_clean(exclude=["item"])
    assignment.save()
    audit.record(actor=actor, verb="assignment.settings", obj=assignment, course_id=item.course_id)
    return assignment


# --- Learners ---------------------------------------------------------------------------------------
def _require_learner(user: User, assignment: Assignment, now: datetime) -> None:
    item = assignment.item
    if not policy.can(user, "submit", assignment):
        raise NotAllowed(_("Only learners of this course submit to its assignments."))
    if progress_selectors.item_lock(user, item, now=now) is not None:
        raise NotAllowed(_("This assignment is not open to you yet."))
    if assignment.opens_at and now < assignment.opens_at:
        raise NotAllowed(_("This assignment opens later."))


@transaction.atomic
def save_draft(*, user: User, assignment: Assignment, text: str, url: str, now: datetime) -> AssignmentDraft:
    """Keep what the learner is writing (autosaved as they type, or with "Save draft")."""
    _require_learner(user, assignment, now)
    if len(text) > MAX_TEXT_CHARS:
        raise FieldError(_("The text is too long (at most %(n)s characters).") % {"n": MAX_TEXT_CHARS}, field="text")
    draft, _created = AssignmentDraft.objects.update_or_create(
        assignment=assignment, user=user, defaults={"text": text, "url": url[:1000], "updated_at": now}
    )
    return draft


@dataclass(frozen=True)
class SubmissionInput:
    key: str  # the form's idempotency key
    text: str = ""
    url: str = ""
    files: Sequence[UploadedFile] = ()


def _check_content(assignment: Assignment, data: SubmissionInput) -> tuple[str, str, list[uploads.ResourceFormat]]:
    text = data.text.replace("\r\n", "\n").strip() if assignment.accept_text else ""
    url = (
        check_web_address(data.url, field="url", what=_("a submission"))
        if assignment.accept_url and data.url.strip()
        else ""
    )
    files = list(data.files) if assignment.accept_files else []
    if len(text) > MAX_TEXT_CHARS:
        raise FieldError(_("The text is too long (at most %(n)s characters).") % {"n": MAX_TEXT_CHARS}, field="text")
    if len(files) > assignment.max_files:
        raise FieldError(
            _("Attach at most %(n)s files; you attached %(m)s.") % {"n": assignment.max_files, "m": len(files)},
            field="files",
        )
    limit = assignment.max_file_mb * 1024 * 1024
    formats: list[uploads.ResourceFormat] = []
    for upload in files:
        size = upload.size or 0
        name = (upload.name or "")[:100]
        if size > limit:
            raise FieldError(
                _("“%(name)s” is too large (%(size)s MB); files may be at most %(limit)s MB.")
                % {"name": name, "size": f"{size / 1048576:.1f}", "limit": assignment.max_file_mb},
                field="files",
            )
        if size == 0:
            raise FieldError(_("“%(name)s” is empty.") % {"name": name}, field="files")
        formats.append(
            uploads.check_format(
                upload,
                refused=_(
                    "“%(name)s” cannot be submitted: accepted are %(allowed)s files, whose contents match their name."
                ),
                field="files",
            )
        )
    if not (text or url or files):
        raise FieldError(_("There is nothing to submit: write your answer, attach a file or give an address."))
    return text, url, formats


def _late_seconds(now: datetime, deadline: datetime | None) -> int:
    return 0 if deadline is None or now <= deadline else int((now - deadline).total_seconds())


def submit(*, user: User, assignment: Assignment, data: SubmissionInput, now: datetime) -> Submission:
    """Store a submission durably and return it; the same key returns the submission already stored."""
    key = data.key.strip()[:KEY_CHARS]
    if not key:
        raise InvalidInput(_("The form is missing its submission key; reload the page and submit again."))
    existing = Submission.objects.filter(user=user, idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        return _submit(user=user, assignment=assignment, data=data, key=key, now=now)
    except IntegrityError:  # the same key a moment ago from a concurrent request
        existing = Submission.objects.filter(user=user, idempotency_key=key).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _submit(*, user: User, assignment: Assignment, data: SubmissionInput, key: str, now: datetime) -> Submission:
    _require_learner(user, assignment, now)
    item = assignment.item
    deadline = course_selectors.deadline_for(user, item)
    late = _late_seconds(now, deadline)
    if assignment.closes_at and now >= assignment.closes_at:
        raise NotAllowed(_("This assignment has closed; nothing more is accepted."))
    if late and assignment.late_policy == LatePolicy.CLOSE:
        raise NotAllowed(_("The due time has passed and this assignment no longer accepts work."))
    previous = Submission.objects.select_for_update().filter(assignment=assignment, user=user)
    count = previous.count()
    if count and not assignment.allow_resubmission:
        raise NotAllowed(_("This assignment takes one submission, and yours is in."))
    if count and late:
        raise NotAllowed(_("Resubmitting closed at the due time; your last submission stands."))
    text, url, formats = _check_content(assignment, data)
    number = (previous.aggregate(m=Max("number"))["m"] or 0) + 1
    submission = Submission.objects.create(
        assignment=assignment,
        user=user,
        number=number,
        text=text,
        url=url,
        submitted_at=now,
        deadline_at=deadline,
        late_seconds=late,
        idempotency_key=key,
        text_sha256=hashlib.sha256(text.encode()).hexdigest() if text else "",
    )
    stored: list[str] = []
    try:
        for upload, fmt in zip(data.files if assignment.accept_files else [], formats, strict=True):
            row = SubmissionFile(
                submission=submission,
                filename=uploads.display_name(upload.name or "", fmt.kind, "file"),
                content_type=fmt.kind.content_type,
                size=upload.size or 0,
                sha256=uploads.sha256_of(upload),
            )
            row.file.save(row.filename, upload, save=False)
            stored.append(row.file.name or "")
            row.save()
    except BaseException:
        delete_files_if_rolled_back(stored)
        raise
    AssignmentDraft.objects.filter(assignment=assignment, user=user).delete()
    progress_services.record_activity(
        user=user,
        verb=Verb.SUBMITTED,
        course_id=item.course_id,
        item=item,
        object_type="submission",
        object_id=str(submission.pk),
        result={"number": number, "late_seconds": late, "files": len(stored)},
        now=now,
    )
    if item.completion_rule == CompletionRule.SUBMITTED:
        progress_services.mark_complete(user=user, item=item, now=now, source="submitted")
    audit.record(actor=user, verb="submission.created", obj=submission, course_id=item.course_id, number=number)
    insights_services.learner_changed(course_id=item.course_id, user_id=user.pk)
    _email_receipt(submission)
    return submission


def receipt_url(submission: Submission) -> str:
    """The receipt's full address, for emails (the learner opens it from their mailbox)."""
    item = submission.assignment.item
    return settings.SITE_URL + reverse("assessment:receipt", args=[item.course.slug, submission.pk])


def _email_receipt(submission: Submission) -> None:
    """The receipt by email, sent by a background task once the submission is committed."""
    user = submission.user
    item = submission.assignment.item
    with timezone.override(user.time_zone):
        queue_email(
            to=user.email,
            subject=_("Received: %(title)s") % {"title": item.title},
            template="assessment/email/receipt.txt",
            context={
                "submission": submission,
                "item": item,
                "files": list(submission.files.all()),
                "url": receipt_url(submission),
                "user": user,
            },
            language=user.language or "en",
        )
