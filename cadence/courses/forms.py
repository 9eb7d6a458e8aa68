from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.core.forms import DateTimeLocalInput, TimeZoneField
from cadence.courses.models import Course, Group, Item, Membership, Module, Role


class CourseForm(forms.ModelForm[Course]):
    time_zone = TimeZoneField(label=_("Course time zone"), help_text=_("Used for course-wide dates such as the start."))

    class Meta:
        model = Course
        fields = [
            "title", "slug", "summary", "description", "starts_at", "ends_at", "time_zone",
            "pacing", "visibility", "enrolment",
        ]  # fmt: skip
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "slug": _("Letters, numbers and hyphens; used in the course's web address."),
            "description": _("Markdown: **bold**, _italic_, lists, links, tables."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class ModuleForm(forms.ModelForm[Module]):
    class Meta:
        model = Module
        fields = ["title", "summary", "is_published"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class ItemForm(forms.ModelForm[Item]):
    module = forms.ModelChoiceField(queryset=Module.objects.none(), label=_("Module"), empty_label=None)

    class Meta:
        model = Item
        fields = [
            "title", "kind", "module", "description", "is_published", "is_required",
            "completion_rule", "completion_threshold", "estimated_minutes", "due_at", "due_date", "due_after_days",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 10}),
            "due_at": DateTimeLocalInput(),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"description": _("Markdown. Shown at the top of the item.")}

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["module"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Module.objects.filter(course=course).order_by("position", "id")


class JoinCodeForm(forms.Form):
    code = forms.CharField(label=_("Enrolment code"), max_length=32)


class AddPersonForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    display_name = forms.CharField(label=_("Name (for new accounts)"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.LEARNER)


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: email, name, role, group. At most 1 MB."))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=100)


def _learner_label(membership: Membership) -> str:
    return f"{membership.user.display_name} <{membership.user.email}>"


class ExtensionForm(forms.Form):
    learner = forms.ModelChoiceField(label=_("A learner"), queryset=Membership.objects.none(), required=False)
    group = forms.ModelChoiceField(label=_("Or a group"), queryset=Group.objects.none(), required=False)
    due_at = forms.DateTimeField(
        label=_("New deadline"), widget=DateTimeLocalInput(), help_text=_("In your time zone.")
    )
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=300, required=False)

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        learner, group = self.fields["learner"], self.fields["group"]
        assert isinstance(learner, forms.ModelChoiceField) and isinstance(group, forms.ModelChoiceField)
        learner.queryset = (
            Membership.objects.filter(course=course, role=Role.LEARNER)
            .select_related("user")
            .order_by("user__display_name", "user__email")
        )
        learner.label_from_instance = _learner_label  # type: ignore[method-assign,assignment]
        group.queryset = Group.objects.filter(course=course).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("learner")) == bool(data.get("group")):
            raise forms.ValidationError(_("Choose either one learner or one group."))
        return data
