from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.community.models import ForumKind
from cadence.community.services.common import BODY_MAX, REASON_MAX, TITLE_MAX
from cadence.courses.models import Group

BODY_HELP = _("Markdown. Mention a member with @[Their Name] or @TheirName. Quote with > at the start of a line.")


def fresh_key() -> str:
    return uuid.uuid4().hex


class ForumForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=ForumKind.choices, initial=ForumKind.DISCUSSION)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=forms.Textarea)
    post_first = forms.BooleanField(label=_("Q&A: learners post before seeing the others' replies"), required=False)
    group_separated = forms.BooleanField(label=_("Separate groups: learners see only their group's threads"),
                                         required=False)  # fmt: skip


class _Attachment(forms.Form):
    file = forms.FileField(
        label=_("Attach a file (optional)"),
        required=False,
        help_text=_("The same types and size as course library files."),
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ThreadForm(_Attachment):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea, help_text=BODY_HELP)
    group = forms.ModelChoiceField(queryset=Group.objects.none(), required=False, label=_("Group"))

    field_order = ["title", "body", "group", "file", "key"]

    def __init__(self, *args: Any, groups: list[Group] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups:
            self.fields["group"].queryset = Group.objects.filter(pk__in=[g.pk for g in groups])  # type: ignore[attr-defined]
        else:
            del self.fields["group"]


class ReplyForm(_Attachment):
    body = forms.CharField(label=_("Your reply"), max_length=BODY_MAX, widget=forms.Textarea, help_text=BODY_HELP)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["body", "file", "parent", "key"]


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, required=False)
    body = forms.CharField(label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea, help_text=BODY_HELP)

    def __init__(self, *args: Any, with_title: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_title:
            self.fields["title"].required = True
        else:
            del self.fields["title"]


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Why should the staff look at this post?"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
