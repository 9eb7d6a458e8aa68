"""The course archive's and the accommodations API's rows of the authorisation matrix (merged into
cadence/tests/test_authorisation_matrix.py).

Deleting a course, module or item archives it; only the course's teachers (and site administrators) see the
archive and restore from it. Something in the archive is not even acknowledged to anyone else (404).

Accommodations: the course's staff see them, its teachers give, change and remove them; to anyone else one
accommodation does not exist (404), while the course's list is a 403 (the course itself can be discovered).
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from cadence.courses import services
from cadence.courses.models import Accommodation, Course, Item, Module
from cadence.courses.tests.factories import ItemFactory
from cadence.tests.matrix import GO, LOGIN, OK, Case, Ctx, Row, call, course_path, page, slug, url


def archived_course(c: Ctx) -> Course:
    return services.archive_course(actor=c.world.teacher, course=c.world.course, now=timezone.now())


def archived_module(c: Ctx) -> Module:
    return services.archive_module(actor=c.world.teacher, module=c.fresh_module(), now=timezone.now())


def archived_item(c: Ctx, kind: str = "lesson") -> Item:
    item = ItemFactory.create(module=c.world.modules[0], title="Archived item", position=97, kind=kind)
    return services.archive_item(actor=c.world.teacher, item=item, now=timezone.now())


def accommodation_path(c: Ctx) -> str:
    row = Accommodation.objects.create(
        course=c.world.course, membership=c.world.learner_membership, time_multiplier=Decimal("1.5")
    )
    return f"/accommodations/{row.pk}"


#   Row(anonymous, outsider, learner, ta, teacher, admin, observer)
TEACHERS_ONLY = Row(LOGIN, 403, 403, 403, OK, OK, 403)
TEACHERS_GO = Row(LOGIN, 403, 403, 403, GO, GO, 403)
RESTORERS_GO = Row(LOGIN, 404, 404, 404, GO, GO, 404)  # a deleted course: nobody else may know of it

PAGES: dict[str, Case] = {
    "GET courses:course-archive": Case(page("GET", url("courses:course-archive", slug)), TEACHERS_ONLY),
    "POST courses:course-delete": Case(page("POST", url("courses:course-delete", slug)), TEACHERS_GO),
    "POST courses:course-restore": Case(
        page("POST", lambda c: reverse("courses:course-restore", args=[archived_course(c).slug])), RESTORERS_GO
    ),
    "POST courses:module-restore": Case(
        page("POST", lambda c: reverse("courses:module-restore", args=[c.slug, archived_module(c).pk])), TEACHERS_GO
    ),
    "POST courses:item-restore": Case(
        page("POST", lambda c: reverse("courses:item-restore", args=[c.slug, archived_item(c).pk])), TEACHERS_GO
    ),
    "POST assessment:gradebook-archived-counts": Case(
        page(
            "POST",
            lambda c: reverse("assessment:gradebook-archived-counts", args=[c.slug, archived_item(c, "quiz").pk]),
            lambda c: {"counts": "1"},
        ),
        TEACHERS_GO,
    ),
}

ENDPOINTS: dict[str, Case] = {
    "GET /api/v1/courses/{course_id}/archive": Case(
        call("GET", course_path("/archive")), Row(401, 403, 403, 403, 200, 200, 403)
    ),
    "DELETE /api/v1/courses/{course_id}": Case(call("DELETE", course_path()), Row(401, 403, 403, 403, 204, 204, 403)),
    "POST /api/v1/courses/{course_id}/restore": Case(
        call("POST", lambda c: f"/courses/{archived_course(c).pk}/restore"), Row(401, 404, 404, 404, 200, 200, 404)
    ),
    "POST /api/v1/modules/{module_id}/restore": Case(
        call("POST", lambda c: f"/modules/{archived_module(c).pk}/restore"), Row(401, 404, 404, 404, 200, 200, 404)
    ),
    "POST /api/v1/items/{item_id}/restore": Case(
        call("POST", lambda c: f"/items/{archived_item(c).pk}/restore"), Row(401, 404, 404, 404, 200, 200, 404)
    ),
    "GET /api/v1/courses/{course_id}/accommodations": Case(
        call("GET", course_path("/accommodations")), Row(401, 403, 403, 200, 200, 200, 403)
    ),
    "POST /api/v1/courses/{course_id}/accommodations": Case(
        call(
            "POST",
            course_path("/accommodations"),
            lambda c: {"membership_id": c.world.learner_membership.pk, "extension_days": 2},
        ),
        Row(401, 403, 403, 403, 201, 201, 403),
    ),
    "GET /api/v1/accommodations/{accommodation_id}": Case(
        call("GET", accommodation_path), Row(401, 404, 404, 200, 200, 200, 404)
    ),
    "PATCH /api/v1/accommodations/{accommodation_id}": Case(
        call("PATCH", accommodation_path, lambda c: {"extension_days": 3}), Row(401, 404, 404, 403, 200, 200, 404)
    ),
    "DELETE /api/v1/accommodations/{accommodation_id}": Case(
        call("DELETE", accommodation_path), Row(401, 404, 404, 403, 204, 204, 404)
    ),
}
