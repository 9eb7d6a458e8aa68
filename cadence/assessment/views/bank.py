"""The question bank pages: list and filter, add and edit each type, preview and check, archive, GIFT and CSV."""

from __future__ import annotations

import random
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, signed_in
from cadence.assessment import selectors
from cadence.assessment.domain import gift, question_views
from cadence.assessment.domain.definitions import QuestionType
from cadence.assessment.forms import (
    OPTION_FIELDS,
    OPTION_HELP,
    BankFilterForm,
    GiftImportForm,
    OptionFormSet,
    QuestionForm,
    definition_from_forms,
    has_options,
    initial_from_definition,
)
from cadence.assessment.models import QTYPE_CHOICES, Question
from cadence.assessment.services import bank as bank_services
from cadence.assessment.services.bank import QuestionInputError
from cadence.core.csv_export import csv_response
from cadence.courses.models import Course

GIFT_MAX_BYTES = 2 * 1024 * 1024
EXTRA_OPTION_ROWS = 3


def _bank_url(course: Course) -> str:
    return reverse("assessment:bank", args=[course.slug])


def _staff_course(request: HttpRequest, slug: str) -> Course:
    """Teachers and TAs see the bank (course "preview" is the staff's right); learners get 403."""
    return get_course(request, slug, "preview")


def _question(request: HttpRequest, course: Course, question_id: int, action: str) -> Question:
    question = selectors.question_in_course(course, question_id)
    if question is None:
        raise Http404
    if not policy.can(request.user, action, question):
        raise PermissionDenied
    return question


@require_GET
def bank(request: HttpRequest, slug: str) -> HttpResponse:
    course = _staff_course(request, slug)
    categories = selectors.categories(course)
    form = BankFilterForm(
        request.GET or None,
        categories=[(c.pk, c.name) for c in categories],
        concepts=[c.name for c in selectors.concepts(course)],
    )
    data = form.cleaned_data if form.is_valid() else {}
    bank_filter = selectors.BankFilter(
        query=data.get("q", ""),
        category_id=int(data["category"]) if data.get("category") else None,
        concept=data.get("concept", ""),
        qtype=data.get("qtype", ""),
        archived=bool(data.get("archived")),
    )
    questions = list(selectors.bank_questions(course, bank_filter)[:500])
    return render(
        request,
        "assessment/bank.html",
        {
            "course": course,
            "form": form,
            "questions": questions,
            "qtypes": QTYPE_CHOICES,
            "may_edit": policy.can(request.user, "edit", course),
            "query_string": request.GET.urlencode(),
        },
    )


def _editor(
    request: HttpRequest,
    course: Course,
    *,
    qtype: str,
    form: QuestionForm,
    options: Any,
    question: Question | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "assessment/question_form.html",
        {
            "course": course,
            "form": form,
            "options": options if has_options(qtype) else None,
            "option_fields": OPTION_FIELDS.get(qtype, ()),
            "option_help": OPTION_HELP.get(QuestionType(qtype), ""),
            "qtype": qtype,
            "qtype_label": dict(QTYPE_CHOICES)[qtype],
            "question": question,
        },
        status=status,
    )


def _save(
    request: HttpRequest, course: Course, qtype: str, question: Question | None
) -> tuple[QuestionForm, Any, Question | None]:
    categories = selectors.categories(course)
    form = QuestionForm(request.POST, qtype=qtype, categories=categories)
    options = OptionFormSet(request.POST, prefix="options")
    options_ok = options.is_valid() if has_options(qtype) else True
    if not (form.is_valid() and options_ok):
        return form, options, None
    definition = definition_from_forms(form, options)
    try:
        saved = bank_services.save_question(
            actor=signed_in(request), course=course, definition=definition, question=question
        )
    except QuestionInputError as exc:
        for problem in exc.problems:
            form.add_error(None, problem)
        return form, options, None
    return form, options, saved


def question_create(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "edit")
    qtype = request.GET.get("type", "")
    if qtype not in dict(QTYPE_CHOICES):
        return render(request, "assessment/question_type.html", {"course": course, "qtypes": QTYPE_CHOICES})
    if request.method != "POST":
        form = QuestionForm(
            initial={"points": 1, "scoring": "partial"}, qtype=qtype, categories=selectors.categories(course)
        )
        rows = 2 if qtype != QuestionType.MATCHING else 3
        options = OptionFormSet(prefix="options", initial=[{} for _ in range(rows + EXTRA_OPTION_ROWS)])
        return _editor(request, course, qtype=qtype, form=form, options=options, question=None)
    form, options, saved = _save(request, course, qtype, None)
    if saved is None:
        return _editor(request, course, qtype=qtype, form=form, options=options, question=None, status=400)
    messages.success(request, _("The question is in the bank."))
    return redirect(reverse("assessment:question-preview", args=[course.slug, saved.pk]))


