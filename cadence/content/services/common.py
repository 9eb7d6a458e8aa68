"""What every content service shares: the policy check, the kind check, field-aware errors, file clean-up."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core.errors import FieldError, InvalidInput
from cadence.courses.models import Item, ItemKind

_url_validator = URLValidator(schemes=["http", "https"])
MAX_URL_CHARS = 1000


def check_web_address(url: str, *, field: str, what: str) -> str:
    """An http(s) address, stripped; anything else (javascript:, data:, file:, no scheme) is refused."""
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else _("no scheme")
        raise FieldError(
            _("Only http:// and https:// addresses can be used for %(what)s (this one has %(scheme)s).")
            % {"what": what, "scheme": shown},
            field=field,
        )
    if len(url) > MAX_URL_CHARS:
        raise FieldError(
            _("The address is too long (at most %(max)s characters).") % {"max": MAX_URL_CHARS}, field=field
        )
    try:
        _url_validator(url)
    except ValidationError as exc:
        raise FieldError(_("“%(url)s” is not a valid web address.") % {"url": url[:100]}, field=field) from exc
    return url


def require_editable(actor: User, item: Item, kind: ItemKind) -> None:
    policy.require(actor, "edit", item)
    require_kind(item, kind)


def require_kind(item: Item, kind: ItemKind) -> None:
    if item.kind != kind:
        raise InvalidInput(_("“%(title)s” is not a %(kind)s item.") % {"title": item.title, "kind": kind.label.lower()})
