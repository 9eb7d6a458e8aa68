"""Template helpers loaded everywhere (settings.TEMPLATES builtins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cadence import policy
from cadence.core.markdown import render_markdown
from cadence.core.moments import format_moment

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source: str) -> SafeString:
    return render_markdown(source)


@register.simple_tag
def when(value: datetime | None, fmt: str = "DATETIME_FORMAT") -> str:
    """A <time> element in the viewer's zone, always naming the zone so it is never ambiguous."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    zone = timezone.get_current_timezone_name()
    return format_html('<time datetime="{}">{} ({})</time>', local.isoformat(), formats.date_format(local, fmt), zone)


@register.simple_tag
def can(user: Any, action: str, obj: Any) -> bool:
    """`{% can "edit" course as may_edit %}`: ask the one permission policy from a template."""
    return policy.can(user, action, obj)


@register.simple_tag
def now_local() -> str:
    return when(timezone.now())


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ mapping|get_item:key }}`; nothing when there is no mapping (a missing context variable)."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def lock_for(availability: Any, item: Any) -> Any:
    """`{{ availability|lock_for:item }}`: the release lock on an item for the viewer, if any."""
    return availability.lock_for(item) if availability is not None else None


@register.filter
def moment(seconds: int | None) -> str:
    """75 → "1:15": a moment in a video."""
    return "" if seconds is None else format_moment(seconds)


@register.filter
def field(form: Any, name: str) -> Any:
    """`{{ form|field:name }}`: a form's bound field chosen by a name held in a variable."""
    return form[name]
