"""Writing courses, modules and items: create, edit, reorder, archive (delete) and restore.

Deleting structure archives it (`removed_at`): learner work hangs on it and is never destroyed by a
structural edit. Only a site administrator purges, after a retention period (cadence.courses.purge).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import Conflict, InvalidInput
from cadence.core.tokens import short_code
from cadence.courses import item_types, versioning
from cadence.courses.models import Course, EnrolmentMode, Item, Membership, Module, Role

COURSE_FIELDS = (
    "title", "slug", "summary", "description", "starts_at", "ends_at",
    "time_zone", "pacing", "visibility", "enrolment",
)  # fmt: skip
MODULE_FIELDS = ("title", "summary", "is_published")
ITEM_FIELDS = (
    "title", "kind", "description", "is_published", "is_required",
    "completion_rule", "completion_threshold", "estimated_minutes", "due_at", "due_date", "due_after_days",
)  # fmt: skip


def _validated(obj: Any) -> None:
    """Field and constraint checks; uniqueness is left to the database (IntegrityError → Conflict)."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=True)
    except ValidationError as exc:
        raise InvalidInput(_format_errors(exc)) from exc


def _format_errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _apply(obj: Any, data: Mapping[str, Any], allowed: Sequence[str]) -> list[str]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    for field, value in data.items():
        setattr(obj, field, value)
    return list(data)


def _ensure_code(course: Course) -> None:
    if course.enrolment == EnrolmentMode.CODE and not course.enrolment_code:
        course.enrolment_code = short_code()


@transaction.atomic
def create_course(*, actor: User, data: Mapping[str, Any]) -> Course:
    """Create a course; its creator becomes its first teacher."""
    policy.require(actor, "create_course")
    course = Course()
    _apply(course, data, COURSE_FIELDS)
    _ensure_code(course)
    _validated(course)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError as exc:
        raise Conflict(_("A course with this short name already exists.")) from exc
    membership = Membership.objects.create(user=actor, course=course, role=Role.TEACHER)
    policy.forget_roles(actor)
    audit.record(actor=actor, verb="course.created", obj=course, course_id=course.pk)
    audit.record(actor=actor, verb="membership.added", obj=membership, course_id=course.pk, role=Role.TEACHER)
    return course


@transaction.atomic
def update_course(*, actor: User, course: Course, data: Mapping[str, Any]) -> Course:
    policy.require(actor, "edit", course)
    changed = _apply(course, data, COURSE_FIELDS)
    _ensure_code(course)
    _validated(course)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError as exc:
        raise Conflict(_("A course with this short name already exists.")) from exc
    audit.record(actor=actor, verb="course.updated", obj=course, course_id=course.pk, fields=changed)
    return course


@transaction.atomic
def regenerate_enrolment_code(*, actor: User, course: Course) -> Course:
    policy.require(actor, "manage_people", course)
    course.enrolment_code = short_code()
    course.save(update_fields=["enrolment_code", "updated_at"])
    audit.record(actor=actor, verb="course.code_regenerated", obj=course, course_id=course.pk)
    return course


