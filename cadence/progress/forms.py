from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.accounts.models import User
from cadence.courses.models import Course, Group, Item, Module, Role
from cadence.progress.models import ReleaseRule, ZoneBasis


class ReleaseForm(forms.Form):
    after_item = forms.ModelChoiceField(
        queryset=Item.objects.none(), required=False, label=_("After completing the item"), empty_label=_("—")
    )
    after_module = forms.ModelChoiceField(
        queryset=Module.objects.none(), required=False, label=_("After completing the module"), empty_label=_("—")
    )
    open_date = forms.DateField(
        required=False, label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    open_time = forms.TimeField(
        required=False,
        label=_("At"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Midnight if left empty."),
    )
    zone_basis = forms.ChoiceField(choices=ZoneBasis.choices, initial=ZoneBasis.LEARNER, label=_("Time zone"))
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Only for these groups"),
        help_text=_("Leave all unticked to open it to every group."),
    )

    def __init__(
        self, *args: Any, course: Course, target: Item | Module, rule: ReleaseRule | None, **kwargs: Any
    ) -> None:
        if rule is not None:
            kwargs.setdefault(
                "initial",
                {
                    "after_item": rule.after_item_id,
                    "after_module": rule.after_module_id,
                    "open_date": rule.open_date,
                    "open_time": rule.open_time,
                    "zone_basis": rule.zone_basis,
                    "groups": [g.pk for g in rule.groups.all()],
                },
            )
        super().__init__(*args, **kwargs)
        items = (
            Item.objects.filter(course=course).select_related("module").order_by("module__position", "position", "id")
        )
        modules = Module.objects.filter(course=course).order_by("position", "id")
        if isinstance(target, Item):
            items = items.exclude(pk=target.pk)
            modules = modules.exclude(pk=target.module_id)
        else:
            items = items.exclude(module=target)
            modules = modules.exclude(pk=target.pk)
        self.fields["after_item"].queryset = items  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["after_module"].queryset = modules  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["groups"].queryset = Group.objects.filter(course=course)  # type: ignore[attr-defined]  # ModelMultipleChoiceField


class OverrideForm(forms.Form):
    learner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Open it now for"))

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        learners = User.objects.filter(memberships__course=course, memberships__role=Role.LEARNER).order_by(
            "display_name"
        )
        self.fields["learner"].queryset = learners  # type: ignore[attr-defined]  # ModelChoiceField


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Your note"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    quote = forms.CharField(
        label=_("Highlighted text"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Select text in the lesson to fill this in, or paste it."),
    )
    at = forms.CharField(
        label=_("Moment in the video"),
        max_length=10,
        required=False,
        help_text=_("For example 1:15. Filled in from the video's current time."),
    )