def question_edit(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    question = _question(request, course, question_id, "edit")
    qtype = question.qtype
    if request.method != "POST":
        initial, rows = initial_from_definition(question.as_def())
        form = QuestionForm(initial=initial, qtype=qtype, categories=selectors.categories(course))
        options = OptionFormSet(prefix="options", initial=rows + [{} for _ in range(EXTRA_OPTION_ROWS)])
        return _editor(request, course, qtype=qtype, form=form, options=options, question=question)
    form, options, saved = _save(request, course, qtype, question)
    if saved is None:
        return _editor(request, course, qtype=qtype, form=form, options=options, question=question, status=400)
    messages.success(request, _("The question has been saved (version %(n)s).") % {"n": saved.version})
    return redirect(reverse("assessment:question-preview", args=[course.slug, saved.pk]))


def question_preview(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    """The question as a learner sees it; "Check" grades an answer and shows what feedback they would get."""
    course = get_course(request, slug, "view")
    question = _question(request, course, question_id, "view")
    definition = question.as_def()
    order = question_views.shown_order(definition, shuffle=False, rng=random.Random(question.pk))  # noqa: S311 - a stable order for previews
    response: dict[str, Any] | None = None
    reveal = None
    if request.method == "POST":
        response = question_views.response_from_form(definition, order, request.POST, "q")
        reveal = question_views.reveal_for(definition, response, right_answers=True)
    view = question_views.question_view(
        definition, key="q", number=1, order=order, response=response, points=f"{question.points:g}", reveal=reveal
    )
    return render(
        request,
        "assessment/question_preview.html",
        {"course": course, "question": question, "view": view, "may_edit": policy.can(request.user, "edit", question)},
    )


@require_POST
def question_archive(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    question = _question(request, course, question_id, "edit")
    archived = request.POST.get("archived") == "1"
    bank_services.set_archived(actor=signed_in(request), question=question, archived=archived)
    messages.success(request, _("Question archived.") if archived else _("Question restored."))
    return redirect(_bank_url(course))


def _gift_text(form: GiftImportForm) -> str:
    upload = form.cleaned_data.get("file")
    if upload is None:
        return str(form.cleaned_data.get("text", ""))
    if (upload.size or 0) > GIFT_MAX_BYTES:
        form.add_error("file", _("The file is too large: at most 2 MB."))
        return ""
    try:
        return bytes(upload.read()).decode("utf-8-sig")
    except UnicodeDecodeError:
        form.add_error("file", _("The file is not UTF-8 text. Save it as UTF-8 and try again."))
        return ""


def gift_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Paste or upload GIFT, see every question (and every error by line) first, then import all at once."""
    course = get_course(request, slug, "edit")
    form = GiftImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"course": course, "form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "assessment/gift_import.html", context, status=400 if request.method == "POST" else 200)
    text = _gift_text(form)
    if form.errors:
        return render(request, "assessment/gift_import.html", context, status=400)
    if request.POST.get("action") == "import":
        try:
            result = bank_services.import_gift(actor=signed_in(request), course=course, text=text)
        except QuestionInputError as exc:
            context |= {"problems": exc.problems, "text": text}
            return render(request, "assessment/gift_import.html", context, status=400)
        messages.success(request, _("%(n)s questions imported.") % {"n": result.created})
        return redirect(_bank_url(course))
    parsed = gift.parse_gift(text)
    previews = [
        question_views.question_view(
            q.definition,
            key=f"p{n}",
            number=n,
            order=list(range(len(q.definition.options))),
            response=None,
            points=f"{q.definition.points:g}",
            locked=True,
        )
        for n, q in enumerate(parsed.questions, start=1)
    ]
    context |= {
        "parsed": parsed,
        "previews": list(zip(parsed.questions, previews, strict=True)),
        "text": text,
        "previewed": True,
    }
    return render(request, "assessment/gift_import.html", context)


def _definitions_filter(request: HttpRequest) -> selectors.BankFilter:
    return selectors.BankFilter(query=request.GET.get("q", ""), qtype=request.GET.get("qtype", ""))


@require_GET
def gift_export(request: HttpRequest, slug: str) -> HttpResponse:
    course = _staff_course(request, slug)
    export = selectors.gift_export(course, _definitions_filter(request))
    skipped = "".join(f"// Not exported: {title}: {reason}\n" for title, reason in export.skipped)
    response = HttpResponse(
        (skipped + ("\n" if skipped else "") + export.text).encode(), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-questions.gift.txt"'
    return response


@require_GET
def csv_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    course = _staff_course(request, slug)
    return csv_response(
        selectors.csv_rows(course, _definitions_filter(request)), filename=f"{course.slug}-questions.csv"
    )
