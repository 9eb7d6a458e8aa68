"""Forms of the check-in pages: a template, the composer for chosen learners, an automated rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cadence.core.errors import InvalidInput
from cadence.courses.models import Module
from cadence.insights.domain import check_ins
from cadence.insights.models import RiskLevel, Trigger
from cadence.insights.selectors.checkins import TemplateChoice
from cadence.insights.services_checkins import BODY_MAX, TITLE_MAX, RuleInput, check_body
from cadence.messaging.services import new_key

PLACEHOLDER_HELP = _("Markdown works. Placeholders are filled from each learner's data; see the list beside the form.")


def _checked_body(value: str) -> str:
    try:
        check_body(value)
    except InvalidInput as exc:
        raise forms.ValidationError(exc.message) from exc
    return value


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}), help_text=PLACEHOLDER_HELP
    )

    def clean_body(self) -> str:
        return _checked_body(self.cleaned_data["body"])


class ComposeForm(forms.Form):
    """The check-in to chosen learners: a template to start from (or none), the text, and the learners' ids."""

    learners = forms.CharField(widget=forms.HiddenInput, max_length=200_000)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    template = forms.ChoiceField(label=_("Start from a template"), required=False)
    body = forms.CharField(
        label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}), help_text=PLACEHOLDER_HELP
    )

    def __init__(self, *args: Any, templates: Sequence[TemplateChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("None: I write my own")), *((t.key, t.title) for t in templates)]
        if not self.is_bound:
            self.initial.setdefault("key", new_key())

    def clean_body(self) -> str:
        return _checked_body(self.cleaned_data["body"])


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=TITLE_MAX)
    trigger = forms.ChoiceField(label=_("When"), choices=Trigger.choices)
    days = forms.IntegerField(
        label=_("Days"),
        required=False,
        min_value=1,
        max_value=check_ins.DAYS_MAX,
        help_text=_("For inactivity, an overdue item and a module not started (days since joining)."),
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"),
        required=False,
        choices=[("", _("Not used")), *((v, label) for v, label in RiskLevel.choices if v in check_ins.RISK_LEVELS)],
        help_text=_("For the risk trigger: this level or higher."),
    )
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.none(), required=False, help_text=_("For “not started a module”.")
    )
    template_key = forms.ChoiceField(label=_("Template"))
    period_days = forms.IntegerField(
        label=_("Reach each learner at most once every (days)"), min_value=1, max_value=check_ins.PERIOD_MAX
    )
    confirm_over = forms.IntegerField(
        label=_("Ask me to confirm when it would reach more than this many learners at once"),
        min_value=0,
        max_value=check_ins.CONFIRM_MAX,
    )
    enabled = forms.BooleanField(label=_("On"), required=False)

    def __init__(
        self, *args: Any, templates: Sequence[TemplateChoice], modules: QuerySet[Module], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        template_field = self.fields["template_key"]
        module_field = self.fields["module"]
        assert isinstance(template_field, forms.ChoiceField)
        assert isinstance(module_field, forms.ModelChoiceField)
        template_field.choices = [(t.key, t.title) for t in templates]
        module_field.queryset = modules
        module_field.empty_label = str(_("Not used"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        for name, message in check_ins.rule_errors(self.spec(data)).items():
            self.add_error(name, message)
        return data

    @staticmethod
    def spec(data: dict[str, Any]) -> check_ins.RuleSpec:
        module = data.get("module")
        return check_ins.RuleSpec(
            trigger=data["trigger"],
            days=data.get("days"),
            risk_level=data.get("risk_level") or "",
            module_id=module.pk if module is not None else None,
            period_days=data["period_days"],
            confirm_over=data["confirm_over"],
        )

    def rule_input(self) -> RuleInput:
        data = self.cleaned_data
        return RuleInput(
            name=data["name"], spec=self.spec(data), template_key=data["template_key"], enabled=data["enabled"]
        )
