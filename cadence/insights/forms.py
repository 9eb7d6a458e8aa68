"""Forms of the learners table (filters, read from GET), the risk settings page and the readiness page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cadence.courses.models import Group, Module
from cadence.insights.domain import readiness, risk
from cadence.insights.models import PaceChoice, RiskLevel
from cadence.insights.selectors.learners import TableFilter
from cadence.insights.services import PLANNED_WEEKS_MAX
from cadence.messaging.services import BODY_MAX

MAX_INACTIVE_DAYS = 3650


class TableFilterForm(forms.Form):
    """GET filters. A value that does not parse is reported next to its field and left out; the rest apply."""

    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none(), required=False)
    pace = forms.ChoiceField(label=_("Pace"), choices=[("", _("Any pace")), *PaceChoice.choices], required=False)
    risk = forms.ChoiceField(label=_("Risk"), choices=[("", _("Any risk")), *RiskLevel.choices], required=False)
    inactive = forms.IntegerField(
        label=_("Inactive for at least (days)"), min_value=0, max_value=MAX_INACTIVE_DAYS, required=False
    )
    not_started = forms.ModelChoiceField(label=_("Not started module"), queryset=Module.objects.none(), required=False)

    def __init__(self, *args: Any, groups: QuerySet[Group], modules: QuerySet[Module], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group"]
        module_field = self.fields["not_started"]
        assert isinstance(group_field, forms.ModelChoiceField)
        assert isinstance(module_field, forms.ModelChoiceField)
        group_field.queryset = groups
        group_field.empty_label = str(_("Any group"))
        module_field.queryset = modules
        module_field.empty_label = str(_("Any module"))

    def table_filter(self) -> TableFilter:
        """The filter from the fields that parsed (call after `is_valid()`)."""
        data = getattr(self, "cleaned_data", {})
        return TableFilter(
            group=data.get("group"),
            pace=data.get("pace") or "",
            risk=data.get("risk") or "",
            inactive_days=data.get("inactive"),
            not_started=data.get("not_started"),
        )


class RiskSettingsForm(forms.Form):
    """One weight and one threshold per indicator, the two level boundaries and the planned duration.

    The form only checks that each value is a whole number; the ranges are the domain's
    (`risk.settings_errors`), checked again by the service, so the page and the service agree."""

    medium_at = forms.IntegerField(label=_("Medium risk from score"))
    high_at = forms.IntegerField(label=_("High risk from score"))
    planned_weeks = forms.IntegerField(
        label=_("Planned duration (weeks)"),
        required=False,
        help_text=_("Self-paced courses: the pace expected from each learner's join date. Empty: deadlines only."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for indicator in risk.Indicator:
            bounds = risk.THRESHOLD_BOUNDS[indicator]
            self.fields[f"weight_{indicator.value}"] = forms.IntegerField(
                label=_("Weight: %(name)s") % {"name": INDICATOR_NAMES[indicator]},
                help_text=_("%(low)s to %(high)s; 0 turns it off.")
                % {"low": risk.WEIGHT_BOUNDS.low, "high": risk.WEIGHT_BOUNDS.high},
            )
            self.fields[f"threshold_{indicator.value}"] = forms.IntegerField(
                label=_("Threshold: %(name)s") % {"name": INDICATOR_NAMES[indicator]},
                help_text=_("%(low)s to %(high)s %(unit)s.")
                % {"low": bounds.low, "high": bounds.high, "unit": bounds.unit},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        for name, message in risk.settings_errors(self.rules(data)).items():
            self.add_error(name, message)
        weeks = data.get("planned_weeks")
        if weeks is not None and not 1 <= weeks <= PLANNED_WEEKS_MAX:
            self.add_error("planned_weeks", _("Must be between 1 and %(n)s weeks.") % {"n": PLANNED_WEEKS_MAX})
        return data

    @staticmethod
    def rules(data: dict[str, Any]) -> risk.RiskSettings:
        return risk.RiskSettings(
            weights={i: int(data[f"weight_{i.value}"]) for i in risk.Indicator},
            thresholds={i: int(data[f"threshold_{i.value}"]) for i in risk.Indicator},
            medium_at=int(data["medium_at"]),
            high_at=int(data["high_at"]),
        )

    @staticmethod
    def initial_for(rules: risk.RiskSettings, planned_weeks: int | None) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "medium_at": rules.medium_at,
            "high_at": rules.high_at,
            "planned_weeks": planned_weeks,
        }
        for indicator in risk.Indicator:
            initial[f"weight_{indicator.value}"] = rules.weights[indicator]
            initial[f"threshold_{indicator.value}"] = rules.thresholds[indicator]
        return initial


INDICATOR_NAMES = {
    risk.Indicator.INACTIVE: _("days without activity"),
    risk.Indicator.OVERDUE: _("items overdue"),
    risk.Indicator.BEHIND: _("weeks behind pace"),
    risk.Indicator.FALLING: _("fall in recent scores (percentage points)"),
    risk.Indicator.QUIET: _("never posted or asked (days in the course)"),
    risk.Indicator.LAST_MINUTE: _("latest submissions all in the final hour (how many)"),
    risk.Indicator.LESS_TIME: _("less time studied in the latest week than in the busiest of the two before (percent)"),
    risk.Indicator.FEWER_DAYS: _("fewer days active in the latest week than in the busiest of the two before"),
}


class ReadinessForm(forms.Form):
    """The readiness page's choice (GET), carried again by its check-in form (POST)."""

    module = forms.ModelChoiceField(label=_("Module"), queryset=Module.objects.none())
    date = forms.DateField(
        label=_("Session date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The pre-work counts if it is done by the end of this day, in each learner's own time zone."),
    )
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("Everyone")), *((s.value, label) for s, label in readiness.STATUS_LABELS.items())],
        required=False,
    )

    def __init__(self, *args: Any, modules: QuerySet[Module], groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        module_field, group_field = self.fields["module"], self.fields["group"]
        assert isinstance(module_field, forms.ModelChoiceField)
        assert isinstance(group_field, forms.ModelChoiceField)
        module_field.queryset = modules
        module_field.empty_label = None
        group_field.queryset = groups
        group_field.empty_label = str(_("Every group"))


class ReadinessCheckInForm(forms.Form):
    """One editable message per learner who is not ready (`body_<user id>`), and the ids they were shown for."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    learners = forms.CharField(widget=forms.HiddenInput, max_length=2000, required=False)

    def __init__(self, *args: Any, learners: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for user_id, name in learners:
            self.fields[f"body_{user_id}"] = forms.CharField(
                label=_("Message to %(name)s") % {"name": name},
                max_length=BODY_MAX,
                widget=forms.Textarea(attrs={"rows": 6}),
            )

    def body_for(self, user_id: int) -> str:
        return str(self.cleaned_data[f"body_{user_id}"])
