"""Pages: a course's learners table (with its CSV export) and its risk settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cadence import policy
from cadence.access import get_course, signed_in
from cadence.core.csv_export import csv_response
from cadence.core.errors import DomainError
from cadence.core.htmx import render_page_or_fragment
from cadence.courses import selectors as course_selectors
from cadence.courses.models import Course
from cadence.insights import services
from cadence.insights.domain import risk
from cadence.insights.forms import INDICATOR_NAMES, RiskSettingsForm, TableFilterForm
from cadence.insights.selectors import learners as selectors
from cadence.insights.selectors import risk_model as model_selectors

PER_PAGE = 50
TEMPLATE = "insights/learners_table.html"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str  # the sort a click on the heading asks for
    aria_sort: str  # "ascending", "descending" or "" (not sorted by it)


COLUMNS: list[tuple[str, Any]] = [
    ("name", gettext_lazy("Learner")),
    ("last_active", gettext_lazy("Last active")),
    ("progress", gettext_lazy("Progress")),
    ("time", gettext_lazy("Studied this week")),
    ("score", gettext_lazy("Average score")),
    ("overdue", gettext_lazy("Overdue")),
    ("pace", gettext_lazy("Pace")),
    ("posts", gettext_lazy("Posts (14 days)")),
    ("questions", gettext_lazy("Questions (14 days)")),
    ("submission", gettext_lazy("Days since last submission")),
    ("risk", gettext_lazy("Risk")),
]


def _columns(sort: str) -> list[Column]:
    current, descending = sort.lstrip("-"), sort.startswith("-")
    columns = []
    for key, label in COLUMNS:
        if key == current:
            columns.append(
                Column(key, str(label), key if descending else f"-{key}", "descending" if descending else "ascending")
            )
        else:
            columns.append(Column(key, str(label), key if key == "name" else f"-{key}", ""))
    return columns


def _filtered(request: HttpRequest, course: Course) -> tuple[TableFilterForm, str, Any]:
    form = TableFilterForm(
        request.GET,
        groups=selectors.filter_groups(request.user, course),
        modules=selectors.filter_modules(course),
    )
    form.is_valid()  # fields that do not parse are reported and left out; the others apply
    sort = selectors.parse_sort(request.GET.get("sort"))
    rows = selectors.filtered_rows(request.user, course, form.table_filter(), sort=sort, now=timezone.now())
    return form, sort, rows


@require_GET
def learners_table(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "view_insights")
    form, sort, rows = _filtered(request, course)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    select_all = request.GET.get("select") == "all"
    context = {
        "course": course,
        "form": form,
        "sort": sort,
        "columns": _columns(sort),
        "page": page,
        "rows": selectors.rows_for_page(list(page.object_list), now),
        "total": page.paginator.count,
        "select_all": select_all,
        "all_ids": ",".join(str(i) for i in selectors.matching_ids(rows)) if select_all else "",
        "may_configure": policy.can(request.user, "configure_insights", course),
        # Beside each learner, for staff who may see it: their accommodation (classmates never see this page).
        "accommodations": course_selectors.accommodations_by_learner(
            request.user, course, [s.user_id for s in page.object_list]
        ),
        "may_manage_check_ins": policy.can(request.user, "manage_check_ins", course),
    }
    return render_page_or_fragment(request, TEMPLATE, "learners-table", context)


@require_GET
def learners_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    course = get_course(request, slug, "view_insights")
    _form, _sort, rows = _filtered(request, course)
    return csv_response(selectors.csv_rows(rows, timezone.now()), filename=f"{course.slug}-learners.csv")


def risk_settings(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "view_insights")
    may_configure = policy.can(request.user, "configure_insights", course)
    rules, planned_weeks = services.risk_settings_for(course)
    status = 200
    if request.method == "POST":
        if not may_configure:
            raise PermissionDenied
        form = RiskSettingsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_risk_settings(
                    actor=signed_in(request),
                    course=course,
                    rules=form.rules(data),
                    planned_weeks=data.get("planned_weeks"),
                    now=timezone.now(),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Risk settings saved. Learners are scored again with them."))
                return redirect("insights:risk-settings", slug=course.slug)
        status = 400
    else:
        form = RiskSettingsForm(initial=RiskSettingsForm.initial_for(rules, planned_weeks))
    indicators = [
        {
            "name": INDICATOR_NAMES[i],
            "weight": form[f"weight_{i.value}"],
            "threshold": form[f"threshold_{i.value}"],
            "default_weight": risk.DEFAULT_WEIGHTS[i],
            "default_threshold": risk.DEFAULT_THRESHOLDS[i],
        }
        for i in risk.Indicator
    ]
    return render_page_or_fragment(
        request,
        "insights/risk_settings.html",
        "risk-settings-form",
        {
            "course": course,
            "form": form,
            "indicators": indicators,
            "may_configure": may_configure,
            "model": model_selectors.model_status(course),
        },
        status=status,
    )
