"""Forms for the pages; each carries a hidden idempotency key so a resubmitted form sends once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cadence.accounts.models import User
from cadence.messaging.services import BODY_MAX, MAX_RECIPIENTS, SUBJECT_MAX, new_key

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

MARKDOWN_HELP = _("Markdown works: *emphasis*, **bold**, lists, `code` and links.")


class KeyedForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", new_key())


def _body_field(label: StrOrPromise, rows: int = 8) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": rows}), help_text=MARKDOWN_HELP
    )


class AskForm(KeyedForm):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = _body_field(_("Your question"))


class ReplyForm(KeyedForm):
    body = _body_field(_("Your reply"), rows=5)


class CheckInForm(KeyedForm):
    body = _body_field(_("Message"), rows=5)


class CheckInManyForm(CheckInForm):
    """The same check-in to several learners; `learners` carries their ids (comma-separated)."""

    learners = forms.CharField(widget=forms.HiddenInput, max_length=200_000)


def _display_name(user: User) -> str:
    return user.display_name


class DirectForm(KeyedForm):
    to = forms.ModelMultipleChoiceField(
        label=_("To"),
        queryset=User.objects.none(),
        help_text=_("Choose up to %(n)s people. Hold Ctrl (or ⌘) to choose more than one.") % {"n": MAX_RECIPIENTS},
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX, required=False)
    body = _body_field(_("Message"), rows=6)

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_people(people)

    def set_people(self, people: QuerySet[User]) -> None:
        field = self.fields["to"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = people
        field.label_from_instance = _display_name  # type: ignore[method-assign,assignment]


class SettingsForm(forms.Form):
    learners_may_message_learners = forms.BooleanField(
        label=_("Learners may message each other"),
        required=False,
        help_text=_("Learners may always message the course's teachers and teaching assistants."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("open", _("Open")), ("answered", _("Answered")), ("closed", _("Closed"))])
