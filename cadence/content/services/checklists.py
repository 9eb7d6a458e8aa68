"""Checklists: teachers keep the ordered steps; learners tick them, and ticking the last one completes the item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.content.models import Checklist, ChecklistStep, StepTick
from cadence.content.services.common import require_editable, require_kind
from cadence.core import audit
from cadence.core.errors import FieldError, NotAllowed
from cadence.courses.models import CompletionRule, Item, ItemKind
from cadence.progress import selectors as progress_selectors
from cadence.progress import services as progress_services

MAX_STEPS = 100
MAX_STEP_CHARS = 500


@dataclass(frozen=True)
class StepInput:
    """One step as the editor submits it: an existing step's id (None for a new one) and its text."""

    step_id: int | None
    text: str


@transaction.atomic
def save_checklist(*, actor: User, item: Item, steps: Sequence[StepInput]) -> Checklist:
    """Replace the steps with `steps`, in that order. Kept steps keep their ticks; dropped steps lose theirs."""
    require_editable(actor, item, ItemKind.CHECKLIST)
    if len(steps) > MAX_STEPS:
        raise FieldError(_("A checklist has at most %(max)s steps.") % {"max": MAX_STEPS})
    for number, step in enumerate(steps, start=1):
        if not step.text.strip():
            raise FieldError(_("Step %(n)s is empty: write it, or tick “Delete”.") % {"n": number})
        if len(step.text) > MAX_STEP_CHARS:
            raise FieldError(
                _("Step %(n)s is too long (at most %(max)s characters).") % {"n": number, "max": MAX_STEP_CHARS}
            )
    checklist, _created = Checklist.objects.select_for_update().get_or_create(item=item)
    existing = {s.pk: s for s in ChecklistStep.objects.filter(checklist=checklist)}
    wanted = [s.step_id for s in steps if s.step_id is not None]
    if len(wanted) != len(set(wanted)) or not set(wanted) <= set(existing):
        raise FieldError(_("The list of steps changed while you were editing it; reload and try again."))
    removed = set(existing) - set(wanted)
    ChecklistStep.objects.filter(pk__in=removed).delete()
    changed: list[ChecklistStep] = []
    new: list[ChecklistStep] = []
    for position, step in enumerate(steps):
        text = step.text.strip()
        if step.step_id is None:
            new.append(ChecklistStep(checklist=checklist, position=position, text=text))
            continue
        row = existing[step.step_id]
        if (row.position, row.text) != (position, text):
            row.position, row.text = position, text
            changed.append(row)
    ChecklistStep.objects.bulk_update(changed, ["position", "text"])
    ChecklistStep.objects.bulk_create(new)
    checklist.save(update_fields=["updated_at"])
    audit.record(
        actor=actor,
        verb="checklist.saved",
        obj=checklist,
        course_id=item.course_id,
        steps=len(steps),
        added=len(new),
        removed=len(removed),
    )
    return checklist


@dataclass(frozen=True)
class TickResult:
    done: int
    total: int
    completed_now: bool  # this tick completed the item for the learner


@transaction.atomic
def set_step_ticked(*, user: User, item: Item, step_id: int, ticked: bool, now: datetime) -> TickResult:
    """Tick or untick one step. When every step is ticked and the item completes by checklist, it completes."""
    if not policy.can(user, "view", item):
        raise NotAllowed(_("You cannot see this checklist."))
    if not policy.can(user, "tick", item):
        raise NotAllowed(_("Observers follow a learner's progress; they do not tick steps themselves."))
    require_kind(item, ItemKind.CHECKLIST)
    tracked = progress_services.is_tracked(user, item)
    if tracked and progress_selectors.item_lock(user, item, now=now) is not None:
        raise NotAllowed(_("This checklist is not open to you yet."))
    step = ChecklistStep.objects.filter(pk=step_id, checklist__item=item).first()
    if step is None:
        raise FieldError(_("That step is no longer on this checklist; the list has been refreshed."))
    if ticked:
        try:
            with transaction.atomic():
                StepTick.objects.get_or_create(step=step, user=user, defaults={"ticked_at": now})
        except IntegrityError:  # the same tick sent twice at once: it is there either way
            pass
    else:
        StepTick.objects.filter(step=step, user=user).delete()
    total = ChecklistStep.objects.filter(checklist_id=step.checklist_id).count()
    done = StepTick.objects.filter(user=user, step__checklist_id=step.checklist_id).count()
    completed_now = False
    if ticked and total and done == total and item.completion_rule == CompletionRule.CHECKLIST and tracked:
        completion = progress_services.mark_complete(user=user, item=item, now=now)
        completed_now = completion.completed_at == now
    return TickResult(done=done, total=total, completed_now=completed_now)
