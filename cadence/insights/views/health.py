"""The course health page: a course's teachers and TAs only (the policy's `view_insights`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence.access import get_course, signed_in
from cadence.insights import health_snapshots
from cadence.insights.selectors import health


@require_GET
def course_health(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view_insights")
    now = timezone.now()
    report = health.course_health(user, course, today=timezone.localdate(now), now=now)
    return render(request, "insights/course_health.html", {"course": course, "health": report})


@require_POST
def course_health_refresh(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view_insights")
    health_snapshots.refresh_for(actor=user, course=course, now=timezone.now())
    messages.success(request, _("The figures have been refreshed."))
    return redirect("insights:course-health", slug=course.slug)
