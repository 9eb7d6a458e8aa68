"""The course health page: a course's teachers and TAs only (the policy's `view_insights`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cadence.access import get_course, signed_in
from cadence.insights import health


@require_GET
def course_health(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "view_insights")
    report = health.course_health(user, course, today=timezone.localdate())
    return render(request, "insights/course_health.html", {"course": course, "health": report})
