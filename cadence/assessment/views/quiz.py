"""Quiz pages: the teacher's settings and questions; a learner's attempt (start, autosave, check, submit, review)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, get_item, signed_in
from cadence.assessment.domain import question_views
from cadence.assessment.forms import QuizSettingsForm, SlotForm
from cadence.assessment.models import Attempt, AttemptQuestion, AttemptState, QuizSlot
from cadence.assessment.selectors import item_analysis
from cadence.assessment.selectors.attempt_views import attempt_question_views
from cadence.assessment.services import attempt_results, quizzes
from cadence.assessment.services.quizzes import AnswerInput, AttemptClosed
from cadence.core.errors import DomainError
from cadence.core.htmx import is_htmx, varies_with_htmx
from cadence.core.middleware import arrival_time
from cadence.core.work import keeps_work
from cadence.courses.models import Course, Item, ItemKind


def _quiz_item(request: HttpRequest, slug: str, item_id: int, action: str) -> tuple[Course, Item]:
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, action)
    if item.kind != ItemKind.QUIZ:
        raise Http404
    return course, item


def _item_url(course: Course, item: Item) -> str:
    return reverse("courses:item-detail", args=[course.slug, item.pk])


# --- Teacher: settings and questions -------------------------------------------------------------------
def quiz_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course, item = _quiz_item(request, slug, item_id, "edit")
    quiz = quizzes.quiz_settings(item)  # the row is made when the settings are first saved
    form = QuizSettingsForm(request.POST or None, instance=quiz)
    if request.method == "POST" and form.is_valid():
        try:
            quizzes.save_settings(
                actor=signed_in(request), item=item, data={k: form.cleaned_data[k] for k in quizzes.QUIZ_SETTINGS}
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The quiz settings have been saved."))
            return redirect(reverse("assessment:quiz-edit", args=[course.slug, item.pk]))
    slots = list(QuizSlot.objects.filter(quiz_id=item.pk).select_related("question", "category", "concept"))
    return render(
        request,
        "assessment/quiz_edit.html",
        {
            "course": course,
            "item": item,
            "quiz": quiz,
            "form": form,
            "slots": slots,
            "slot_form": SlotForm(course=course),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def slot_add(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course, item = _quiz_item(request, slug, item_id, "edit")
    form = SlotForm(request.POST, course=course)
    if form.is_valid():
        try:
            quizzes.add_slot(
                actor=signed_in(request),
                quiz=quizzes.quiz_for(item),
                question=form.cleaned_data.get("question"),
                category=form.cleaned_data.get("category"),
                concept=form.cleaned_data.get("concept"),
                draw=form.cleaned_data.get("draw") or 1,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Added to the quiz."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("assessment:quiz-edit", args=[course.slug, item.pk]) + "#quiz-questions")


def _slot(item: Item, slot_id: int) -> QuizSlot:
    slot = QuizSlot.objects.filter(pk=slot_id, quiz__item=item).select_related("quiz__item__course").first()
    if slot is None:
        raise Http404
    return slot


@require_POST
def slot_remove(request: HttpRequest, slug: str, item_id: int, slot_id: int) -> HttpResponse:
    course, item = _quiz_item(request, slug, item_id, "edit")
    quizzes.remove_slot(actor=signed_in(request), slot=_slot(item, slot_id))
    messages.success(request, _("Removed from the quiz."))
    return redirect(reverse("assessment:quiz-edit", args=[course.slug, item.pk]) + "#quiz-questions")


@require_POST
def slot_move(request: HttpRequest, slug: str, item_id: int, slot_id: int) -> HttpResponse:
    course, item = _quiz_item(request, slug, item_id, "edit")
    offset = -1 if request.POST.get("direction") == "up" else 1
    quizzes.move_slot(actor=signed_in(request), slot=_slot(item, slot_id), offset=offset)
    return redirect(reverse("assessment:quiz-edit", args=[course.slug, item.pk]) + "#quiz-questions")


# --- Learner: attempts -------------------------------------------------------------------------------
@require_POST
def attempt_start(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    course, item = _quiz_item(request, slug, item_id, "view")
    try:
        attempt = quizzes.start_attempt(user=signed_in(request), quiz=quizzes.quiz_for(item), now=arrival_time(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_item_url(course, item))
    return redirect(reverse("assessment:attempt", args=[course.slug, attempt.pk]))


def _attempt(request: HttpRequest, course: Course, attempt_id: int, *, shown: bool = True) -> Attempt:
    """The attempt, with what its page shows (`shown`) or only what the policy asks about it."""
    related = ("quiz__item__course", "quiz__item__module", "user") if shown else ("quiz__item__course",)
    attempt = Attempt.objects.filter(pk=attempt_id, quiz__item__course=course).select_related(*related).first()
    if attempt is None or not policy.can(request.user, "view", attempt):
        raise Http404  # another learner's attempt is not even acknowledged
    return attempt


def _my_attempt(request: HttpRequest, course: Course, attempt_id: int) -> Attempt:
    """An attempt to answer in: only its learner may; staff and observers may look but not act (403)."""
    attempt = _attempt(request, course, attempt_id, shown=False)
    if attempt.user_id != request.user.pk:
        raise PermissionDenied
    return attempt


@require_GET
def attempt_page(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    attempt = _attempt(request, course, attempt_id)
    now = timezone.now()
    if (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt_results.is_expired(attempt, now)  # checked first: closing takes the row's lock
        and attempt_results.close_if_expired(attempt.pk, now=now)
    ):
        attempt.refresh_from_db()
        messages.info(request, _("Time ran out: the attempt was submitted with the answers saved until then."))
    quiz = attempt.quiz
    rows = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))
    staff = policy.can(request.user, "preview", course) and attempt.user_id != request.user.pk
    views = attempt_question_views(attempt, rows, now=now, staff=staff)
    mine = attempt.user_id == request.user.pk
    return render(
        request,
        "assessment/attempt.html",
        {
            "course": course,
            "item": quiz.item,
            "quiz": quiz,
            "attempt": attempt,
            "views": views,
            "blocks": list(zip(views, [row.answered_at for row in rows], strict=True)),
            "taking": mine and attempt.state == AttemptState.IN_PROGRESS,
            "accepts_until": attempt_results.accepts_until(attempt),
            "feedback_shown": any(v.revealed for v in views),
            "immediate": quiz.feedback_timing == "immediate",
        },
    )


def _answers_from_form(request: HttpRequest, attempt: Attempt, positions: list[int] | None = None) -> list[AnswerInput]:
    rows = AttemptQuestion.objects.filter(attempt=attempt).order_by("position")
    if positions is not None:
        rows = rows.filter(position__in=positions)
    answers = []
    for row in rows.only("position", "definition", "option_order"):
        key = f"q{row.position}"
        if not any(name.startswith(f"{key}-") for name in request.POST):
            continue  # the form did not carry this question (an autosave of another one)
        response = question_views.response_from_form(row.as_def(), row.option_order, request.POST, key)
        answers.append(AnswerInput(row.position, response, _sequence(request)))
    return answers


def _sequence(request: HttpRequest) -> int:
    raw = request.POST.get("sequence", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


def _position(request: HttpRequest) -> list[int] | None:
    raw = request.POST.get("position", "")
    return [int(raw)] if raw.isdigit() else None


@keeps_work
@require_POST
def attempt_save(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    """Autosave (one question, from the page's script) or "Save my answers" (the whole form, without it)."""
    course = get_course(request, slug, "view")
    attempt = _my_attempt(request, course, attempt_id)
    now = arrival_time(request)
    user = signed_in(request)
    autosave = request.headers.get("X-Autosave") == "1"
    try:
        quizzes.save_answers(
            user=user, attempt_id=attempt.pk, answers=_answers_from_form(request, attempt, _position(request)), now=now
        )
    except AttemptClosed as exc:
        if autosave:
            return JsonResponse({"detail": exc.message, "closed": True}, status=409)
        messages.error(request, exc.message)
        return redirect(reverse("assessment:attempt", args=[course.slug, attempt.pk]))
    except DomainError as exc:
        if autosave:
            return JsonResponse({"detail": exc.message}, status=exc.status_code)
        raise PermissionDenied(exc.message) from exc
    if autosave:
        return JsonResponse({"saved_at": timezone.localtime(now).strftime("%H:%M:%S")})
    messages.success(request, _("Your answers are saved."))
    return redirect(reverse("assessment:attempt", args=[course.slug, attempt.pk]))


@keeps_work
@require_POST
@varies_with_htmx
def attempt_check(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    attempt = _my_attempt(request, course, attempt_id)
    now = arrival_time(request)
    position = _position(request)
    if position is None:
        raise Http404
    user = signed_in(request)
    try:
        quizzes.save_answers(user=user, attempt_id=attempt.pk, answers=_answers_from_form(request, attempt), now=now)
        answers = _answers_from_form(request, attempt, position) or [AnswerInput(position[0], {})]
        quizzes.check_answer(user=user, attempt_id=attempt.pk, answer=answers[0], now=now)
    except DomainError as exc:
        messages.error(request, exc.message)
    url = reverse("assessment:attempt", args=[course.slug, attempt.pk]) + f"#q{position[0]}"
    return redirect(url) if not is_htmx(request) else HttpResponse(status=204, headers={"HX-Redirect": url})


@keeps_work
@require_POST
def attempt_submit(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    course = get_course(request, slug, "view")
    attempt = _my_attempt(request, course, attempt_id)
    try:
        submitted = quizzes.submit_attempt(
            user=signed_in(request),
            attempt_id=attempt.pk,
            answers=_answers_from_form(request, attempt),
            now=arrival_time(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("assessment:attempt", args=[course.slug, attempt.pk]))
    if submitted.closed_by == "time":
        messages.info(request, _("Time had run out: the attempt was submitted with the answers saved until then."))
    else:
        messages.success(request, _("Your attempt has been submitted."))
    return redirect(reverse("assessment:attempt", args=[course.slug, attempt.pk]))


@require_GET
def quiz_analysis(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """Item analysis for the course's staff: facility, discrimination, answer choices, questions to check."""
    course = get_course(request, slug, "view")
    item = get_item(request, course, item_id, "view")
    if item.kind != ItemKind.QUIZ:
        raise Http404
    if not policy.can(request.user, "grade", course):
        raise PermissionDenied
    return render(
        request,
        "assessment/quiz_analysis.html",
        {"course": course, "item": item, "analysis": item_analysis.quiz_analysis(quizzes.quiz_settings(item))},
    )
