"""Fetching a course for an API operation, the same way for every app's router.

404 for a course the user cannot even discover; 403 when they may see it but not do this.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cadence import policy
from cadence.courses.models import Course


def course_for(request: HttpRequest, course_id: int, action: str = "view") -> Course:
    course = policy.scope(request.user, "discover", Course.objects.all()).filter(pk=course_id).first()
    if course is None:
        raise Http404
    if not policy.can(request.user, action, course):
        raise PermissionDenied
    return course