def _next_position(qs: QuerySet[Any]) -> int:
    highest = qs.aggregate(m=Max("position"))["m"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def create_module(*, actor: User, course: Course, data: Mapping[str, Any]) -> Module:
    policy.require(actor, "edit", course)
    module = Module(course=course)
    _apply(module, data, MODULE_FIELDS)
    module.position = _next_position(Module.objects.filter(course=course))
    _validated(module)
    module.save()
    audit.record(actor=actor, verb="module.created", obj=module, course_id=course.pk)
    return module


@transaction.atomic
def update_module(*, actor: User, module: Module, data: Mapping[str, Any]) -> Module:
    policy.require(actor, "edit", module)
    changed = _apply(module, data, MODULE_FIELDS)
    _validated(module)
    module.save(update_fields=changed or None)
    return module


@transaction.atomic
def archive_module(*, actor: User, module: Module, now: datetime) -> Module:
    """ "Delete" a module: it leaves the outline with its items and goes to the course archive, kept whole."""
    policy.require(actor, "edit", module)
    module = Module.all_objects.select_for_update().get(pk=module.pk)
    if module.removed_at is not None:
        raise Conflict(_("This module is already in the archive."))
    module.removed_at, module.removed_by = now, actor
    module.save(update_fields=["removed_at", "removed_by"])
    _renumber(list(Module.objects.filter(course_id=module.course_id).select_for_update().order_by("position", "id")))
    audit.record(actor=actor, verb="module.archived", obj=module, course_id=module.course_id, title=module.title)
    return module


@transaction.atomic
def restore_module(*, actor: User, module: Module) -> Module:
    """Bring an archived module back where it was, with every item that was not archived on its own."""
    module = Module.all_objects.select_for_update().select_related("course").get(pk=module.pk)
    if module.removed_at is None:
        policy.require(actor, "edit", module)
        raise Conflict(_("This module is not in the archive."))
    policy.require(actor, "restore", module)
    module.removed_at, module.removed_by = None, None
    module.save(update_fields=["removed_at", "removed_by"])
    _put_back(Module.objects.filter(course_id=module.course_id), module)
    for item in Item.objects.filter(module=module).select_related("course", "module"):
        item_types.item_saved(item)
    audit.record(actor=actor, verb="module.restored", obj=module, course_id=module.course_id, title=module.title)
    return module


@transaction.atomic
def create_item(*, actor: User, module: Module, data: Mapping[str, Any]) -> Item:
    policy.require(actor, "edit", module)
    item = Item(module=module, course_id=module.course_id)
    _apply(item, data, ITEM_FIELDS)
    item.position = _next_position(Item.objects.filter(module=module))
    _validated(item)
    item.save()
    item_types.item_saved(item)
    audit.record(actor=actor, verb="item.created", obj=item, course_id=module.course_id)
    return item


@transaction.atomic
def update_item(*, actor: User, item: Item, data: Mapping[str, Any], module: Module | None = None) -> Item:
    """Edit an item; passing `module` moves it to the end of another module of the same course."""
    policy.require(actor, "edit", item)
    changed = _apply(item, data, ITEM_FIELDS)
    if module is not None and module.pk != item.module_id:
        if module.course_id != item.course_id:
            raise InvalidInput(_("An item can only move to a module of the same course."))
        item.module = module
        item.position = _next_position(Item.objects.filter(module=module))
        changed += ["module", "position"]
    _validated(item)
    item.save(update_fields=[*changed, "updated_at"] if changed else None)
    item_types.item_saved(item)
    return item


def set_derived_minutes(*, item: Item, minutes: int | None) -> None:
    """An item type records the duration it estimates from its content (words read, running time).

    Called by the item type's own services, inside their transaction and after their policy check.
    """
    if minutes is not None:
        minutes = max(1, min(1440, minutes))
    if item.derived_minutes != minutes:
        item.derived_minutes = minutes
        item.save(update_fields=["derived_minutes", "updated_at"])


@transaction.atomic
def archive_item(*, actor: User, item: Item, now: datetime) -> Item:
    """ "Delete" an item: it leaves learners' pages and the outline and goes to the course archive, kept
    whole with its settings, deadlines, release rule and every learner's work."""
    policy.require(actor, "edit", item)
    item = Item.all_objects.select_for_update().get(pk=item.pk)
    if item.removed_at is not None:
        raise Conflict(_("This item is already in the archive."))
    item.removed_at, item.removed_by = now, actor
    item.save(update_fields=["removed_at", "removed_by"])
    _renumber(list(Item.objects.filter(module_id=item.module_id).select_for_update().order_by("position", "id")))
    item_types.item_saved(item)
    audit.record(actor=actor, verb="item.archived", obj=item, course_id=item.course_id, title=item.title)
    return item


@transaction.atomic
def restore_item(*, actor: User, item: Item) -> Item:
    """Bring an archived item back to its place in its module. An item whose module is in the archive too
    is refused: restore the module first (the item then stays archived until restored itself)."""
    item = Item.all_objects.select_for_update().select_related("course", "module").get(pk=item.pk)
    if item.removed_at is None:
        policy.require(actor, "edit", item)
        raise Conflict(_("This item is not in the archive."))
    policy.require(actor, "restore", item)
    if item.module.removed_at is not None:
        raise Conflict(
            _("Its module “%(module)s” is in the archive too: restore the module first.")
            % {"module": item.module.title}
        )
    item.removed_at, item.removed_by = None, None
    item.save(update_fields=["removed_at", "removed_by"])
    _put_back(Item.objects.filter(module_id=item.module_id), item)
    item_types.item_saved(item)
    audit.record(actor=actor, verb="item.restored", obj=item, course_id=item.course_id, title=item.title)
    return item


@transaction.atomic
def archive_course(*, actor: User, course: Course, now: datetime) -> Course:
    """ "Delete" a course: it vanishes for everyone (catalogue, dashboards, pages, API) and is kept whole;
    its teachers and site administrators may restore it from their dashboard."""
    policy.require(actor, "edit", course)
    course = Course.all_objects.select_for_update().get(pk=course.pk)
    if course.removed_at is not None:
        raise Conflict(_("This course is already in the archive."))
    course.removed_at, course.removed_by = now, actor
    course.save(update_fields=["removed_at", "removed_by", "updated_at"])
    audit.record(actor=actor, verb="course.archived", obj=course, course_id=course.pk, title=course.title)
    return course


@transaction.atomic
def restore_course(*, actor: User, course: Course) -> Course:
    course = Course.all_objects.select_for_update().get(pk=course.pk)
    if course.removed_at is None:
        policy.require(actor, "edit", course)
        raise Conflict(_("This course is not in the archive."))
    policy.require(actor, "restore", course)
    course.removed_at, course.removed_by = None, None
    course.save(update_fields=["removed_at", "removed_by", "updated_at"])
    audit.record(actor=actor, verb="course.restored", obj=course, course_id=course.pk, title=course.title)
    return course


def _move(siblings: QuerySet[Any], target_pk: int, offset: int) -> None:
    rows = list(siblings.select_for_update().order_by("position", "id"))
    index = next(i for i, row in enumerate(rows) if row.pk == target_pk)
    new_index = max(0, min(len(rows) - 1, index + offset))
    rows.insert(new_index, rows.pop(index))
    _renumber(rows)


def _renumber(rows: Sequence[Any]) -> None:
    changed = []
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            changed.append(row)
    if changed:
        type(rows[0]).objects.bulk_update(changed, ["position"])
        versioning.bump(changed[0].course_id)  # bulk_update sends no signal


def _put_back(live_siblings: QuerySet[Any], row: Any) -> None:
    """Insert a restored row at the position it had (or last, if fewer rows remain) and renumber densely."""
    rows = [r for r in live_siblings.select_for_update().order_by("position", "id") if r.pk != row.pk]
    rows.insert(min(row.position, len(rows)), row)
    row.position = -1  # force a write of its own position
    _renumber(rows)


def _reorder(siblings: QuerySet[Any], ordered_ids: Sequence[int]) -> None:
    rows = {row.pk: row for row in siblings.select_for_update()}
    if sorted(ordered_ids) != sorted(rows):
        raise InvalidInput(_("The new order must list every entry exactly once."))
    _renumber([rows[pk] for pk in ordered_ids])


@transaction.atomic
def move_module(*, actor: User, module: Module, offset: int) -> None:
    """Move a module `offset` places (-1 up, +1 down), clamped to the ends."""
    policy.require(actor, "edit", module)
    _move(Module.objects.filter(course_id=module.course_id), module.pk, offset)


@transaction.atomic
def move_item(*, actor: User, item: Item, offset: int) -> None:
    policy.require(actor, "edit", item)
    _move(Item.objects.filter(module_id=item.module_id), item.pk, offset)


@transaction.atomic
def reorder_modules(*, actor: User, course: Course, ordered_ids: Sequence[int]) -> None:
    policy.require(actor, "edit", course)
    _reorder(Module.objects.filter(course=course), ordered_ids)


@transaction.atomic
def reorder_items(*, actor: User, module: Module, ordered_ids: Sequence[int]) -> None:
    policy.require(actor, "edit", module)
    _reorder(Item.objects.filter(module=module), ordered_ids)
