"""The families app's rows of the authorisation matrix (merged into cadence/tests/test_authorisation_matrix.py).

The world's observer follows the world's learner (a confirmed link). Only they see the learner's family page;
everyone else, staff included, gets 404. A follow request is decided by its learner or a teacher of the course.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.courses.models import Membership, Role
from cadence.courses.tests.factories import MembershipFactory
from cadence.families.models import FollowRequest
from cadence.tests.matrix import GO, LOGIN, OK, Case, Ctx, Row, page, signed_in, url

#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
FOLLOWER_ONLY = Row(LOGIN, 404, 404, 404, 404, 404, OK)
OBSERVER_GO = Row(LOGIN, 404, 404, 404, 404, 404, GO)
LEARNER_OR_TEACHER_GO = Row(LOGIN, 404, GO, 404, GO, GO, 404)


def _learner_page(c: Ctx) -> str:
    return reverse("families:learner", args=[c.world.learner.pk])


def _pending_request(c: Ctx) -> FollowRequest:
    """A second parent asks to follow the world's learner."""
    parent = MembershipFactory(course=c.world.course, user=UserFactory(), role=Role.OBSERVER)
    learner = Membership.objects.get(course=c.world.course, user=c.world.learner)
    return FollowRequest.objects.create(
        observer=parent, learner=learner, requested_by=parent.user, requested_at=timezone.now()
    )


def _request_url(name: str) -> Callable[[Ctx], str]:
    return lambda c: reverse(name, args=[_pending_request(c).pk])


def _follow_form(c: Ctx) -> dict[str, object]:
    other = MembershipFactory(course=c.world.course, user=UserFactory(), role=Role.LEARNER)
    return {"course": c.world.course.pk, "email": other.user.email}


PAGES: dict[str, Case] = {
    "GET families:home": Case(page("GET", url("families:home")), signed_in(OK)),
    "GET families:learner": Case(page("GET", _learner_page), FOLLOWER_ONLY),
    "POST families:follow": Case(page("POST", url("families:follow"), _follow_form), OBSERVER_GO),
    "GET families:followers": Case(page("GET", url("families:followers")), signed_in(OK)),
    "POST families:request-confirm": Case(
        page("POST", _request_url("families:request-confirm")), LEARNER_OR_TEACHER_GO
    ),
    "POST families:request-decline": Case(
        page("POST", _request_url("families:request-decline")), LEARNER_OR_TEACHER_GO
    ),
}
ENDPOINTS: dict[str, Case] = {}
