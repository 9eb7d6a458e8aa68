"""The readiness page: for a module and a session date, which learners have done the pre-work, and a check-in
to those who have not (a composer with one suggested text per learner, then one POST that sends them all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import get_course, signed_in
from cadence.accounts.models import User
from cadence.core.errors import DomainError
from cadence.courses.models import Course, Group, Module
from cadence.insights.domain import readiness as rules
from cadence.insights.domain.readiness import Status
from cadence.insights.forms import ReadinessCheckInForm, ReadinessForm
from cadence.insights.selectors import readiness as selectors
from cadence.messaging import selectors as messaging_selectors
from cadence.messaging import services as messaging_services

PER_PAGE = 50
DAY_FORMAT = "l j F Y"


@dataclass(frozen=True)
class Choice:
    """What the readiness form chose, once read (or the defaults when nothing was asked yet)."""

    form: ReadinessForm
    module: Module | None
    session_date: date
    group: Group | None
    status: Status | None

    def query(self) -> str:
        """The page's address for this choice (without the status filter)."""
        params = {"module": self.module.pk if self.module else "", "date": self.session_date.isoformat()}
        if self.group is not None:
            params["group"] = self.group.pk
        return urlencode(params)


def _choice(request: HttpRequest, course: Course, data: QueryDict | None) -> Choice:
    modules = selectors.modules_for(request.user, course)
    groups = selectors.groups_for(request.user, course)
    first = modules.first()
    default_date = rules.default_session_date(timezone.localdate())
    if not data or "module" not in data:
        form = ReadinessForm(initial={"module": first, "date": default_date}, modules=modules, groups=groups)
        return Choice(form, first, default_date, None, None)
    form = ReadinessForm(data, modules=modules, groups=groups)
    if not form.is_valid():
        return Choice(form, None, default_date, None, None)
    chosen = form.cleaned_data
    return Choice(
        form, chosen["module"], chosen["date"], chosen["group"], Status(chosen["status"]) if chosen["status"] else None
    )


@require_GET
def readiness(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view_insights")
    choice = _choice(request, course, request.GET)
    context: dict[str, object] = {"course": course, "form": choice.form, "choice": choice}
    if choice.module is not None:
        report = selectors.readiness(
            user, course, choice.module, choice.session_date, group=choice.group, status=choice.status
        )
        page = Paginator(report.learners, PER_PAGE).get_page(request.GET.get("page"))
        rows = selectors.shown_learners(report, list(page.object_list))
        cutoffs = {row.user_id: row.cutoff for row in rows}
        context |= {
            "report": report,
            "page": page,
            "rows": rows,
            "questions": selectors.questions_about(user, course, choice.module, cutoffs),
            "statuses": [(rules.STATUS_LABELS[s], n, s.value) for s, n in report.counts.items()],
            "not_ready": sum(n for s, n in report.counts.items() if s is not Status.READY),
            "may_check_in": _may_check_in(user, course, choice.session_date),
            "session_day": date_format(choice.session_date, DAY_FORMAT),
        }
    status = 400 if choice.form.errors else 200
    return render(request, "insights/readiness.html", context, status=status)


def _may_check_in(user: User, course: Course, session_date: date) -> bool:
    """The check-in button: for those with check-in rights, about a session still to come."""
    return policy.can(user, "answer", course) and session_date >= timezone.localdate()


@require_POST
def readiness_check_in(request: HttpRequest, slug: str) -> HttpResponse:
    """The check-in to the learners who are not ready. A POST without texts shows the composer, one text per
    learner; a POST with them sends. Who is not ready is worked out again each time: a learner who became
    ready in between is not written to, and nobody is added who was not shown."""
    user = signed_in(request)
    course = get_course(request, slug, "view_insights")
    if not policy.can(user, "answer", course):
        raise PermissionDenied
    choice = _choice(request, course, request.POST)
    back = reverse("insights:readiness", args=[course.slug]) + "?" + choice.query()
    if choice.module is None or choice.session_date < timezone.localdate():
        error = (
            _("This session is in the past; choose a date still to come to check in about it.")
            if choice.module is not None
            else _("Choose a module and a session date.")
        )
        return render(
            request, "insights/readiness_check_in.html", {"course": course, "error": error, "back": back}, status=400
        )
    report = selectors.readiness(user, course, choice.module, choice.session_date, group=choice.group)
    waiting = {row.user_id: row for row in report.not_ready}
    people = messaging_selectors.learners_to_check_in(user, course, list(waiting))
    composing = "send" in request.POST
    if composing:
        shown = _ids(request.POST.get("learners", ""))
        people = [p for p in people if p.pk in shown]
    form = ReadinessCheckInForm(
        request.POST if composing else None,
        learners=[(person.pk, person.display_name) for person in people],
        initial=_suggested(people, waiting, choice),
    )
    context = {
        "course": course,
        "choice": choice,
        "form": form,
        "people": people,
        "rows": [waiting[p.pk] for p in people],
        "too_many": len(people) > messaging_services.MAX_CHECK_IN_LEARNERS,
        "most": messaging_services.MAX_CHECK_IN_LEARNERS,
        "back": back,
        "session_day": date_format(choice.session_date, DAY_FORMAT),
    }
    if context["too_many"] or not people:
        return render(request, "insights/readiness_check_in.html", context, status=400 if composing else 200)
    if composing and form.is_valid():
        try:
            sent = messaging_services.send_personal_check_ins(
                actor=user,
                course=course,
                messages=[(p, form.body_for(p.pk)) for p in people],
                key=form.cleaned_data["key"],
                now=timezone.now(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                ngettext("Check-in sent to %(n)s learner.", "Check-in sent to %(n)s learners.", len(sent))
                % {"n": len(sent)},
            )
            return redirect(back)
    return render(
        request, "insights/readiness_check_in.html", context, status=400 if composing and form.errors else 200
    )


def _ids(value: str) -> set[int]:
    """The learner ids the composer was shown for; anything that is not an id is ignored."""
    return {int(v) for v in (v.strip() for v in value.split(",")) if v.isdigit() and len(v) < 19}


def _suggested(people: list[User], waiting: dict[int, selectors.LearnerReadiness], choice: Choice) -> dict[str, str]:
    assert choice.module is not None
    texts: dict[str, str] = {
        "learners": ",".join(str(p.pk) for p in people),
        "key": messaging_services.new_key(),
    }
    day = date_format(choice.session_date, DAY_FORMAT)
    for person in people:
        row = waiting[person.pk]
        texts[f"body_{person.pk}"] = rules.check_in_text(
            name=person.display_name,
            module=choice.module.title,
            session_day=day,
            zone=row.zone,
            done=row.done,
            total=row.total,
            opened=row.opened,
            missing=[item.title for item in row.missing],
        )
    return texts
