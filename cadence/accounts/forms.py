from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cadence.accounts.models import TokenAccess, User
from cadence.core.forms import TimeZoneField
from cadence.core.tasks import send_email
from cadence.courses.models import Course


class SignUpForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"), max_length=100, help_text=_("Shown to your teachers and classmates.")
    )
    email = forms.EmailField(label=_("Email address"), max_length=254)
    time_zone = TimeZoneField(
        guess_from_browser=True,
        label=_("Time zone"),
        initial="UTC",
        help_text=_("Deadlines and times are shown in this zone."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    code = forms.CharField(
        label=_("Enrolment code"),
        max_length=32,
        required=False,
        help_text=_("If your teacher gave you a code, enter it to join their course."),
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            candidate = User(email=data.get("email", ""), display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match an account. Both may be case-sensitive."),
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset email through the background queue, like every other email."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email(subject=subject, body=body, to=[to_email])


class ProfileForm(forms.ModelForm[User]):
    time_zone = TimeZoneField(label=_("Time zone"), help_text=_("Deadlines and times are shown in this zone."))

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "language", "birth_date"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What the token is for, e.g. “grade export script”.")
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (365, _("1 year"))],
        initial=90,
        help_text=_("A token stops working when it expires; make a new one then."),
    )
    access = forms.ChoiceField(
        label=_("Access"),
        choices=TokenAccess.choices,
        initial=TokenAccess.READ,
        widget=forms.RadioSelect,
        help_text=_("Read only is enough for reports and exports."),
    )
    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=Course.objects.none(),
        required=False,
        empty_label=_("All my courses"),
        help_text=_("Limit the token to one course, or leave it for all your courses."),
    )

    def __init__(self, *args: Any, courses: QuerySet[Course] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses  # type: ignore[attr-defined]  # a ModelChoiceField
