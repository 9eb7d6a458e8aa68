"""Courses, modules, items and memberships over JSON. Same services, selectors and policy as the pages.

No `from __future__ import annotations` here: `@paginate` wraps views, and ninja resolves the wrapped
view's string annotations (`Query[CourseFilter]`) in ninja's own module, so the OpenAPI schema failed.
"""

from datetime import date, datetime
from typing import Any, Literal, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AwareDatetime, Field

from cadence import policy
from cadence.courses import selectors, services
from cadence.courses.api_access import course_for
from cadence.courses.models import Course, Invitation, Item, Membership, Module
from cadence.courses.views.common import signed_in

A = TypeVar("A", Course, Module, Item)

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
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: str = "UTC"
    pacing: PacingT = "self_paced"
    visibility: VisibilityT = "draft"
    enrolment: EnrolmentT = "open"


class CoursePatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, min_length=1, max_length=80, pattern=SLUG)
    summary: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=20000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: str | None = None
    pacing: PacingT | None = None
    visibility: VisibilityT | None = None
    enrolment: EnrolmentT | None = None


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
    is_published: bool = True


class ModulePatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    summary: str | None = Field(default=None, max_length=5000)
    is_published: bool | None = None


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
    is_published: bool = True
    is_required: bool = True
    completion_rule: CompletionRuleT = "viewed"
    completion_threshold: int = Field(default=80, ge=1, le=100)
    estimated_minutes: int | None = Field(default=None, ge=1, le=1440)
    due_at: AwareDatetime | None = Field(
        default=None, description="An instant with its offset, such as 2026-03-01T23:59:00+01:00"
    )
    due_date: date | None = Field(default=None, description="Due at the end of this day in each learner's zone")
    due_after_days: int | None = Field(default=None, ge=0, le=3650, description="Due N days after joining")


class ItemPatch(Schema):
    kind: KindT | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20000)
    is_published: bool | None = None
    is_required: bool | None = None
    completion_rule: CompletionRuleT | None = None
    completion_threshold: int | None = Field(default=None, ge=1, le=100)
    estimated_minutes: int | None = Field(default=None, ge=1, le=1440)
    due_at: AwareDatetime | None = None
    due_date: date | None = None
    due_after_days: int | None = Field(default=None, ge=0, le=3650)
    module_id: int | None = None


class OrderIn(Schema):
    ids: list[int] = Field(min_length=1, max_length=2000)


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


def _archived(request: HttpRequest, rows: QuerySet[A], pk: int) -> A:
    """A course, module or item in the archive that the user may restore; 404 for anything else."""
    found = policy.scope(request.user, "restore", rows).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


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


@router.get("/courses", response=list[CourseOut], summary="Courses you can see: the catalogue and your own")
@paginate(LimitOffsetPagination)
def list_courses(request: HttpRequest, filters: Query[CourseFilter]) -> Any:
    if filters.mine:
        courses = policy.scope(request.user, "view", Course.objects.all())
        if filters.q:
            courses = courses.filter(title__icontains=filters.q)
        return courses.order_by("title", "id")
    return selectors.catalogue(request.user, query=filters.q)


@router.post("/courses", response={201: CourseOut}, summary="Create a course (you become its teacher)")
def create_course(request: HttpRequest, payload: CourseIn) -> Status[Course]:
    if not policy.can(request.user, "create_course"):
        raise PermissionDenied
    return Status(201, services.create_course(actor=signed_in(request), data=payload.dict()))


@router.get("/courses/{course_id}", response=CourseOut)
def get_course(request: HttpRequest, course_id: int) -> Course:
    return course_for(request, course_id, "discover")


@router.patch("/courses/{course_id}", response=CourseOut)
def update_course(request: HttpRequest, course_id: int, payload: CoursePatch) -> Course:
    course = course_for(request, course_id, "edit")
    return services.update_course(actor=signed_in(request), course=course, data=payload.dict(exclude_unset=True))


@router.post(
    "/courses/{course_id}/join", response={201: MembershipOut}, summary="Join an open course or one with a code"
)
def join_course(request: HttpRequest, course_id: int, payload: JoinIn) -> Status[Membership]:
    course = course_for(request, course_id, "discover")
    return Status(201, services.join_course(user=signed_in(request), course=course, code=payload.code))


@router.get("/courses/{course_id}/modules", response=list[ModuleOut])
def list_modules(request: HttpRequest, course_id: int) -> list[Module]:
    course = course_for(request, course_id)
    return policy.scope(request.user, "view", Module.objects.filter(course=course)).order_by("position", "id")  # type: ignore[return-value]  # ninja serialises the queryset


@router.post("/courses/{course_id}/modules", response={201: ModuleOut})
def create_module(request: HttpRequest, course_id: int, payload: ModuleIn) -> Status[Module]:
    course = course_for(request, course_id, "edit")
    return Status(201, services.create_module(actor=signed_in(request), course=course, data=payload.dict()))


@router.put("/courses/{course_id}/modules/order", response=list[ModuleOut], summary="Reorder all modules")
def reorder_modules(request: HttpRequest, course_id: int, payload: OrderIn) -> Any:
    course = course_for(request, course_id, "edit")
    services.reorder_modules(actor=signed_in(request), course=course, ordered_ids=payload.ids)
    return Module.objects.filter(course=course).order_by("position", "id")


@router.get("/modules/{module_id}", response=ModuleOut)
def get_module(request: HttpRequest, module_id: int) -> Module:
    return _module(request, module_id)


