"""What every content service shares: the policy check, the kind check, field-aware errors, file clean-up."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.content import media
from cadence.core.errors import InvalidInput
from cadence.courses.models import Item, ItemKind


class ContentInputError(InvalidInput):
    """Bad input for one field of a form (or the form as a whole when `field` is None); nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


_url_validator = URLValidator(schemes=["http", "https"])
MAX_URL_CHARS = 1000


def check_web_address(url: str, *, field: str, what: str) -> str:
    """An http(s) address, stripped; anything else (javascript:, data:, file:, no scheme) is refused."""
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else _("no scheme")
        raise ContentInputError(
            _("Only http:// and https:// addresses can be used for %(what)s (this one has %(scheme)s).")
            % {"what": what, "scheme": shown},
            field=field,
        )
    if len(url) > MAX_URL_CHARS:
        raise ContentInputError(
            _("The address is too long (at most %(max)s characters).") % {"max": MAX_URL_CHARS}, field=field
        )
    try:
        _url_validator(url)
    except ValidationError as exc:
        raise ContentInputError(_("“%(url)s” is not a valid web address.") % {"url": url[:100]}, field=field) from exc
    return url


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(upload: UploadedFile, *, limit: int, too_large: str) -> int:
    """The upload's size, or a field error: `too_large` is a translated message with %(size)s and %(limit)s."""
    size = upload.size or 0
    if size > limit:
        raise ContentInputError(too_large % {"size": megabytes(size), "limit": megabytes(limit)}, field="file")
    if size == 0:
        raise ContentInputError(_("The file is empty."), field="file")
    return size


def check_kind(
    upload: UploadedFile, *, limit: int, sniff: Callable[[bytes], media.Kind | None], too_large: str, wrong_kind: str
) -> media.Kind:
    """Size, then type by the file's first bytes (never its name); `wrong_kind` has %(name)s."""
    check_size(upload, limit=limit, too_large=too_large)
    kind = sniff(media.read_head(upload))
    if kind is None:
        raise ContentInputError(wrong_kind % {"name": upload.name}, field="file")
    return kind


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
