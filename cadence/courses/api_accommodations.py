"""Accommodations over JSON: the course's staff list them, teachers give, change and remove them.

The same services (audited, refreshing the learners' figures), selectors and policy as the page; a value out
of range is refused with the page's own sentence and nothing changes.

No `from __future__ import annotations` here: ninja resolves the annotations of paginated views itself.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from cadence import policy
from cadence.access import allowed, course_for, signed_in
from cadence.core.api_types import Id, IdIn, IntIn, Pagination, errors, omittable
from cadence.core.errors import InvalidInput
from cadence.courses import selectors, services
from cadence.courses.domain import accommodations as rules
from cadence.courses.models import Accommodation, Group, Membership
from cadence.courses.services.accommodations import out_of_range_message

router = Router(tags=["accommodations"])

NOTE_MAX = 300


def _number(value: object) -> object:
    """As `core.api_types.IntIn`: in a JSON body, "1.5" or true is not a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise ValueError("Give a number, not text or true/false")


def _within(code: str, low: Decimal | int, high: Decimal | int) -> AfterValidator:
    """The range check with the form's sentence (pydantic's own would say less); the 422's `detail` ends it."""

    def check(value: Any) -> Any:
        if not low <= value <= high:
            raise PydanticCustomError("out_of_range", out_of_range_message(code).rstrip("."))
        return value

    return AfterValidator(check)


def _schema(kind: str, low: Decimal | int, high: Decimal | int, description: str) -> WithJsonSchema:
    def number(value: Decimal | int) -> float | int:
        return float(value) if isinstance(value, Decimal) else value

    return WithJsonSchema({"type": kind, "minimum": number(low), "maximum": number(high), "description": description})


Multiplier = Annotated[
    Decimal,
    BeforeValidator(_number),
    _within("time_multiplier", rules.MIN_MULTIPLIER, rules.MAX_MULTIPLIER),
    _schema(
        "number",
        rules.MIN_MULTIPLIER,
        rules.MAX_MULTIPLIER,
        "Time on timed quizzes ×, with at most two decimals (1.5: half as much time again)",
    ),
]
ExtraAttempts = Annotated[
    IntIn,
    _within("extra_attempts", 0, rules.MAX_EXTRA_ATTEMPTS),
    _schema("integer", 0, rules.MAX_EXTRA_ATTEMPTS, "Extra attempts on quizzes that limit attempts"),
]
ExtensionDays = Annotated[
    IntIn,
    _within("extension_days", 0, rules.MAX_EXTENSION_DAYS),
    _schema("integer", 0, rules.MAX_EXTENSION_DAYS, "Days added to every deadline, in the learner's zone"),
]


class PersonOut(Schema):
    id: int
    display_name: str


class AccommodationOut(Schema):
    id: int
    course_id: int
    membership_id: int | None = Field(description="The learner's membership, for a learner's own accommodation")
    learner: PersonOut | None
    group_id: int | None = Field(description="The group, for every learner of a group")
    group_name: str
    time_multiplier: float
    extra_attempts: int
    extension_days: int
    note: str
    summary: str
    granted_by: PersonOut | None
    created_at: datetime
    updated_at: datetime


class AccommodationIn(Schema):
    membership_id: IdIn | None = Field(default=None, description="A learner's membership (or give group_id)")
    group_id: IdIn | None = Field(default=None, description="A group of the course (or give membership_id)")
    time_multiplier: Multiplier = Field(default=Decimal("1.00"), json_schema_extra={"default": 1.0})
    extra_attempts: ExtraAttempts = 0
    extension_days: ExtensionDays = 0
    note: str = Field(default="", max_length=NOTE_MAX, description="For staff")


class AccommodationPatch(Schema):
    time_multiplier: Multiplier = omittable()
    extra_attempts: ExtraAttempts = omittable()
    extension_days: ExtensionDays = omittable()
    note: str = omittable(max_length=NOTE_MAX)


