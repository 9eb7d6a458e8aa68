"""Pages: the inbox, a conversation, asking the teachers, the staff's question queue, new messages, check-ins."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import allowed, get_course, signed_in
from cadence.accounts.models import User
from cadence.core.errors import DomainError
from cadence.core.forms import chosen_ids
from cadence.insights.selectors import learners as learner_figures
from cadence.messaging import selectors, services
from cadence.messaging.domain import check_in as check_in_text
from cadence.messaging.forms import (
    AskForm,
    CheckInForm,
    CheckInManyForm,
    DirectForm,
    ReplyForm,
    SettingsForm,
    StatusForm,
)
from cadence.messaging.models import Conversation
from cadence.messaging.services import RateLimited

INBOX_PER_PAGE = 20
MESSAGES_PER_PAGE = 30
QUEUE_PER_PAGE = 25
RATE_LIMITED = "rate_limited"


def _keep_on_rate_limit(form: forms.Form, exc: RateLimited) -> None:
    """Too fast: show the form again with what was typed, instead of losing it in a redirect."""
    form.add_error(None, ValidationError(exc.message, code=RATE_LIMITED))


def _form_status(form: forms.Form | None) -> int:
    if form is None or not form.errors:
        return 200
    return 429 if form.has_error(NON_FIELD_ERRORS, RATE_LIMITED) else 400


def _conversation(request: HttpRequest, conversation_id: int, action: str = "view") -> Conversation:
    return allowed(request, selectors.conversation_for(signed_in(request), conversation_id), action)


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    page = Paginator(selectors.inbox(user), INBOX_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/inbox.html",
        {"page": page, "rows": list(page.object_list), "waiting": selectors.waiting_questions(user)},
    )


def _detail(request: HttpRequest, conversation: Conversation, form: ReplyForm | None = None) -> HttpResponse:
    user = signed_in(request)
    paginator = Paginator(selectors.messages_of(conversation), MESSAGES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    rows = list(page.object_list)
    people = selectors.people_in(conversation)
    roles = selectors.course_roles(conversation.course, {m.sender_id for m in rows} | {p.pk for p in people})
    if request.method == "GET":
        services.mark_read(user=user, conversation=conversation, now=timezone.now())
    return render(
        request,
        "messaging/conversation_detail.html",
        {
            "conversation": conversation,
            "course": conversation.course,
            "page": page,
            "rows": rows,
            "people": people,
            "others": ", ".join(p.display_name for p in people if p.pk != user.pk),
            "roles": roles,
            "form": form or ReplyForm(),
            "may_reply": policy.can(user, "reply", conversation),
            "may_answer": policy.can(user, "answer", conversation),
            "answer_time": (
                conversation.first_answered_at - conversation.created_at if conversation.first_answered_at else None
            ),
        },
        status=_form_status(form),
    )


@require_GET
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _detail(request, _conversation(request, conversation_id))


@require_POST
def conversation_reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id, "reply")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _detail(request, conversation, form)
    try:
        services.reply(
            actor=signed_in(request),
            conversation=conversation,
            body=form.cleaned_data["body"],
            key=form.cleaned_data["key"],
            now=timezone.now(),
        )
    except RateLimited as exc:
        _keep_on_rate_limit(form, exc)
        return _detail(request, conversation, form)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reply sent."))
    return redirect("messaging:conversation-detail", conversation_id=conversation.pk)


@require_POST
def question_status(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id, "answer")
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose open, answered or closed."))
    else:
        services.set_question_status(
            actor=signed_in(request), conversation=conversation, status=form.cleaned_data["status"], now=timezone.now()
        )
        messages.success(request, _("Question marked %(status)s.") % {"status": form.cleaned_data["status"]})
    return redirect("messaging:conversation-detail", conversation_id=conversation.pk)


def question_ask(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "ask")
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.ask_question(
                actor=user,
                course=course,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                key=form.cleaned_data["key"],
                now=timezone.now(),
            )
        except RateLimited as exc:
            _keep_on_rate_limit(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("messaging:question-ask", slug=course.slug)
        else:
            messages.success(request, _("Your question was sent to the course's teachers."))
            return redirect("messaging:conversation-detail", conversation_id=conversation.pk)
    return render(
        request,
        "messaging/question_ask.html",
        {"course": course, "form": form, "questions": list(selectors.my_questions(user, course)[:20])},
        status=_form_status(form),
    )


@require_GET
def question_queue(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "answer")
    status = request.GET.get("status", "")
    page = Paginator(selectors.question_queue(course, status or None), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/question_queue.html",
        {
            "course": course,
            "page": page,
            "rows": list(page.object_list),
            "stats": selectors.queue_stats(course),
            "status": status,
            "now": timezone.now(),
        },
    )


def message_new(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    slug = request.GET.get("course", "")
    if not slug:
        return render(request, "messaging/message_new.html", {"courses": list(selectors.messageable_courses(user))})
    course = get_course(request, slug, "message")
    back = reverse("messaging:message-new") + "?" + urlencode({"course": course.slug})
    if request.method == "POST":
        # Everyone active is a valid choice here so that the service explains who may not be messaged.
        form = DirectForm(request.POST, people=User.objects.filter(is_active=True))
        if form.is_valid():
            try:
                message = services.send_direct(
                    actor=user,
                    course=course,
                    recipients=list(form.cleaned_data["to"]),
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    key=form.cleaned_data["key"],
                    now=timezone.now(),
                )
            except RateLimited as exc:
                _keep_on_rate_limit(form, exc)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(back)
            else:
                messages.success(request, _("Message sent."))
                return redirect("messaging:conversation-detail", conversation_id=message.conversation_id)
    else:
        to = [int(v) for v in request.GET.getlist("to") if v.isdigit()]
        form = DirectForm(initial={"to": to}, people=selectors.recipients_for(user, course))
    # The page only ever offers the people this user may reach, also when a posted form is shown again.
    reachable = selectors.recipients_for(user, course)
    form.set_people(reachable)
    has_people = form.is_bound or reachable.exists()
    return render(
        request,
        "messaging/message_new.html",
        {"course": course, "form": form, "has_people": has_people},
        status=_form_status(form),
    )


def check_in(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    actor = signed_in(request)
    course = get_course(request, slug, "answer")
    learner = selectors.learner_to_check_in(actor, course, user_id)
    if learner is None:
        raise Http404
    known, last_active_at = learner_figures.last_active(course, learner.pk)
    initial = {
        "body": check_in_text.suggested_text(
            name=learner.display_name,
            course=course.title,
            figures_known=known,
            last_active_at=last_active_at,
            now=timezone.now(),
        )
    }
    form = CheckInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.send_check_in(
                actor=actor,
                course=course,
                learner=learner,
                body=form.cleaned_data["body"],
                key=form.cleaned_data["key"],
                now=timezone.now(),
            )
        except RateLimited as exc:
            _keep_on_rate_limit(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("messaging:check-in", slug=course.slug, user_id=learner.pk)
        else:
            messages.success(request, _("Check-in sent to %(name)s.") % {"name": learner.display_name})
            return redirect("messaging:conversation-detail", conversation_id=message.conversation_id)
    return render(
        request,
        "messaging/check_in.html",
        {"course": course, "learner": learner, "form": form},
        status=_form_status(form),
    )


MAX_CHOSEN_IDS = 20_000


def _chosen_ids(request: HttpRequest) -> list[int]:
    """Learner ids posted by the learners table: ticked boxes (`learner`) and/or one comma-separated list
    (`learners`, for "all matching the filter"). Anything that is not an id is ignored."""
    return chosen_ids([*request.POST.getlist("learner"), request.POST.get("learners", "")], limit=MAX_CHOSEN_IDS)


@require_POST
def check_in_many(request: HttpRequest, slug: str) -> HttpResponse:
    """The check-in composer for several learners, reached from the learners table with the chosen ids.
    The first POST (ids only) shows the form; the second (with the message) sends."""
    actor = signed_in(request)
    course = get_course(request, slug, "answer")
    learners = selectors.learners_to_check_in(actor, course, _chosen_ids(request))
    ids = ",".join(str(u.pk) for u in learners)
    composing = "body" in request.POST
    form = CheckInManyForm(
        request.POST if composing else None,
        initial={
            "learners": ids,
            "body": check_in_text.text_for_many(course=course.title),
        },
    )
    status = 200
    too_many = len(learners) > services.MAX_CHECK_IN_LEARNERS
    if not learners:
        messages.error(request, _("Choose at least one learner of this course to check in with."))
        status = 400
    elif too_many:
        status = 400
    elif composing and form.is_valid():
        try:
            sent = services.send_check_ins(
                actor=actor,
                course=course,
                learners=learners,
                body=form.cleaned_data["body"],
                key=form.cleaned_data["key"],
                now=timezone.now(),
            )
        except RateLimited as exc:
            _keep_on_rate_limit(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                ngettext("Check-in sent to %(n)s learner.", "Check-in sent to %(n)s learners.", len(sent))
                % {"n": len(sent)},
            )
            return redirect("messaging:inbox")
    if composing and form.errors:
        status = _form_status(form)
    return render(
        request,
        "messaging/check_in_many.html",
        {
            "course": course,
            "learners": learners,
            "form": form,
            "too_many": too_many,
            "most": services.MAX_CHECK_IN_LEARNERS,
        },
        status=status,
    )


def course_settings(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "edit")
    current = selectors.settings_for(course)
    form = SettingsForm(
        request.POST or None, initial={"learners_may_message_learners": current.learners_may_message_learners}
    )
    if request.method == "POST" and form.is_valid():
        services.save_settings(
            actor=signed_in(request),
            course=course,
            learners_may_message_learners=form.cleaned_data["learners_may_message_learners"],
        )
        messages.success(request, _("Messaging settings saved."))
        return redirect("messaging:settings", slug=course.slug)
    return render(request, "messaging/settings.html", {"course": course, "form": form})
