from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.courses.models import Course


class FollowRequestForm(forms.Form):
    """An observer asks to follow a learner of one of the courses they observe in."""

    course = forms.TypedChoiceField(label=_("Course"), coerce=int)
    email = forms.EmailField(label=_("The learner's email address"), max_length=254)

    def __init__(self, *args: object, courses: Sequence[Course], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature is untyped
        self.courses = {c.pk: c for c in courses}
        self.fields["course"].choices = [(c.pk, c.title) for c in courses]  # type: ignore[attr-defined]  # a ChoiceField
