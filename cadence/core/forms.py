"""Form fields and widgets every app's forms share (no domain here)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils import timezone

from cadence.core.timezones import time_zone_choices, validate_time_zone


class DateTimeLocalInput(forms.DateTimeInput):
    """A native date-and-time picker; values are read in the viewer's time zone."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TimeZoneField(forms.ChoiceField):
    """A select of IANA zones; site.js preselects the browser's zone on sign-up."""

    def __init__(self, *, guess_from_browser: bool = False, **kwargs: Any) -> None:
        super().__init__(choices=time_zone_choices, validators=[validate_time_zone], **kwargs)
        if guess_from_browser:
            self.widget.attrs["data-browser-time-zone"] = "true"

    def validate(self, value: Any) -> None:
        # The validator gives a clearer message than "Select a valid choice".
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a zone (naive): the form names the zone it is in, so it is read
    there rather than in the viewer's zone (where the time might not even exist)."""

    widget = DateTimeLocalInput

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(UTC):  # UTC skips no hour: nothing typed is refused for the viewer's zone
            result = super().to_python(value)
        return None if result is None else result.replace(tzinfo=None)


def chosen_ids(values: Iterable[str], *, limit: int) -> list[int]:
    """Row ids posted by a list page: ticked boxes and comma-separated lists ("all matching the filter"), sorted
    and at most `limit`. Anything that is not an id is ignored."""
    parts = (part.strip() for value in values for part in value.split(","))
    return sorted({int(p) for p in parts if p.isdigit() and len(p) < 19})[:limit]
