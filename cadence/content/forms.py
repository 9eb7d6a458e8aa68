from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cadence.content.models import ResourceKind
from cadence.content.services.checklists import MAX_STEP_CHARS, MAX_STEPS
from cadence.core.uploads import RESOURCE_FORMATS


def _mb(size: int) -> int:
    return size // (1024 * 1024)


class LessonForm(forms.Form):
    body = forms.CharField(
        label=_("Lesson text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
        help_text=_(
            "Markdown: # headings, **bold**, _italic_, - lists, 1. numbered lists, | tables |, `code`, "
            "```code blocks```, [links](https://…) and ![images](…) uploaded below."
        ),
    )


class ImageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Image"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("Describe the image for people who cannot see it"),
        max_length=300,
        help_text=_("Becomes the image's alternative text in the Markdown snippet."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PNG, JPEG, GIF or WebP, at most %(mb)s MB.") % {
            "mb": _mb(settings.CONTENT_IMAGE_MAX_BYTES)
        }


_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})$")


def parse_running_time(value: str) -> int | None:
    """ "7:30", "1:02:03" or a number of seconds → seconds; "" → None. Raises ValueError otherwise."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    match = _CLOCK.match(value)
    if match is None:
        raise ValueError(value)
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if seconds > 59 or (hours and minutes > 59):
        raise ValueError(value)
    return (hours * 60 + minutes) * 60 + seconds


def format_running_time(seconds: int | None) -> str:
    if not seconds:
        return ""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class VideoForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a video file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
    )
    external_url = forms.CharField(
        label=_("Or the video's address"),
        required=False,
        max_length=1000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("A direct link to an MP4 or WebM file starting with https:// (or http://)."),
    )
    duration = forms.CharField(
        label=_("Running time"),
        required=False,
        max_length=12,
        help_text=_("Minutes and seconds, such as 7:30. Filled in from the file when you preview it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("MP4 or WebM, at most %(mb)s MB. Replaces the current video.") % {
            "mb": _mb(settings.CONTENT_VIDEO_MAX_BYTES)
        }

    def clean_duration(self) -> int | None:
        try:
            return parse_running_time(self.cleaned_data.get("duration", ""))
        except ValueError:
            raise forms.ValidationError(_("Write the running time as minutes:seconds, such as 7:30.")) from None


class CaptionForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100, help_text=_("Shown in the player, such as “English”."))
    language = forms.CharField(
        label=_("Language code"),
        max_length=35,
        help_text=_("Such as en, fr or pt-BR. A new file replaces the old one."),
    )
    file = forms.FileField(
        label=_("WebVTT caption file (.vtt)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,text/vtt"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(kb)s KB, UTF-8, starting with WEBVTT.") % {
            "kb": settings.CONTENT_CAPTION_MAX_BYTES // 1024
        }


class StepForm(forms.Form):
    step_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Step"), required=False, max_length=MAX_STEP_CHARS)
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=1,
        max_value=MAX_STEPS + 10,
        widget=forms.NumberInput(attrs={"class": "narrow"}),
    )
    delete = forms.BooleanField(label=_("Delete"), required=False)


class BaseStepFormSet(forms.BaseFormSet[StepForm]):
    def kept_steps(self) -> list[tuple[int | None, str]]:
        """(id or None, text) of each step to keep, ordered by the positions typed in; blank new rows are left out.

        On a tie the row whose position was just typed goes first ("1" makes a step the first), then row order.
        """
        kept: list[tuple[int, int, int, int | None, str]] = []
        for row, form in enumerate(self.forms):
            data = form.cleaned_data
            if not data or data.get("delete"):
                continue
            step_id, text = data.get("step_id"), (data.get("text") or "").strip()
            if step_id is None and not text:
                continue
            position = data.get("position") or row + 1
            moved = 0 if "position" in form.changed_data and data.get("position") else 1
            kept.append((position, moved, row, step_id, text))
        return [(step_id, text) for *_order, step_id, text in sorted(kept, key=lambda k: k[:3])]


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=3, max_num=MAX_STEPS, validate_max=True, absolute_max=MAX_STEPS + 10
)


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What it is and when to use it. Markdown works; learners can search it."),
    )
    file = forms.FileField(label=_("Upload a file"), required=False)
    url = forms.CharField(
        label=_("Or the address of a web page"),
        required=False,
        max_length=1000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Starting with https:// (or http://)."),
    )
    kind = forms.ChoiceField(label=_("Type"), required=False)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=600,
        help_text=_("Separated by commas, such as “week 1, statistics”."),
    )
    is_published = forms.BooleanField(label=_("Visible to learners"), required=False, initial=True)

    def __init__(self, *args: Any, with_visibility: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [("", _("From the file (or Link for an address)")), *ResourceKind.choices]
        extensions = sorted({f.kind.extension for f in RESOURCE_FORMATS.values()})
        self.fields["file"].help_text = _("%(types)s; at most %(mb)s MB. Replaces the current file or address.") % {
            "types": ", ".join(extensions),
            "mb": _mb(settings.CONTENT_RESOURCE_MAX_BYTES),
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(extensions)
        if not with_visibility:  # a file or link item's resource follows the item's own visibility
            del self.fields["is_published"]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search the library"), required=False, max_length=100)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False)

    def __init__(self, *args: Any, tags: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tag_field, kind_field = self.fields["tag"], self.fields["kind"]
        assert isinstance(tag_field, forms.ChoiceField) and isinstance(kind_field, forms.ChoiceField)
        tag_field.choices = [("", _("Any tag")), *((t, t) for t in tags)]
        kind_field.choices = [("", _("Any type")), *ResourceKind.choices]


class CourseSearchForm(forms.Form):
    q = forms.CharField(label=_("Search this course"), required=False, max_length=200)
