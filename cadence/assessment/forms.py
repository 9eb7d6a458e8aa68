from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.assessment.domain.checks import MAX_OPTIONS
from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType, Scoring
from cadence.assessment.models import QTYPE_CHOICES, Assignment, Concept, Question, QuestionCategory, Quiz, Rubric
from cadence.core.forms import DateTimeLocalInput
from cadence.courses.models import Course


class QuestionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False, help_text=_("For the bank's list only."))
    text = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        help_text=_("Markdown, with $math$ in LaTeX."),
    )
    points = forms.DecimalField(label=_("Points"), min_value=Decimal("0.01"), max_value=1000, decimal_places=2)
    category = forms.ChoiceField(label=_("Category"), required=False)
    new_category = forms.CharField(label=_("Or a new category"), max_length=100, required=False)
    concepts = forms.CharField(
        label=_("Concepts"),
        required=False,
        max_length=600,
        help_text=_("Separated by commas, such as “median, outliers”."),
    )
    general_feedback = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the feedback whatever the answer."),
    )
    # Type settings: only the ones for the question's type are shown.
    scoring = forms.ChoiceField(
        label=_("Scoring"),
        required=False,
        choices=[(Scoring.PARTIAL.value, _("Partial credit")), (Scoring.ALL_OR_NOTHING.value, _("All or nothing"))],
    )
    case_sensitive = forms.BooleanField(label=_("Letter case matters"), required=False)
    tolerance_relative = forms.BooleanField(
        label=_("Tolerances are shares of the answer"), required=False, help_text=_("0.05 then means within 5 %.")
    )
    statement_is = forms.ChoiceField(
        label=_("The statement is"), required=False, choices=[("true", _("True")), ("false", _("False"))]
    )
    feedback_true = forms.CharField(label=_("Feedback for “True”"), required=False, max_length=2000)
    feedback_false = forms.CharField(label=_("Feedback for “False”"), required=False, max_length=2000)

    FIELDS_BY_TYPE: dict[str, tuple[str, ...]] = {
        QuestionType.MULTIPLE: ("scoring",),
        QuestionType.MATCHING: ("scoring",),
        QuestionType.ORDERING: ("scoring",),
        QuestionType.SHORT: ("case_sensitive",),
        QuestionType.NUMERIC: ("tolerance_relative",),
        QuestionType.TRUE_FALSE: ("statement_is", "feedback_true", "feedback_false"),
    }
    TYPE_FIELDS = ("scoring", "case_sensitive", "tolerance_relative", "statement_is", "feedback_true", "feedback_false")

    def __init__(self, *args: Any, qtype: str, categories: list[QuestionCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.qtype = QuestionType(qtype)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", _("None")), *((c.name, c.name) for c in categories)]
        for name in self.TYPE_FIELDS:
            if name not in self.FIELDS_BY_TYPE.get(self.qtype, ()):
                del self.fields[name]

    def category_name(self) -> str:
        return str(self.cleaned_data.get("new_category", "")).strip() or str(self.cleaned_data.get("category", ""))


OPTION_HELP = {
    QuestionType.SINGLE: _("Give the right answer 100 %; a partly right one less; wrong ones 0 or less."),
    QuestionType.MULTIPLE: _("Right answers share 100 % between them; wrong ones take credit away (negative)."),
    QuestionType.SHORT: _("Each accepted answer with its credit. Tick “pattern” for a regular expression."),
    QuestionType.NUMERIC: _("Each accepted value with the error allowed and its credit."),
    QuestionType.MATCHING: _("Each item with the answer it matches; learners see the answers shuffled."),
    QuestionType.ORDERING: _("The items in the right order; learners see them shuffled."),
}


class OptionForm(forms.Form):
    text = forms.CharField(label=_("Answer"), required=False, max_length=2000)
    match = forms.CharField(label=_("Matches"), required=False, max_length=2000)
    credit = forms.DecimalField(
        label=_("Credit (%)"), required=False, min_value=-100, max_value=100, decimal_places=5, initial=0
    )
    tolerance = forms.DecimalField(label=_("± allowed"), required=False, min_value=0, decimal_places=10)
    is_regex = forms.BooleanField(label=_("Pattern"), required=False)
    feedback = forms.CharField(label=_("Feedback"), required=False, max_length=2000)


OptionFormSet = forms.formset_factory(
    OptionForm, extra=0, max_num=MAX_OPTIONS, validate_max=True, absolute_max=MAX_OPTIONS + 10
)

OPTION_FIELDS: dict[str, tuple[str, ...]] = {
    QuestionType.SINGLE: ("text", "credit", "feedback"),
    QuestionType.MULTIPLE: ("text", "credit", "feedback"),
    QuestionType.SHORT: ("text", "is_regex", "credit", "feedback"),
    QuestionType.NUMERIC: ("text", "tolerance", "credit", "feedback"),
    QuestionType.MATCHING: ("text", "match"),
    QuestionType.ORDERING: ("text",),
}


def has_options(qtype: str) -> bool:
    return qtype in OPTION_FIELDS


def definition_from_forms(form: QuestionForm, options: Any) -> QuestionDef:
    """Build the definition from valid forms. Blank option rows are left out."""
    data = form.cleaned_data
    qtype = form.qtype
    rows: list[Option] = []
    if qtype == QuestionType.TRUE_FALSE:
        true = data.get("statement_is", "true") == "true"
        rows = [
            Option("True", Decimal(1) if true else Decimal(0), data.get("feedback_true", "")),
            Option("False", Decimal(0) if true else Decimal(1), data.get("feedback_false", "")),
        ]
    elif has_options(qtype):
        for row in options.cleaned_data:
            text = (row.get("text") or "").strip()
            if not text:
                continue
            credit = row.get("credit")
            default = Decimal(1) if qtype in (QuestionType.MATCHING, QuestionType.ORDERING) else Decimal(0)
            rows.append(
                Option(
                    text=text,
                    fraction=(credit / 100) if credit is not None else default,
                    feedback=(row.get("feedback") or "").strip(),
                    match=(row.get("match") or "").strip(),
                    tolerance=row.get("tolerance") or Decimal(0),
                    is_regex=bool(row.get("is_regex")),
                )
            )
    concepts = tuple(c.strip() for c in data.get("concepts", "").split(",") if c.strip())
    return QuestionDef(
        qtype=qtype,
        text=data["text"].replace("\r\n", "\n").strip(),
        options=tuple(rows),
        title=data.get("title", "").strip(),
        points=data["points"],
        general_feedback=data.get("general_feedback", "").replace("\r\n", "\n").strip(),
        case_sensitive=bool(data.get("case_sensitive")),
        tolerance_relative=bool(data.get("tolerance_relative")),
        scoring=Scoring(data.get("scoring") or Scoring.PARTIAL),
        category=form.category_name(),
        tags=concepts,
    )


def initial_from_definition(definition: QuestionDef) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    initial: dict[str, Any] = {
        "title": definition.title,
        "text": definition.text,
        "points": definition.points,
        "category": definition.category,
        "concepts": ", ".join(definition.tags),
        "general_feedback": definition.general_feedback,
        "scoring": definition.scoring.value,
        "case_sensitive": definition.case_sensitive,
        "tolerance_relative": definition.tolerance_relative,
    }
    if definition.qtype == QuestionType.TRUE_FALSE and len(definition.options) == 2:
        true, false = definition.options
        initial |= {
            "statement_is": "true" if true.fraction == 1 else "false",
            "feedback_true": true.feedback,
            "feedback_false": false.feedback,
        }
    rows = [
        {
            "text": o.text,
            "match": o.match,
            "credit": (o.fraction * 100).normalize(),
            "tolerance": o.tolerance.normalize() if o.tolerance else None,
            "is_regex": o.is_regex,
            "feedback": o.feedback,
        }
        for o in definition.options
    ]
    return initial, rows


class GiftImportForm(forms.Form):
    file = forms.FileField(label=_("GIFT file (.txt or .gift)"), required=False)
    text = forms.CharField(
        label=_("Or paste GIFT text"), required=False, widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"})
    )


class BankFilterForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    concept = forms.ChoiceField(label=_("Concept"), required=False)
    qtype = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any type")), *QTYPE_CHOICES])
    archived = forms.BooleanField(label=_("Show archived questions"), required=False)

    def __init__(self, *args: Any, categories: list[tuple[int, str]], concepts: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category, concept = self.fields["category"], self.fields["concept"]
        assert isinstance(category, forms.ChoiceField) and isinstance(concept, forms.ChoiceField)
        category.choices = [("", _("Any category")), *((str(pk), name) for pk, name in categories)]
        concept.choices = [("", _("Any concept")), *((c, c) for c in concepts)]


class QuizSettingsForm(forms.ModelForm[Quiz]):
    class Meta:
        model = Quiz
        fields = [
            "attempts_allowed", "grading_method", "time_limit_minutes", "opens_at", "closes_at",
            "shuffle_questions", "shuffle_options", "feedback_timing", "show_right_answers", "grace_seconds",
        ]  # fmt: skip
        widgets = {"opens_at": DateTimeLocalInput(), "closes_at": DateTimeLocalInput()}
        help_texts = {
            "opens_at": _("In your time zone. Leave empty to open at once."),
            "closes_at": _("In your time zone. Attempts still open then end at this time."),
            "feedback_timing": _("“After the due date” uses the item's due date (or the closing time)."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The quiz must close after it opens."))
        return data


class SlotForm(forms.Form):
    question = forms.ModelChoiceField(
        label=_("A question from the bank"), queryset=Question.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Or draw at random from a category"), queryset=QuestionCategory.objects.none(), required=False
    )
    concept = forms.ModelChoiceField(label=_("and/or a concept"), queryset=Concept.objects.none(), required=False)
    draw = forms.IntegerField(label=_("How many to draw"), min_value=1, max_value=50, initial=1, required=False)

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("question", Question.objects.filter(course=course, is_archived=False).order_by("title", "id")),
            ("category", QuestionCategory.objects.filter(course=course).order_by("name")),
            ("concept", Concept.objects.filter(course=course).order_by("name")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("question") or data.get("category") or data.get("concept")):
            raise forms.ValidationError(_("Choose a question, or a category or concept to draw from."))
        return data


class AssignmentSettingsForm(forms.ModelForm[Assignment]):
    class Meta:
        model = Assignment
        fields = [
            "instructions", "accept_text", "accept_files", "accept_url", "max_files", "max_file_mb", "opens_at",
            "closes_at", "late_policy", "penalty_percent_per_day", "allow_resubmission", "max_points",
            "grade_release", "rubric",
        ]  # fmt: skip
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 10}),
            "opens_at": DateTimeLocalInput(),
            "closes_at": DateTimeLocalInput(),
        }
        help_texts = {
            "instructions": _(
                "Markdown. The due date is in the item's settings: a moment, a day in each learner's zone, "
                "or days after joining."
            ),
            "opens_at": _("In your time zone. Leave empty to open at once."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rubric = self.fields["rubric"]
        assert isinstance(rubric, forms.ModelChoiceField)
        rubric.queryset = Rubric.objects.filter(course_id=self.instance.item.course_id).order_by("title")
        rubric.help_text = _(
            "Grade with a rubric of the course (Grading → Rubrics), or leave empty to grade by points."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("accept_text") or data.get("accept_files") or data.get("accept_url")):
            raise forms.ValidationError(_("Accept at least one kind of submission: text, files or a web address."))
        return data
