"""Courses, modules, items and memberships over JSON. Same services, selectors and policy as the pages.

No `from __future__ import annotations` here: `@paginate` wraps views, and ninja resolves the wrapped
view's string annotations (`Query[CourseFilter]`) in ninja's own module, so the OpenAPI schema failed.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from cadence import policy
from cadence.access import course_for, restorable, signed_in
from cadence.core.api_types import (
    AwareDateTimeIn,
    BoolIn,
    DateIn,
    DateTimeIn,
    Id,
    IdIn,
    IntIn,
    Pagination,
    TimeZoneName,
    errors,
    omittable,
)
from cadence.core.rate import client_address
from cadence.courses import selectors, services
from cadence.courses.models import Course, Invitation, Item, Membership, Module

router = Router(tags=["courses"])

PacingT = Literal["self_paced", "cohort"]
VisibilityT = Literal["draft", "published", "archived"]
EnrolmentT = Literal["open", "code", "invitation"]
KindT = Literal["lesson", "video", "file", "link", "quiz", "assignment", "discussion", "checklist"]
RoleT = Literal["teacher", "ta", "learner", "observer"]
SLUG = r"^[-a-zA-Z0-9_]+$"


class CourseOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    description: str
    starts_at: datetime | None
    ends_at: datetime | None
    time_zone: str
    pacing: str
    visibility: str
    enrolment: str


class CourseIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=80, pattern=SLUG)
    summary: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=20000)
    starts_at: DateTimeIn | None = None
    ends_at: DateTimeIn | None = None
    time_zone: TimeZoneName = "UTC"
    pacing: PacingT = "self_paced"
    visibility: VisibilityT = "draft"
    enrolment: EnrolmentT = "open"


class CoursePatch(Schema):
    title: str = omittable(min_length=1, max_length=200)
    slug: str = omittable(min_length=1, max_length=80, pattern=SLUG)
    summary: str = omittable(max_length=300)
    description: str = omittable(max_length=20000)
    starts_at: DateTimeIn | None = None
    ends_at: DateTimeIn | None = None
    time_zone: TimeZoneName = omittable()
    pacing: PacingT = omittable()
    visibility: VisibilityT = omittable()
    enrolment: EnrolmentT = omittable()


class ModuleOut(Schema):
    id: int
    course_id: int
    title: str
    summary: str
    position: int
    is_published: bool


class ModuleIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=5000)
    is_published: BoolIn = True


class ModulePatch(Schema):
    title: str = omittable(min_length=1, max_length=200)
    summary: str = omittable(max_length=5000)
    is_published: BoolIn = omittable()


CompletionRuleT = Literal["viewed", "watched", "checklist", "marked_done", "submitted", "passed"]


class ItemOut(Schema):
    id: int
    course_id: int
    module_id: int
    kind: str
    title: str
    description: str
    position: int
    is_published: bool
    is_required: bool
    completion_rule: str
    completion_threshold: int
    estimated_minutes: int | None
    minutes: int
    due_at: datetime | None
    due_date: date | None
    due_after_days: int | None


class ItemIn(Schema):
    kind: KindT
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20000)
    is_published: BoolIn = True
    is_required: BoolIn = True
    completion_rule: CompletionRuleT = "viewed"
    completion_threshold: IntIn = Field(default=80, ge=1, le=100)
    estimated_minutes: IntIn | None = Field(default=None, ge=1, le=1440)
    due_at: AwareDateTimeIn | None = Field(
        default=None, description="An instant with its offset, such as 2026-03-01T23:59:00+01:00"
    )
    due_date: DateIn | None = Field(default=None, description="Due at the end of this day in each learner's zone")
    due_after_days: IntIn | None = Field(default=None, ge=0, le=3650, description="Due N days after joining")


class ItemPatch(Schema):
    kind: KindT = omittable()
    title: str = omittable(min_length=1, max_length=200)
    description: str = omittable(max_length=20000)
    is_published: BoolIn = omittable()
    is_required: BoolIn = omittable()
    completion_rule: CompletionRuleT = omittable()
    completion_threshold: IntIn = omittable(ge=1, le=100)
    estimated_minutes: IntIn | None = Field(default=None, ge=1, le=1440)
    due_at: AwareDateTimeIn | None = None
    due_date: DateIn | None = None
    due_after_days: IntIn | None = Field(default=None, ge=0, le=3650)
    module_id: IdIn = omittable()


class OrderIn(Schema):
    ids: list[IdIn] = Field(min_length=1, max_length=2000)


class MemberUser(Schema):
    id: int
    display_name: str
    email: str


class MembershipOut(Schema):
    id: int
    course_id: int
    role: str
    joined_at: datetime
    user: MemberUser


class MembershipIn(Schema):
    email: str = Field(min_length=3, max_length=254)
    role: RoleT = "learner"
    display_name: str = Field(default="", max_length=100)


class InvitationOut(Schema):
    id: int
    course_id: int
    email: str
    role: str
    expires_at: datetime


class MembershipPatch(Schema):
    role: RoleT


class JoinIn(Schema):
    code: str = Field(default="", max_length=32)


class ArchivedOut(Schema):
    id: int
    title: str
    module_id: int | None
    removed_at: datetime
    removed_by: str
    module_archived: bool = Field(description="An item whose module is archived too: restore the module first")


class ArchiveOut(Schema):
    modules: list[ArchivedOut]
    items: list[ArchivedOut]


class CourseFilter(Schema):
    q: str = Field(default="", max_length=200)
    mine: bool = False


def _module(request: HttpRequest, module_id: int, action: str = "view") -> Module:
    module = policy.scope(request.user, "view", Module.objects.select_related("course")).filter(pk=module_id).first()
    if module is None:
        raise Http404
    if not policy.can(request.user, action, module):
        raise PermissionDenied
    return module


def _item(request: HttpRequest, item_id: int, action: str = "view") -> Item:
    item = (
        policy.scope(request.user, "view", Item.objects.select_related("course", "module")).filter(pk=item_id).first()
    )
    if item is None:
        raise Http404
    if not policy.can(request.user, action, item):
        raise PermissionDenied
    return item


def _archived_out(row: Module | Item) -> dict[str, Any]:
    return {
        "id": row.pk,
        "title": row.title,
        "module_id": row.module_id if isinstance(row, Item) else None,
        "removed_at": row.removed_at,
        "removed_by": row.removed_by.display_name if row.removed_by else "",
        "module_archived": isinstance(row, Item) and row.module.removed_at is not None,
    }


def _membership(request: HttpRequest, membership_id: int, action: str) -> Membership:
    membership = (
        policy.scope(request.user, "view", Membership.objects.select_related("course", "user"))
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404
    if not policy.can(request.user, action, membership):
        raise PermissionDenied
    return membership


@router.get(
    "/courses",
    response={200: list[CourseOut], **errors(422)},
    summary="Courses you can see: the catalogue and your own",
)
@paginate(Pagination)
def list_courses(request: HttpRequest, filters: Query[CourseFilter]) -> Any:
    if filters.mine:
        courses = policy.scope(request.user, "view", Course.objects.all())
        if filters.q:
            courses = courses.filter(title__icontains=filters.q)
        return courses.order_by("title", "id")
    return selectors.catalogue(request.user, query=filters.q)


@router.post(
    "/courses",
    response={201: CourseOut, **errors(400, 403, 409, 422)},
    summary="Create a course (you become its teacher)",
)
def create_course(request: HttpRequest, payload: CourseIn) -> Status[Course]:
    if not policy.can(request.user, "create_course"):
        raise PermissionDenied
    return Status(201, services.create_course(actor=signed_in(request), data=payload.dict()))


@router.get("/courses/{course_id}", response={200: CourseOut, **errors(404, 422)})
def get_course(request: HttpRequest, course_id: Id) -> Course:
    return course_for(request, course_id, "discover")


@router.patch("/courses/{course_id}", response={200: CourseOut, **errors(400, 403, 404, 409, 422)})
def update_course(request: HttpRequest, course_id: Id, payload: CoursePatch) -> Course:
    course = course_for(request, course_id, "edit")
    return services.update_course(actor=signed_in(request), course=course, data=payload.dict(exclude_unset=True))


@router.post(
    "/courses/{course_id}/join",
    response={201: MembershipOut, **errors(400, 403, 404, 409, 422, 429)},
    summary="Join an open course or one with a code",
)
def join_course(request: HttpRequest, course_id: Id, payload: JoinIn) -> Status[Membership]:
    course = course_for(request, course_id, "discover")
    membership = services.join_course(
        user=signed_in(request), course=course, code=payload.code, address=client_address(request), now=timezone.now()
    )
    return Status(201, membership)


@router.get("/courses/{course_id}/modules", response={200: list[ModuleOut], **errors(403, 404, 422)})
def list_modules(request: HttpRequest, course_id: Id) -> list[Module]:
    course = course_for(request, course_id)
    return policy.scope(request.user, "view", Module.objects.filter(course=course)).order_by("position", "id")  # type: ignore[return-value]  # ninja serialises the queryset


@router.post("/courses/{course_id}/modules", response={201: ModuleOut, **errors(400, 403, 404, 422)})
def create_module(request: HttpRequest, course_id: Id, payload: ModuleIn) -> Status[Module]:
    course = course_for(request, course_id, "edit")
    return Status(201, services.create_module(actor=signed_in(request), course=course, data=payload.dict()))


@router.put(
    "/courses/{course_id}/modules/order",
    response={200: list[ModuleOut], **errors(400, 403, 404, 422)},
    summary="Reorder all modules",
)
def reorder_modules(request: HttpRequest, course_id: Id, payload: OrderIn) -> Any:
    course = course_for(request, course_id, "edit")
    services.reorder_modules(actor=signed_in(request), course=course, ordered_ids=payload.ids)
    return Module.objects.filter(course=course).order_by("position", "id")


@router.get("/modules/{module_id}", response={200: ModuleOut, **errors(403, 404, 422)})
def get_module(request: HttpRequest, module_id: Id) -> Module:
    return _module(request, module_id)


@router.patch("/modules/{module_id}", response={200: ModuleOut, **errors(400, 403, 404, 422)})
def update_module(request: HttpRequest, module_id: Id, payload: ModulePatch) -> Module:
    module = _module(request, module_id, "edit")
    return services.update_module(actor=signed_in(request), module=module, data=payload.dict(exclude_unset=True))


@router.delete(
    "/modules/{module_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Delete a module: it goes to the course archive with its items and all learner work, restorable",
)
def delete_module(request: HttpRequest, module_id: Id) -> Status[None]:
    module = _module(request, module_id, "edit")
    services.archive_module(actor=signed_in(request), module=module, now=timezone.now())
    return Status(204, None)


@router.post(
    "/modules/{module_id}/restore",
    response={200: ModuleOut, **errors(403, 404, 409, 422)},
    summary="Restore an archived module to its place",
)
def restore_module(request: HttpRequest, module_id: Id) -> Module:
    module = restorable(request, Module.all_objects.select_related("course"), module_id)
    return services.restore_module(actor=signed_in(request), module=module)


@router.get("/modules/{module_id}/items", response={200: list[ItemOut], **errors(403, 404, 422)})
def list_items(request: HttpRequest, module_id: Id) -> Any:
    module = _module(request, module_id)
    return policy.scope(request.user, "view", Item.objects.filter(module=module)).order_by("position", "id")


@router.post("/modules/{module_id}/items", response={201: ItemOut, **errors(400, 403, 404, 422)})
def create_item(request: HttpRequest, module_id: Id, payload: ItemIn) -> Status[Item]:
    module = _module(request, module_id, "edit")
    return Status(201, services.create_item(actor=signed_in(request), module=module, data=payload.dict()))


@router.put(
    "/modules/{module_id}/items/order",
    response={200: list[ItemOut], **errors(400, 403, 404, 422)},
    summary="Reorder all items of a module",
)
def reorder_items(request: HttpRequest, module_id: Id, payload: OrderIn) -> Any:
    module = _module(request, module_id, "edit")
    services.reorder_items(actor=signed_in(request), module=module, ordered_ids=payload.ids)
    return Item.objects.filter(module=module).order_by("position", "id")


@router.get("/items/{item_id}", response={200: ItemOut, **errors(403, 404, 422)})
def get_item(request: HttpRequest, item_id: Id) -> Item:
    return _item(request, item_id)


@router.patch("/items/{item_id}", response={200: ItemOut, **errors(400, 403, 404, 422)})
def update_item(request: HttpRequest, item_id: Id, payload: ItemPatch) -> Item:
    item = _item(request, item_id, "edit")
    data = payload.dict(exclude_unset=True)
    target = None
    if "module_id" in data:
        target = Module.objects.filter(pk=data.pop("module_id"), course_id=item.course_id).first()
        if target is None:
            raise Http404
    return services.update_item(actor=signed_in(request), item=item, data=data, module=target)


@router.delete(
    "/items/{item_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Delete an item: it goes to the course archive with all learner work, restorable",
)
def delete_item(request: HttpRequest, item_id: Id) -> Status[None]:
    services.archive_item(actor=signed_in(request), item=_item(request, item_id, "edit"), now=timezone.now())
    return Status(204, None)


@router.post(
    "/items/{item_id}/restore",
    response={200: ItemOut, **errors(403, 404, 409, 422)},
    summary="Restore an archived item to its place (its module must not be archived)",
)
def restore_item(request: HttpRequest, item_id: Id) -> Item:
    item = restorable(request, Item.all_objects.select_related("course", "module"), item_id)
    return services.restore_item(actor=signed_in(request), item=item)


@router.get(
    "/courses/{course_id}/archive",
    response={200: ArchiveOut, **errors(403, 404, 422)},
    summary="The course archive: deleted modules and items",
)
def course_archive(request: HttpRequest, course_id: Id) -> Any:
    course = course_for(request, course_id, "edit")
    archive = selectors.course_archive(course)
    return {
        "modules": [_archived_out(m) for m in archive.modules],
        "items": [_archived_out(i) for i in archive.items],
    }


@router.delete(
    "/courses/{course_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Delete a course: it vanishes for everyone and is kept whole in the archive, restorable",
)
def delete_course(request: HttpRequest, course_id: Id) -> Status[None]:
    course = course_for(request, course_id, "edit")
    services.archive_course(actor=signed_in(request), course=course, now=timezone.now())
    return Status(204, None)


@router.post(
    "/courses/{course_id}/restore",
    response={200: CourseOut, **errors(403, 404, 409, 422)},
    summary="Restore a deleted course",
)
def restore_course(request: HttpRequest, course_id: Id) -> Course:
    course = restorable(request, Course.all_objects.all(), course_id)
    return services.restore_course(actor=signed_in(request), course=course)


@router.get("/courses/{course_id}/memberships", response={200: list[MembershipOut], **errors(403, 404, 422)})
@paginate(Pagination)
def list_memberships(request: HttpRequest, course_id: Id) -> Any:
    course = course_for(request, course_id)
    return policy.scope(request.user, "view", selectors.roster(course))


@router.post(
    "/courses/{course_id}/memberships",
    response={202: InvitationOut, **errors(400, 403, 404, 409, 422)},
    summary="Invite a person by email; they join when they accept (the same answer whether or not they have an account)",
)
def add_membership(request: HttpRequest, course_id: Id, payload: MembershipIn) -> Status[Invitation]:
    course = course_for(request, course_id, "manage_people")
    invitation = services.add_person(actor=signed_in(request), course=course, now=timezone.now(), **payload.dict())
    return Status(202, invitation)


@router.get("/memberships/{membership_id}", response={200: MembershipOut, **errors(403, 404, 422)})
def get_membership(request: HttpRequest, membership_id: Id) -> Membership:
    return _membership(request, membership_id, "view")


@router.patch("/memberships/{membership_id}", response={200: MembershipOut, **errors(400, 403, 404, 409, 422)})
def update_membership(request: HttpRequest, membership_id: Id, payload: MembershipPatch) -> Membership:
    membership = _membership(request, membership_id, "edit")
    return services.change_role(actor=signed_in(request), membership=membership, role=payload.role)


@router.delete("/memberships/{membership_id}", response={204: None, **errors(403, 404, 409, 422)})
def delete_membership(request: HttpRequest, membership_id: Id) -> Status[None]:
    services.remove_member(actor=signed_in(request), membership=_membership(request, membership_id, "edit"))
    return Status(204, None)
