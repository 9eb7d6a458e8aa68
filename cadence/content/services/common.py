"""What every content service shares: the policy check, the kind check, field-aware errors, file clean-up."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core.errors import InvalidInput
from cadence.courses.models import Item, ItemKind


class ContentInputError(InvalidInput):
    """Bad input for one field of a form (or the form as a whole when `field` is None); nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def require_editable(actor: User, item: Item, kind: ItemKind) -> None:
    policy.require(actor, "edit", item)
    require_kind(item, kind)


def require_kind(item: Item, kind: ItemKind) -> None:
    if item.kind != kind:
        raise InvalidInput(_("“%(title)s” is not a %(kind)s item.") % {"title": item.title, "kind": kind.label.lower()})


def delete_files_after_commit(names: Iterable[str]) -> None:
    """Remove replaced or deleted files once the change is committed (never while it could roll back)."""
    doomed = [name for name in names if name]
    if doomed:
        transaction.on_commit(lambda: _delete(doomed))


def delete_files_if_rolled_back(names: Iterable[str]) -> None:
    """Files written during a transaction that then failed would be orphans: remove them."""
    for name in names:
        if name:
            default_storage.delete(name)


def _delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
