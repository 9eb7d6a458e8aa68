"""What an assignment shows on its item page: instructions, the learner's deadline, the form, their history."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from cadence import policy
from cadence.assessment.models import Assignment, AssignmentDraft, LatePolicy, Submission
from cadence.assessment.services import assignments
from cadence.core import uploads
from cadence.core.markdown import render_markdown
from cadence.courses import item_types
from cadence.courses import selectors as course_selectors
from cadence.courses.models import Item, ItemKind


@dataclass(frozen=True)
class AssignmentView:
    assignment: Assignment
    instructions: SafeString
    deadline: datetime | None
    is_learner: bool
    may_submit: bool
    reason: str
    draft: AssignmentDraft | None
    submissions: list[Submission]
    key: str  # a fresh idempotency key for this page's form
    accept: str  # for the file input's accept attribute
    submit_url: str
    draft_url: str

    @property
    def is_late_now(self) -> bool:
        return self.deadline is not None and timezone.now() > self.deadline

    @property
    def closes_when_due(self) -> bool:
        return self.assignment.late_policy == LatePolicy.CLOSE


def assignment_view(request: HttpRequest, item: Item) -> AssignmentView:
    user: Any = request.user
    assignment = assignments.assignment_settings(item)
    is_learner = policy.can(user, "submit", assignment)
    now = timezone.now()
    deadline = course_selectors.deadline_for(user, item) if is_learner else None
    saved = not assignment._state.adding and is_learner
    submissions = (
        list(
            Submission.objects.filter(assignment=assignment, user=user)
            .select_related("grade")
            .prefetch_related("files")
            .order_by("-number")
        )
        if saved
        else []
    )
    draft = AssignmentDraft.objects.filter(assignment=assignment, user=user).first() if saved else None
    late = deadline is not None and now > deadline
    reason = ""
    if assignment.opens_at and now < assignment.opens_at:
        reason = "opens_later"
    elif (assignment.closes_at and now >= assignment.closes_at) or (
        late and assignment.late_policy == LatePolicy.CLOSE
    ):
        reason = "closed"
    elif submissions and not assignment.allow_resubmission:
        reason = "one_only"
    elif submissions and late:
        reason = "resubmission_closed"
    slug = item.course.slug
    return AssignmentView(
        assignment=assignment,
        instructions=render_markdown(assignment.instructions),
        deadline=deadline,
        is_learner=is_learner,
        may_submit=is_learner and not reason,
        reason=reason,
        draft=draft,
        submissions=submissions,
        key=secrets.token_hex(16),
        accept=",".join(sorted({f.kind.extension for f in uploads.RESOURCE_FORMATS.values()})),
        submit_url=reverse("assessment:submit", args=[slug, item.pk]),
        draft_url=reverse("assessment:draft", args=[slug, item.pk]),
    )


def assignment_context(request: HttpRequest, item: Item) -> dict[str, Any]:
    return {"page": assignment_view(request, item)}


def assignment_edit_url(item: Item) -> str:
    return reverse("assessment:assignment-edit", args=[item.course.slug, item.pk])


def register_item_types() -> None:
    item_types.register(
        item_types.ItemType(
            kind=ItemKind.ASSIGNMENT,
            template="assessment/item_assignment.html",
            context=assignment_context,
            edit_url=assignment_edit_url,
        )
    )