def _out(row: Accommodation) -> dict[str, Any]:
    membership = row.membership
    return {
        "id": row.pk,
        "course_id": row.course_id,
        "membership_id": row.membership_id,
        "learner": membership.user if membership is not None else None,
        "group_id": row.group_id,
        "group_name": row.group.name if row.group is not None else "",
        "time_multiplier": float(row.time_multiplier),
        "extra_attempts": row.extra_attempts,
        "extension_days": row.extension_days,
        "note": row.note,
        "summary": rules.Effective.of(row).summary,
        "granted_by": row.granted_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _accommodation(request: HttpRequest, accommodation_id: int, action: str = "view") -> Accommodation:
    rows = Accommodation.objects.select_related("course", "membership__user", "group", "granted_by")
    found = policy.scope(request.user, "view", rows).filter(pk=accommodation_id).first()
    return allowed(request, found, action)


@router.get(
    "/courses/{course_id}/accommodations",
    response={200: list[AccommodationOut], **errors(403, 404, 422)},
    summary="The course's accommodations you may see: groups' first, then learners', by name",
)
@paginate(Pagination)
def list_accommodations(request: HttpRequest, course_id: Id) -> Any:
    course = course_for(request, course_id, "view_accommodations")
    return [_out(row) for row in selectors.course_accommodations(request.user, course)]


@router.post(
    "/courses/{course_id}/accommodations",
    response={201: AccommodationOut, **errors(400, 403, 404, 422)},
    summary="Give a learner (membership_id) or every learner of a group (group_id) an accommodation; "
    "one they already have is replaced",
)
def create_accommodation(request: HttpRequest, course_id: Id, payload: AccommodationIn) -> Status[dict[str, Any]]:
    course = course_for(request, course_id, "manage_accommodations")
    learner = group = None
    if payload.membership_id is not None:
        learner = Membership.objects.filter(course=course, pk=payload.membership_id).select_related("user").first()
        if learner is None:
            raise InvalidInput(_("membership_id: choose a learner of this course."))
    if payload.group_id is not None:
        group = Group.objects.filter(course=course, pk=payload.group_id).first()
        if group is None:
            raise InvalidInput(_("group_id: choose a group of this course."))
    data = services.AccommodationInput(
        time_multiplier=payload.time_multiplier,
        extra_attempts=payload.extra_attempts,
        extension_days=payload.extension_days,
        note=payload.note,
    )
    row = services.set_accommodation(actor=signed_in(request), course=course, data=data, learner=learner, group=group)
    return Status(201, _out(row))


@router.get(
    "/accommodations/{accommodation_id}",
    response={200: AccommodationOut, **errors(403, 404, 422)},
    summary="One accommodation",
)
def get_accommodation(request: HttpRequest, accommodation_id: Id) -> dict[str, Any]:
    return _out(_accommodation(request, accommodation_id))


@router.patch(
    "/accommodations/{accommodation_id}",
    response={200: AccommodationOut, **errors(400, 403, 404, 422)},
    summary="Change an accommodation (fields left out keep their values)",
)
def update_accommodation(request: HttpRequest, accommodation_id: Id, payload: AccommodationPatch) -> dict[str, Any]:
    row = _accommodation(request, accommodation_id, "edit")
    changes = payload.dict(exclude_unset=True)
    data = services.AccommodationInput(
        time_multiplier=changes.get("time_multiplier", row.time_multiplier),
        extra_attempts=changes.get("extra_attempts", row.extra_attempts),
        extension_days=changes.get("extension_days", row.extension_days),
        note=changes.get("note", row.note),
    )
    saved = services.set_accommodation(
        actor=signed_in(request), course=row.course, data=data, learner=row.membership, group=row.group
    )
    return _out(saved)


@router.delete(
    "/accommodations/{accommodation_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Remove an accommodation",
)
def delete_accommodation(request: HttpRequest, accommodation_id: Id) -> Status[None]:
    row = _accommodation(request, accommodation_id, "edit")
    services.remove_accommodation(actor=signed_in(request), accommodation=row)
    return Status(204, None)
