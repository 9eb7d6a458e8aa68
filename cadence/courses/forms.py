from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.core.forms import DateTimeLocalInput, TimeZoneField, WallClockDateTimeField
from cadence.courses.domain import accommodations
from cadence.courses.domain.deadlines import MAX_EXTENSION_DAYS, at_wall_time
from cadence.courses.models import Course, ExtensionKind, Group, Item, Membership, Module, Role
from cadence.courses.services import AccommodationInput, ExtensionInput
from cadence.courses.services.accommodations import out_of_range_message


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
    """An extension for one learner or one group: a moment in a zone the teacher names, the end of a day in
    the learner's own zone, or days added to the learner's own deadline. Only the kind's field is read."""

    learner = forms.ModelChoiceField(label=_("A learner"), queryset=Membership.objects.none(), required=False)
    group = forms.ModelChoiceField(label=_("Or a group"), queryset=Group.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("New deadline"), choices=ExtensionKind.choices, initial=ExtensionKind.DAYS, widget=forms.RadioSelect
    )
    days = forms.IntegerField(
        label=_("Days added to the learner's own deadline"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        required=False,
        help_text=_("Same time of day in the learner's zone, also across a change to or from summer time."),
    )
    due_date = forms.DateField(
        label=_("Day whose end (23:59:59 in the learner's own zone) is the new deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_at = WallClockDateTimeField(label=_("Date and time"), required=False)
    time_zone = TimeZoneField(
        label=_("Time zone of that date and time"),
        required=False,
        help_text=_("The same instant for the learner, shown to them in their own zone."),
    )
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=300, required=False)

    def __init__(self, *args: Any, course: Course, viewer_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        learner, group = self.fields["learner"], self.fields["group"]
        assert isinstance(learner, forms.ModelChoiceField) and isinstance(group, forms.ModelChoiceField)
        learner.queryset = (
            Membership.objects.filter(course=course, role=Role.LEARNER)
            .select_related("user")
            .order_by("user__display_name", "user__email")
        )
        learner.label_from_instance = _learner_with_zone  # type: ignore[method-assign,assignment]
        group.queryset = Group.objects.filter(course=course).order_by("name")
        self.fields["time_zone"].initial = viewer_zone or "UTC"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("learner")) == bool(data.get("group")):
            raise forms.ValidationError(_("Choose either one learner or one group."))
        kind = data.get("kind")
        needs = {ExtensionKind.DAYS: "days", ExtensionKind.END_OF_DAY: "due_date", ExtensionKind.MOMENT: "due_at"}
        field = needs.get(kind) if kind else None
        if field and data.get(field) is None and field not in self.errors:
            self.add_error(field, _("This is needed for the kind of deadline chosen."))
        if kind == ExtensionKind.MOMENT and not data.get("time_zone") and "time_zone" not in self.errors:
            self.add_error("time_zone", _("Say which time zone that date and time is in."))
        return data

    def extension_input(self) -> ExtensionInput:
        """What was asked, as the service takes it (the moment placed in the zone the teacher named)."""
        data = self.cleaned_data
        kind = data["kind"]
        if kind == ExtensionKind.MOMENT:
            zone = data["time_zone"]
            return ExtensionInput(kind=kind, due_at=at_wall_time(data["due_at"], zone), time_zone=zone)
        if kind == ExtensionKind.END_OF_DAY:
            return ExtensionInput(kind=kind, due_date=data["due_date"])
        return ExtensionInput(kind=kind, days=data["days"])


def _learner_with_zone(membership: Membership) -> str:
    return f"{_learner_label(membership)} · {membership.user.time_zone}"


class AccommodationForm(forms.Form):
    """An accommodation for one learner or one group; the ranges are the domain's and refused clearly."""

    learner = forms.ModelChoiceField(label=_("A learner"), queryset=Membership.objects.none(), required=False)
    group = forms.ModelChoiceField(label=_("Or a group"), queryset=Group.objects.none(), required=False)
    time_multiplier = forms.DecimalField(
        label=_("Time on timed quizzes ×"),
        initial=Decimal("1.00"),
        min_value=accommodations.MIN_MULTIPLIER,
        max_value=accommodations.MAX_MULTIPLIER,
        max_digits=3,
        decimal_places=2,
        help_text=_("For example 1.5 for half as much time again; 1 leaves the time as it is."),
    )
    extra_attempts = forms.IntegerField(
        label=_("Extra quiz attempts"), initial=0, min_value=0, max_value=accommodations.MAX_EXTRA_ATTEMPTS,
        help_text=_("Added on quizzes that limit attempts."),
    )  # fmt: skip
    extension_days = forms.IntegerField(
        label=_("Days added to every deadline"), initial=0, min_value=0, max_value=accommodations.MAX_EXTENSION_DAYS,
        help_text=_("Same time of day in the learner's zone; on top of any extension."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note for staff"), max_length=300, required=False)

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
        for name in ("time_multiplier", "extra_attempts", "extension_days"):
            message = out_of_range_message(name)
            self.fields[name].error_messages |= {"min_value": message, "max_value": message}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("learner")) == bool(data.get("group")):
            raise forms.ValidationError(_("Choose either one learner or one group."))
        return data

    def accommodation_input(self) -> AccommodationInput:
        data = self.cleaned_data
        return AccommodationInput(
            time_multiplier=data["time_multiplier"],
            extra_attempts=data["extra_attempts"],
            extension_days=data["extension_days"],
            note=data.get("note", ""),
        )
