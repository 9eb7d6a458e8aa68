"""Fetching objects through the policy for views and API operations, the same way in every app.

An object the person may not see is a 404 (its existence is not revealed); one they may see but not
act on is a 403. Every app's views and API routers use these helpers, so no app imports another's views.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from cadence import policy
from cadence.accounts.models import User
from cadence.courses.models import Course, Item, Module

PREVIEW_SESSION_KEY = "cadence_preview_courses"

M = TypeVar("M", bound=Model)
R = TypeVar("R", Course, Module, Item)


def signed_in(request: HttpRequest) -> User:
    """The signed-in user of a request that the login middleware (or the API's auth) let through."""
    assert isinstance(request.user, User)
    return request.user


def allowed(request: HttpRequest, obj: M | None, action: str) -> M:
    """An object fetched through the policy's scope: 404 when there is none, 403 when `action` is not allowed."""
    if obj is None:
        raise Http404
    if not policy.can(request.user, action, obj):
        raise PermissionDenied
    return obj


def get_course(request: HttpRequest, slug: str, action: str = "view") -> Course:
    """A course by slug: 404 unless the person may at least discover it (or, to view it, open it), 403 otherwise."""
    course = Course.objects.filter(slug=slug).first()
    # The object checks agree with `scope` (tests/test_policy_parity.py) and cost far less than its filter,
    # on a lookup that every course page makes.
    if course is None or not policy.can(request.user, "discover", course):
        raise Http404
    if not policy.can(request.user, action, course):
        raise PermissionDenied
    return course


def get_module(request: HttpRequest, course: Course, module_id: int, action: str) -> Module:
    module = Module.objects.filter(course=course, pk=module_id).select_related("course").first()
    if module is None or not policy.can(request.user, "view", module):
        raise Http404
    if not policy.can(request.user, action, module):
        raise PermissionDenied
    return module


def get_item(request: HttpRequest, course: Course, item_id: int, action: str) -> Item:
    item = Item.objects.filter(course=course, pk=item_id).select_related("course", "module").first()
    if item is None or not policy.can(request.user, "view", item):
        raise Http404
    if not policy.can(request.user, action, item):
        raise PermissionDenied
    return item


def restorable(request: HttpRequest, rows: QuerySet[R], pk: int) -> R:
    """A course, module or item in the archive that the person may restore; 404 for anything else."""
    found = policy.scope(request.user, "restore", rows).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def course_for(request: HttpRequest, course_id: int, action: str = "view") -> Course:
    """A course by id for an API operation: 404 for one the person cannot even discover, 403 if not allowed."""
    course = policy.scope(request.user, "discover", Course.objects.all()).filter(pk=course_id).first()
    if course is None:
        raise Http404
    if not policy.can(request.user, action, course):
        raise PermissionDenied
    return course


def in_preview(request: HttpRequest, course: Course) -> bool:
    """Whether a teacher or TA is looking at the course as a learner would."""
    return course.pk in request.session.get(PREVIEW_SESSION_KEY, [])


def shows_hidden(request: HttpRequest, course: Course) -> bool:
    """Teachers and TAs see unpublished entries, unless they are previewing as a learner."""
    return policy.can(request.user, "preview", course) and not in_preview(request, course)