@router.patch("/modules/{module_id}", response=ModuleOut)
def update_module(request: HttpRequest, module_id: int, payload: ModulePatch) -> Module:
    module = _module(request, module_id, "edit")
    return services.update_module(actor=signed_in(request), module=module, data=payload.dict(exclude_unset=True))


@router.delete(
    "/modules/{module_id}",
    response={204: None},
    summary="Delete a module: it goes to the course archive with its items and all learner work, restorable",
)
def delete_module(request: HttpRequest, module_id: int) -> Status[None]:
    module = _module(request, module_id, "edit")
    services.archive_module(actor=signed_in(request), module=module, now=timezone.now())
    return Status(204, None)


@router.post("/modules/{module_id}/restore", response=ModuleOut, summary="Restore an archived module to its place")
def restore_module(request: HttpRequest, module_id: int) -> Module:
    module = _archived(request, Module.all_objects.select_related("course"), module_id)
    return services.restore_module(actor=signed_in(request), module=module)


@router.get("/modules/{module_id}/items", response=list[ItemOut])
def list_items(request: HttpRequest, module_id: int) -> Any:
    module = _module(request, module_id)
    return policy.scope(request.user, "view", Item.objects.filter(module=module)).order_by("position", "id")


@router.post("/modules/{module_id}/items", response={201: ItemOut})
def create_item(request: HttpRequest, module_id: int, payload: ItemIn) -> Status[Item]:
    module = _module(request, module_id, "edit")
    return Status(201, services.create_item(actor=signed_in(request), module=module, data=payload.dict()))


@router.put("/modules/{module_id}/items/order", response=list[ItemOut], summary="Reorder all items of a module")
def reorder_items(request: HttpRequest, module_id: int, payload: OrderIn) -> Any:
    module = _module(request, module_id, "edit")
    services.reorder_items(actor=signed_in(request), module=module, ordered_ids=payload.ids)
    return Item.objects.filter(module=module).order_by("position", "id")


@router.get("/items/{item_id}", response=ItemOut)
def get_item(request: HttpRequest, item_id: int) -> Item:
    return _item(request, item_id)


@router.patch("/items/{item_id}", response=ItemOut)
def update_item(request: HttpRequest, item_id: int, payload: ItemPatch) -> Item:
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
    response={204: None},
    summary="Delete an item: it goes to the course archive with all learner work, restorable",
)
def delete_item(request: HttpRequest, item_id: int) -> Status[None]:
    services.archive_item(actor=signed_in(request), item=_item(request, item_id, "edit"), now=timezone.now())
    return Status(204, None)


@router.post(
    "/items/{item_id}/restore",
    response=ItemOut,
    summary="Restore an archived item to its place (its module must not be archived)",
)
def restore_item(request: HttpRequest, item_id: int) -> Item:
    item = _archived(request, Item.all_objects.select_related("course", "module"), item_id)
    return services.restore_item(actor=signed_in(request), item=item)


@router.get(
    "/courses/{course_id}/archive", response=ArchiveOut, summary="The course archive: deleted modules and items"
)
def course_archive(request: HttpRequest, course_id: int) -> Any:
    course = course_for(request, course_id, "edit")
    archive = selectors.course_archive(course)
    return {
        "modules": [_archived_out(m) for m in archive.modules],
        "items": [_archived_out(i) for i in archive.items],
    }


@router.delete(
    "/courses/{course_id}",
    response={204: None},
    summary="Delete a course: it vanishes for everyone and is kept whole in the archive, restorable",
)
def delete_course(request: HttpRequest, course_id: int) -> Status[None]:
    course = course_for(request, course_id, "edit")
    services.archive_course(actor=signed_in(request), course=course, now=timezone.now())
    return Status(204, None)


@router.post("/courses/{course_id}/restore", response=CourseOut, summary="Restore a deleted course")
def restore_course(request: HttpRequest, course_id: int) -> Course:
    course = _archived(request, Course.all_objects.all(), course_id)
    return services.restore_course(actor=signed_in(request), course=course)


@router.get("/courses/{course_id}/memberships", response=list[MembershipOut])
@paginate(LimitOffsetPagination)
def list_memberships(request: HttpRequest, course_id: int) -> Any:
    course = course_for(request, course_id)
    return policy.scope(request.user, "view", selectors.roster(course))


@router.post(
    "/courses/{course_id}/memberships",
    response={201: MembershipOut, 202: InvitationOut},
    summary="Add a person by email: 201 if they have an account, 202 when an invitation was sent",
)
def add_membership(request: HttpRequest, course_id: int, payload: MembershipIn) -> Status[Membership | Invitation]:
    course = course_for(request, course_id, "manage_people")
    result = services.add_person(actor=signed_in(request), course=course, now=timezone.now(), **payload.dict())
    return Status(202 if isinstance(result, Invitation) else 201, result)


@router.get("/memberships/{membership_id}", response=MembershipOut)
def get_membership(request: HttpRequest, membership_id: int) -> Membership:
    return _membership(request, membership_id, "view")


@router.patch("/memberships/{membership_id}", response=MembershipOut)
def update_membership(request: HttpRequest, membership_id: int, payload: MembershipPatch) -> Membership:
    membership = _membership(request, membership_id, "edit")
    return services.change_role(actor=signed_in(request), membership=membership, role=payload.role)


@router.delete("/memberships/{membership_id}", response={204: None})
def delete_membership(request: HttpRequest, membership_id: int) -> Status[None]:
    services.remove_member(actor=signed_in(request), membership=_membership(request, membership_id, "edit"))
    return Status(204, None)
