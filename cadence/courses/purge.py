"""The hard purge: the only way course structure and the learner work on it are ever deleted.

Only a site administrator purges, and only what has been in the archive (deleted, `removed_at`) for longer
than `ARCHIVE_RETENTION_DAYS`. Learner work PROTECTs itself against cascades, so the purge deletes it
first, explicitly, then the structure: one transaction, all or nothing. Uploaded files of the deleted rows
(submissions, feedback, videos, attachments) are removed from storage after the commit, so a failure never
leaves rows pointing at missing files. The counts per kind of row go to the audit log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import FileField, Model, ProtectedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import Conflict, NotAllowed
from cadence.courses.models import Course, Item, Module

Target = Course | Module | Item
# Protected rows are deleted first, then the deletion is tried again; nesting is shallow (work → structure).
_MAX_ROUNDS = 20


class TooYoung(Conflict):
    pass


@dataclass(frozen=True)
class PurgeResult:
    target: str  # "course 12 “Statistics”"
    counts: dict[str, int] = field(default_factory=dict)  # model label → rows deleted
    files: int = 0


def retention() -> timedelta:
    return timedelta(days=settings.ARCHIVE_RETENTION_DAYS)


def purgeable(*, now: datetime) -> list[Target]:
    """Everything in the archive longer than the retention period: courses, then modules and items of live
    courses (a purged course takes its modules and items with it)."""
    cutoff = now - retention()
    courses: list[Target] = list(Course.all_objects.filter(removed_at__lte=cutoff).order_by("removed_at", "pk"))
    modules = Module.all_objects.filter(removed_at__lte=cutoff, course__removed_at__isnull=True)
    items = Item.all_objects.filter(removed_at__lte=cutoff, course__removed_at__isnull=True).exclude(module__in=modules)
    return [*courses, *modules.order_by("removed_at", "pk"), *items.order_by("removed_at", "pk")]


def _describe(target: Target) -> str:
    return f"{target._meta.model_name} {target.pk} “{target.title}”"


def _course_id(target: Target) -> int:
    return target.pk if isinstance(target, Course) else target.course_id


def check_purgeable(*, actor: User | None, target: Target, now: datetime) -> None:
    """Raise (and change nothing) unless `target` may be purged now. `actor` None is the command line, run by
    whoever administers the server."""
    if actor is not None and not policy.is_admin(actor):
        raise NotAllowed(_("Only site administrators purge the archive."))
    if target.removed_at is None:
        raise Conflict(_("%(target)s is not in the archive: delete it first.") % {"target": _describe(target)})
    if actor is not None:
        policy.require(actor, "purge", target)
    allowed_from = target.removed_at + retention()
    if now < allowed_from:
        raise TooYoung(
            _(
                "%(target)s was deleted on %(deleted)s; it is kept until %(until)s (%(days)s days) and cannot be purged before."
            )
            % {
                "target": _describe(target),
                "deleted": target.removed_at.date().isoformat(),
                "until": allowed_from.date().isoformat(),
                "days": settings.ARCHIVE_RETENTION_DAYS,
            }
        )


def purge(*, actor: User | None, target: Target, now: datetime) -> PurgeResult:
    """Delete an archived course, module or item for good, with every row and file that hangs on it."""
    with transaction.atomic():
        target = type(target).all_objects.select_for_update().get(pk=target.pk)
        check_purgeable(actor=actor, target=target, now=now)
        description, course_id, label, pk = _describe(target), _course_id(target), target._meta.label_lower, target.pk
        counts, files = _delete_all([target], course_id=course_id)
        stand_in = type(target)(pk=pk)
        audit.record(
            actor=actor,
            verb="archive.purged",
            obj=stand_in,
            course_id=None if label == "courses.course" else course_id,
            target=description,
            removed=dict(sorted(counts.items())),
            files=len(files),
        )
        transaction.on_commit(partial(_remove_files, files))
    return PurgeResult(target=description, counts=dict(sorted(counts.items())), files=len(files))


def _delete_all(objs: Sequence[Model], *, course_id: int) -> tuple[Counter[str], list[tuple[Storage, str]]]:
    counts: Counter[str] = Counter()
    files: list[tuple[Storage, str]] = []
    pks: dict[type[Model], set[object]] = {}
    for obj in objs:
        pks.setdefault(type(obj), set()).add(obj.pk)
    for _round in range(_MAX_ROUNDS):
        collector = Collector(using=DEFAULT_DB_ALIAS, origin=objs[0])
        protected: list[Model] = []
        for model, keys in pks.items():
            # Read again each round: a protected row deleted in the round before (a reply under its thread)
            # is gone, and the rows come back whole rather than deferred.
            group = list(model._base_manager.filter(pk__in=keys))
            if not group:
                continue
            try:
                collector.collect(group)
            except ProtectedError as exc:
                protected += exc.protected_objects
        if protected:
            _check_same_course(protected, course_id)
            more_counts, more_files = _delete_all(protected, course_id=course_id)
            counts += more_counts
            files += more_files
            continue
        files += _files_of(collector)
        _total, per_model = collector.delete()
        counts.update({label: n for label, n in per_model.items() if n})
        return counts, files
    raise RuntimeError("The purge did not converge; nothing was deleted.")  # the transaction rolls back


def _check_same_course(rows: Iterable[Model], course_id: int) -> None:
    """A purge never reaches into another course: every protected row must belong to this one."""
    for row in rows:
        owner = getattr(row, "course_id", course_id)
        if owner is not None and owner != course_id:
            raise Conflict(
                _("A row of another course (%(row)s) depends on this; nothing was purged.") % {"row": row._meta.label}
            )


def _file_fields(model: type[Model]) -> list[FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, FileField)]


def _files_of(collector: Collector) -> list[tuple[Storage, str]]:
    found: list[tuple[Storage, str]] = []
    for model, instances in collector.data.items():
        for file_field in _file_fields(model):
            found += [(file_field.storage, name) for obj in instances if (name := getattr(obj, file_field.attname))]
    for qs in collector.fast_deletes:
        for file_field in _file_fields(qs.model):
            names = qs.exclude(**{file_field.attname: ""}).values_list(file_field.attname, flat=True)
            found += [(file_field.storage, name) for name in names if name]
    return found


def _remove_files(files: Sequence[tuple[Storage, str]]) -> None:
    for storage, name in files:
        storage.delete(name)
