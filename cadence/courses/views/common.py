"""Shared view helpers: fetch through the policy (404 if unseen, 403 if not allowed)."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest

from cadence import policy
from cadence.accounts.models import User
from cadence.courses import selectors
from cadence.courses.models import Course, Item, Module

PREVIEW_SESSION_KEY = "cadence_preview_courses"


def signed_in(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


M = TypeVar("M", bound=Model)


def allowed(request: HttpRequest, obj: M | None, action: str) -> M:
    """An object fetched through the policy's scope: 404 when there is none, 403 when `action` is not allowed."""
    if obj is None:
        raise Http404
    if not policy.can(request.user, action, obj):
        raise PermissionDenied
    return obj


def get_course(request: HttpRequest, slug: str, action: str = "view") -> Course:
    course = selectors.course_by_slug(request.user, slug, "discover")
    if course is None:
        raise Http404
    if not policy.can(request.user, action, course):
        if action == "view" and not policy.can(request.user, "discover", course):
            raise Http404
        raise PermissionDenied
    return course


def get_module(request: HttpRequest, course: Course, module_id: int, action: str) -> Module:
    module = selectors.module_in_course(course, module_id)
    if module is None or not policy.can(request.user, "view", module):
        raise Http404
    if not policy.can(request.user, action, module):
        raise PermissionDenied
    return module


def get_item(request: HttpRequest, course: Course, item_id: int, action: str) -> Item:
    item = selectors.item_in_course(course, item_id)
    if item is None or not policy.can(request.user, "view", item):
        raise Http404
    if not policy.can(request.user, action, item):
        raise PermissionDenied
    return item


def in_preview(request: HttpRequest, course: Course) -> bool:
    return course.pk in request.session.get(PREVIEW_SESSION_KEY, [])


def shows_hidden(request: HttpRequest, course: Course) -> bool:
    """Teachers and TAs see unpublished entries, unless they are previewing as a learner."""
    return policy.can(request.user, "preview", course) and not in_preview(request, course)
