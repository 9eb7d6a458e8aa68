"""Pages: check-ins from the learners table with templates, a course's templates, its automated rules (with who
each would reach now, and the confirmation a large run waits for), and the log of check-ins with their effect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, signed_in
from cadence.core.errors import DomainError
from cadence.core.forms import chosen_ids
from cadence.courses.models import Course, Module
from cadence.insights import services_checkins as services
from cadence.insights.forms_checkins import ComposeForm, RuleForm, TemplateForm
from cadence.insights.models import CheckInRule, Outcome
from cadence.insights.selectors import checkins as selectors
from cadence.messaging import selectors as messaging_selectors
from cadence.messaging.domain import check_in_templates as texts
from cadence.messaging.services import MAX_CHECK_IN_LEARNERS

LOG_PER_PAGE = 50
PREVIEW_LIMIT = 50
MAX_CHOSEN_IDS = 20_000


def _placeholders() -> list[tuple[str, str]]:
    return [(f"{{{name}}}", str(meaning)) for name, meaning in texts.PLACEHOLDERS.items()]


# --- Check-in to chosen learners ---------------------------------------------------------------------------
@require_POST
def check_in_compose(request: HttpRequest, slug: str) -> HttpResponse:
    """Reached from the learners table with the chosen ids. Every button posts the whole form: "Use this
    template" puts the template's text in the box, "Preview" shows each learner's text, "Send" sends."""
    actor = signed_in(request)
    course = get_course(request, slug, "answer")
    ids = chosen_ids([*request.POST.getlist("learner"), request.POST.get("learners", "")], limit=MAX_CHOSEN_IDS)
    learners = messaging_selectors.learners_to_check_in(actor, course, ids)
    templates = selectors.template_choices(actor, course)
    action = request.POST.get("action", "")
    status = 200
    if "body" not in request.POST:  # the first step, from the learners table
        start = templates[0]
        form = ComposeForm(
            initial={"learners": ",".join(str(u.pk) for u in learners), "template": start.key, "body": start.body},
            templates=templates,
        )
    else:
        data = request.POST.copy()
        chosen = selectors.template_choice(actor, course, data.get("template", ""))
        if action == "template" and chosen is not None:
            data["body"] = chosen.body
        form = ComposeForm(data, templates=templates)
        if action == "send" and form.is_valid() and learners and len(learners) <= MAX_CHECK_IN_LEARNERS:
            try:
                sent = services.send_check_ins(
                    actor=actor,
                    course=course,
                    learners=learners,
                    body=form.cleaned_data["body"],
                    key=form.cleaned_data["key"] or "",
                    template=chosen,
                    now=timezone.now(),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                text = ngettext(
                    "Check-in sent to %(n)s learner.", "Check-in sent to %(n)s learners.", len(sent.messages)
                )
                if sent.skipped:
                    text += " " + ngettext(
                        "%(n)s learner was skipped: the text would say what their data does not show.",
                        "%(n)s learners were skipped: the text would say what their data does not show.",
                        len(sent.skipped),
                    ) % {"n": len(sent.skipped)}
                messages.success(request, text % {"n": len(sent.messages)})
                return redirect("insights:check-in-log", slug=course.slug)
        if form.errors:
            status = 400
    too_many = len(learners) > MAX_CHECK_IN_LEARNERS
    if not learners or too_many:
        status = 400
    if form.is_bound:
        form.is_valid()
        body = str(form.cleaned_data.get("body", ""))
    else:
        body = str(form.initial["body"])
    preview = (
        selectors.previews(course, learners, body, now=timezone.now())
        if body and learners and not too_many and not texts.unknown_placeholders(body)
        else []
    )
    return render(
        request,
        "insights/check_in_compose.html",
        {
            "course": course,
            "learners": learners,
            "form": form,
            "too_many": too_many,
            "most": MAX_CHECK_IN_LEARNERS,
            "preview": preview,
            "skipped": sum(1 for r in preview if r.filled.skipped),
            "placeholders": _placeholders(),
        },
        status=status,
    )


# --- Templates ---------------------------------------------------------------------------------------------
def check_in_templates(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "view_insights")
    may_manage = policy.can(request.user, "manage_check_ins", course)
    form = TemplateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_template(
                    actor=signed_in(request),
                    course=course,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    now=timezone.now(),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Template saved."))
                return redirect("insights:check-in-templates", slug=course.slug)
        status = 400
    return render(
        request,
        "insights/check_in_templates.html",
        {
            "course": course,
            "form": form,
            "may_manage": may_manage,
            "templates": selectors.template_choices(request.user, course),
            "placeholders": _placeholders(),
        },
        status=status,
    )


def check_in_template(request: HttpRequest, slug: str, template_id: int) -> HttpResponse:
    course = get_course(request, slug, "manage_check_ins")
    template = selectors.editable_template(request.user, course, template_id)
    if template is None:
        raise Http404
    form = TemplateForm(request.POST or None, initial={"title": template.title, "body": template.body})
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                services.delete_template(actor=signed_in(request), template=template, now=timezone.now())
                messages.success(request, _("Template deleted."))
                return redirect("insights:check-in-templates", slug=course.slug)
            if form.is_valid():
                services.save_template(
                    actor=signed_in(request),
                    course=course,
                    template=template,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    now=timezone.now(),
                )
                messages.success(request, _("Template saved."))
                return redirect("insights:check-in-templates", slug=course.slug)
        except DomainError as exc:
            form.add_error(None, exc.message)
        status = 400
    return render(
        request,
        "insights/check_in_template.html",
        {"course": course, "template": template, "form": form, "placeholders": _placeholders()},
        status=status,
    )


# --- Automated rules ---------------------------------------------------------------------------------------
def _rule_form(request: HttpRequest, course: Course, rule: CheckInRule | None = None) -> RuleForm:
    initial = (
        {
            "name": rule.name,
            "trigger": rule.trigger,
            "days": rule.days,
            "risk_level": rule.risk_level,
            "module": rule.module_id,
            "template_key": rule.template_key,
            "period_days": rule.period_days,
            "confirm_over": rule.confirm_over,
            "enabled": rule.enabled,
        }
        if rule is not None
        else {"trigger": "inactive", "days": 7, "template_key": "builtin:quiet", "period_days": 14, "confirm_over": 10}
    )
    return RuleForm(
        request.POST or None,
        initial=initial,
        templates=selectors.template_choices(request.user, course),
        modules=Module.objects.filter(course=course).order_by("position", "pk"),
    )


def _save_rule(request: HttpRequest, course: Course, form: RuleForm, rule: CheckInRule | None) -> CheckInRule | None:
    if not form.is_valid():
        return None
    try:
        saved = services.save_rule(
            actor=signed_in(request), course=course, data=form.rule_input(), rule=rule, now=timezone.now()
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None
    if saved.held_at is not None:
        messages.warning(
            request,
            _(
                "Rule saved. It would reach %(n)s learners at once, more than you allowed: nothing is sent until you confirm below."
            )
            % {"n": saved.held_count},
        )
    else:
        messages.success(request, _("Rule saved."))
    return saved


def check_in_rules(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "manage_check_ins")
    form = _rule_form(request, course)
    if request.method == "POST":
        saved = _save_rule(request, course, form, None)
        if saved is not None:
            return redirect("insights:check-in-rule", slug=course.slug, rule_id=saved.pk)
    return render(
        request,
        "insights/check_in_rules.html",
        {"course": course, "form": form, "rules": list(selectors.course_rules(request.user, course))},
        status=400 if form.errors else 200,
    )


def check_in_rule(request: HttpRequest, slug: str, rule_id: int) -> HttpResponse:
    """A rule: its settings, whether it waits for a confirmation, and who it would reach now and why."""
    course = get_course(request, slug, "manage_check_ins")
    rule = selectors.editable_rule(request.user, course, rule_id)
    if rule is None:
        raise Http404
    form = _rule_form(request, course, rule)
    now = timezone.now()
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            try:
                result = services.confirm_rule(actor=signed_in(request), rule=rule, now=now)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Confirmed: %(sent)s check-ins sent; %(deferred)s wait for the end of their quiet hours.")
                    % {"sent": result.sent, "deferred": result.deferred},
                )
            return redirect("insights:check-in-rule", slug=course.slug, rule_id=rule.pk)
        if _save_rule(request, course, form, rule) is not None:
            return redirect("insights:check-in-rule", slug=course.slug, rule_id=rule.pk)
    template = selectors.template_choice(rule.sender, course, rule.template_key)
    preview = list(selectors.rule_recipients(rule, template.body, now=now, limit=PREVIEW_LIMIT)) if template else []
    return render(
        request,
        "insights/check_in_rule.html",
        {
            "course": course,
            "rule": rule,
            "form": form,
            "template": template,
            "preview": preview,
            "matching": selectors.rule_candidates(rule, now=now).count(),
            "limit": PREVIEW_LIMIT,
        },
        status=400 if form.errors else 200,
    )


# --- The log -------------------------------------------------------------------------------------------------
@require_GET
def check_in_log(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "view_insights")
    page = Paginator(selectors.visible_log(request.user, course), LOG_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/check_in_log.html",
        {
            "course": course,
            "page": page,
            "rows": list(page.object_list),
            "by_rule": selectors.effect_by_rule(request.user, course),
            "by_template": selectors.effect_by_template(request.user, course),
            "outcomes": Outcome,
            "may_manage": policy.can(request.user, "manage_check_ins", course),
        },
    )
