"""The authorisation matrix's vocabulary: actors, outcomes, rows and request builders.

`test_authorisation_matrix.py` holds the tables and builds its rows from these names; an app's own
rows can live beside its tests and be merged into those tables, using the same names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.models import ApiToken, User
from cadence.accounts.services import create_api_token
from cadence.accounts.tests.factories import UserFactory
from cadence.courses import services as course_services
from cadence.courses.models import Item, Membership, Module, Role
from cadence.courses.tests.factories import ItemFactory, MembershipFactory, ModuleFactory
from cadence.progress.models import Note, ReleaseOverride
from cadence.progress.services import grant_release_override
from conftest import CourseWorld

ACTORS = ("anonymous", "outsider", "learner", "ta", "teacher", "admin", "observer")

OK = 200
LOGIN = "login"
GO = "go"
REFUSED = "refused"
SIGNED_OUT = "signed-out"
ADMIN_LOGIN = "admin-login"
Outcome = int | str

ALLOWED: frozenset[Outcome] = frozenset({OK, 201, 202, 204, GO, SIGNED_OUT})
DENIED: frozenset[Outcome] = frozenset({LOGIN, ADMIN_LOGIN, 401, 403, 404})
# Served, but a rule of the domain (not of permission) said no: joining twice, an invitation already used.
SERVED_BUT_REFUSED: frozenset[Outcome] = frozenset({REFUSED, 409})


class Row(NamedTuple):
    """What each actor gets, in the order of ACTORS."""

    anonymous: Outcome
    outsider: Outcome
    learner: Outcome
    ta: Outcome
    teacher: Outcome
    admin: Outcome
    observer: Outcome


def everyone(outcome: Outcome) -> Row:
    return Row(outcome, outcome, outcome, outcome, outcome, outcome, outcome)


def signed_in(outcome: Outcome, anonymous: Outcome = LOGIN) -> Row:
    return Row(anonymous, outcome, outcome, outcome, outcome, outcome, outcome)


# --- What a case sends ------------------------------------------------------------------------------
@dataclass
class Ctx:
    """One test's world and actor, with helpers that make the objects a request needs."""

    world: CourseWorld
    actor: str

    @property
    def user(self) -> User | None:
        return self.world.user(self.actor)

    @property
    def slug(self) -> str:
        return self.world.course.slug

    @property
    def course_id(self) -> int:
        return self.world.course.pk

    def someone(self) -> User:
        """The actor, or for anonymous visitors the learner (whose objects they must not touch)."""
        return self.user or self.world.learner

    def fresh_module(self) -> Module:
        module = ModuleFactory.create(course=self.world.course, title="Disposable module", position=99)
        ItemFactory(module=module, title="Disposable item", position=0)
        return module

    def fresh_item(self, *, is_published: bool = True) -> Item:
        return ItemFactory.create(
            module=self.world.modules[0], title="Disposable item", position=99, is_published=is_published
        )

    def done_by_learner_item(self) -> Item:
        """An item the learner completes by marking it done."""
        return ItemFactory.create(
            module=self.world.modules[0], title="Mark me done", position=98, completion_rule="marked_done"
        )

    def hidden_module(self) -> Module:
        return ModuleFactory.create(course=self.world.course, title="Hidden module", position=98, is_published=False)

    def note_of(self, user: User) -> Note:
        return Note.objects.create(
            user=user, course=self.world.course, item=self.world.items[0], body="x",
            created_at=timezone.now(), updated_at=timezone.now(),
        )  # fmt: skip

    def override(self) -> ReleaseOverride:
        """Early access to the second item, granted by the teacher to the learner."""
        return grant_release_override(
            actor=self.world.teacher, target=self.world.items[1], learner=self.world.learner, now=timezone.now()
        )

    def fresh_learner(self) -> Membership:
        return MembershipFactory.create(
            course=self.world.course, role=Role.LEARNER, user=UserFactory.create(display_name="Other")
        )

    def token_of(self, user: User) -> ApiToken:
        return create_api_token(user=user, name="matrix").token

    def invitation_token(self, email: str) -> str:
        """A real invitation from the teacher; the token is read from the email it sends."""
        with TestCase.captureOnCommitCallbacks(execute=True):
            course_services.invite(actor=self.world.teacher, course=self.world.course, email=email, now=timezone.now())
        match = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body)
        assert match is not None
        return match.group(1)


@dataclass(frozen=True)
class Req:
    method: str
    url: str
    data: Mapping[str, Any] = field(default_factory=dict)


Builder = Callable[[Ctx], Req]


@dataclass(frozen=True)
class Case:
    build: Builder
    expect: Row


def page(method: str, url: Callable[[Ctx], str], data: Callable[[Ctx], Mapping[str, Any]] | None = None) -> Builder:
    return lambda c: Req(method, url(c), data(c) if data else {})


def url(name: str, *args: Callable[[Ctx], object]) -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[arg(c) for arg in args])


def slug(c: Ctx) -> str:
    return c.slug


# --- The pages --------------------------------------------------------------------------------------
#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
TEACHERS_ONLY = Row(LOGIN, 403, 403, 403, OK, OK, 403)
TEACHERS_GO = Row(LOGIN, 403, 403, 403, GO, GO, 403)
STAFF_ONLY = Row(LOGIN, 403, 403, OK, OK, OK, 403)
MEMBERS_OK = Row(LOGIN, 403, OK, OK, OK, OK, OK)
STAFF_GO = Row(LOGIN, 403, 403, GO, GO, GO, 403)
LEARNER_GO = Row(LOGIN, 403, GO, 403, 403, 403, 403)  # the learner's own attempt
LEARNER_ONLY_GO = Row(LOGIN, 403, GO, REFUSED, REFUSED, REFUSED, REFUSED)  # only learners submit


# --- The API ----------------------------------------------------------------------------------------
API = "/api/v1"


def call(method: str, path: Callable[[Ctx], str], body: Callable[[Ctx], Mapping[str, Any]] | None = None) -> Builder:
    return lambda c: Req(method, API + path(c), body(c) if body else {})


def const(path: str) -> Callable[[Ctx], str]:
    return lambda c: path


def course_path(suffix: str = "") -> Callable[[Ctx], str]:
    return lambda c: f"/courses/{c.course_id}{suffix}"


def module_path(suffix: str = "") -> Callable[[Ctx], str]:
    return lambda c: f"/modules/{c.world.modules[0].pk}{suffix}"


def item_path(c: Ctx) -> str:
    return f"/items/{c.world.items[0].pk}"


def learner_membership_path(c: Ctx) -> str:
    return f"/memberships/{c.world.learner_membership.pk}"


#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
API_EDIT = Row(401, 404, 403, 403, 200, 200, 403)  # modules and items: outsiders cannot see them
API_COURSE_EDIT = Row(401, 403, 403, 403, 200, 200, 403)  # outsiders can discover the course
API_READ = Row(401, 404, 200, 200, 200, 200, 200)
