from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.notifications.models import Kind, Timing, Weekday

_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PreferencesForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("Send me email"), required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"), required=False, widget=_TIME,
        help_text=_("No email between these times, in your time zone. Leave both empty for none."),
    )  # fmt: skip
    quiet_end = forms.TimeField(label=_("Quiet hours end"), required=False, widget=_TIME)
    digest_time = forms.TimeField(
        label=_("Digest time"), widget=_TIME, help_text=_("When daily and weekly digests arrive.")
    )
    weekly_day = forms.TypedChoiceField(label=_("Weekly digest day"), choices=Weekday.choices, coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(label=kind.label, choices=Timing.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise forms.ValidationError(_("Give both the start and the end of quiet hours, or neither."))
        return data

    def timings(self) -> dict[str, str]:
        return {kind.value: self.cleaned_data[f"kind_{kind.value}"] for kind in Kind}

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[f"kind_{kind.value}"] for kind in Kind]
