"""Writing audit rows. Called from services inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from cadence.core.models import AuditEntry


def record(*, actor: Model | None, verb: str, obj: Model, course_id: int | None = None, **data: Any) -> AuditEntry:
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        course_id=course_id,
        data=data,
    )


def record_account_event(
    *, actor: Model | None, verb: str, user_id: int | None, address: str, **data: Any
) -> AuditEntry:
    """A security event about an account (sign-in, lockout, password reset, API tokens): the account's id
    if there is one, and the client address. Never a password, never an email nobody has."""
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        verb=verb,
        object_type="accounts.user",
        object_id=str(user_id) if user_id is not None else "",
        data={"address": address, **data},
    )
