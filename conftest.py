"""Fixtures shared by every app's tests: a course with one person in each role."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.core.testing.smtp import SmtpServer
from cadence.courses.models import Course, Item, Membership, Module, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.tests.policy_world import PolicyWorld
from cadence.tests.policy_world import build as build_policy_world


@dataclass
class CourseWorld:
    course: Course
    modules: list[Module]
    items: list[Item]
    teacher: User
    ta: User
    learner: User
    observer: User
    outsider: User
    admin: User
    learner_membership: Membership

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    # Each test's database starts over, so course ids and versions repeat: no outline may outlive its test.
    from cadence.courses import outline_cache

    cache.clear()
    outline_cache.forget_local()
    yield
    cache.clear()
    outline_cache.forget_local()


@pytest.fixture
def one_instant() -> Iterator[datetime]:
    """Time stands still for the test: fixed-window rate limits count per minute or hour, and a window ending
    between two requests on a slow machine would reset the count and make the test flaky."""
    moment = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def _build_world() -> CourseWorld:
    course = CourseFactory(title="Data Literacy", slug="data-literacy", enrolment="open")
    modules = [ModuleFactory(course=course, title=f"Module {n}", position=n) for n in range(2)]
    items = [ItemFactory(module=m, title=f"{m.title} item {n}", position=n) for m in modules for n in range(3)]
    people = {
        role: UserFactory(display_name=role.title()) for role in ("teacher", "ta", "learner", "observer", "outsider")
    }
    admin = UserFactory(display_name="Admin", is_staff=True, is_superuser=True)
    MembershipFactory(user=people["teacher"], course=course, role=Role.TEACHER)
    MembershipFactory(user=people["ta"], course=course, role=Role.TA)
    learner_membership = MembershipFactory(user=people["learner"], course=course, role=Role.LEARNER)
    observer_membership = MembershipFactory(user=people["observer"], course=course, role=Role.OBSERVER)
    observer_membership.observed.add(learner_membership)
    return CourseWorld(
        course=course,
        modules=modules,
        items=items,
        admin=admin,
        learner_membership=learner_membership,
        **people,
    )


@pytest.fixture
def world(db: None) -> CourseWorld:
    return _build_world()


@pytest.fixture(scope="module")
def _module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[CourseWorld]:
    """One world per module, inside a transaction that each test's own (nested) transaction rolls back to."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def shared_world(_module_world: CourseWorld, db: None) -> CourseWorld:
    """The same world as `world`, built once per module instead of once per test.

    For modules of many short tests that only use the world (the authorisation matrix: thousands of cases):
    whatever a test writes is rolled back when it ends, as with `world`, and each test gets its own copies
    of the objects, so one test's changes to them in memory (a cached role, `last_login`) never reach the
    next. Not for transactional tests (`transaction=True`, `live_server`), which commit. A module opts in
    with `@pytest.fixture def world(shared_world): return shared_world`.
    """
    return copy.deepcopy(_module_world)


@pytest.fixture
def policy_world(world: CourseWorld) -> PolicyWorld:
    """The world extended so that every rule of the policy has objects to try and people to try them."""
    return build_policy_world(world)


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1; email sent during the test goes there over the network."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        server.stop()
