from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.privacy.services import REASON_MAX


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you want to leave? (optional)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the site administrators read this."),
    )
    understood = forms.BooleanField(
        label=_("I understand that my account will be deleted and I will not be able to sign in again."),
        required=True,
    )


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=_("Why is the request declined?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person is told this."),
    )


class ConfirmDeletionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Erase this account now. This cannot be undone."),
        required=True,
    )
