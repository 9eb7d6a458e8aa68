"""The teacher's home: what waits in every course the person teaches."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cadence import policy
from cadence.access import signed_in
from cadence.insights.selectors import teaching


@require_GET
def teaching_home(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not policy.can(user, "view_teaching_home"):
        raise PermissionDenied
    home = teaching.teaching_home(user, now=timezone.now(), today=timezone.localdate())
    return render(request, "insights/teacher_home.html", {"home": home})
