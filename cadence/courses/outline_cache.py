"""The learners' course outline, built once per course version and language and kept in the cache.

What every learner of a course sees alike (modules and published items in order, each item's kind, title,
duration and deadline rule, and the row markup that does not depend on the learner) is read from the
database and rendered to strings once per course version (`Course.version`, raised by every change, see
`courses.versioning`) and language. A page then joins it with the learner's own overlay (what they
completed or keep for review, their locks and deadlines) by plain string work: a 500-item outline costs a
few calls a row instead of a template's hundreds.

Two layers: a small dictionary in each process (no unpickling on a hit), then the shared cache (Redis when
`REDIS_URL` is set, so each version is built once for all web processes). Entries are never invalidated,
only superseded: the key holds the version, and a page asks for the version on the course row it read, so
one page never mixes two versions. If the shared cache fails (Redis stopped), the outline is built from the
database and the page is only slower.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from django.core.cache import cache
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cadence.core.templatetags.cadence import when
from cadence.courses.models import Course, Item, ItemKind, Module

logger = logging.getLogger(__name__)
LOCAL_ENTRIES = 64  # outlines kept in each process (a few hundred KB for the largest courses)
TIMEOUT = 7 * 24 * 3600  # superseded versions age out of the shared cache
OUTLINE_FIELDS = (
    "id", "module_id", "course_id", "kind", "title", "position", "is_published", "is_required",
    "estimated_minutes", "derived_minutes", "due_at", "due_date", "due_after_days",
)  # fmt: skip


@dataclass(frozen=True)
class ItemPart:
    """An item as every learner sees it. Quacks like an `Item` for deadlines (`has_deadline`, `due_*`) and
    locks (`pk`, `module_id`)."""

    pk: int
    module_id: int
    course_id: int
    kind: str
    title: str
    is_required: bool
    due_at: datetime | None
    due_date: date | None
    due_after_days: int | None
    head: str  # markup: the kind and the link
    tail: str  # markup: the duration

    @property
    def has_deadline(self) -> bool:
        return self.due_at is not None or self.due_date is not None or self.due_after_days is not None


@dataclass(frozen=True)
class ModulePart:
    pk: int
    title: str
    summary: str
    items: tuple[ItemPart, ...]
    is_published: bool = True


@dataclass(frozen=True)
class LearnerOutline:
    course_id: int
    version: int
    language: str
    modules: tuple[ModulePart, ...]

    def items(self) -> Iterator[ItemPart]:
        for module in self.modules:
            yield from module.items

    def learner_items(self) -> list[tuple[int, int, bool]]:
        """(item id, module id, required) in course order: what progress counts."""
        return [(i.pk, i.module_id, i.is_required) for i in self.items()]

    def with_deadline(self) -> list[ItemPart]:
        return [i for i in self.items() if i.has_deadline]


# --- Building and keeping ------------------------------------------------------------------------------------
def build(course: Course, language: str) -> LearnerOutline:
    """The outline from the database: two queries."""
    items = Item.objects.filter(course=course, is_published=True).only(*OUTLINE_FIELDS).order_by("position", "id")
    modules = (
        Module.objects.filter(course=course, is_published=True)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("position", "id")
    )
    course_url = reverse("courses:course-detail", args=[course.slug])
    kinds = {value: str(label) for value, label in ItemKind.choices}
    minutes_word = _("min")
    parts = tuple(
        ModulePart(
            pk=m.pk,
            title=m.title,
            summary=m.summary,
            items=tuple(
                ItemPart(
                    pk=i.pk,
                    module_id=i.module_id,
                    course_id=i.course_id,
                    kind=i.kind,
                    title=i.title,
                    is_required=i.is_required,
                    due_at=i.due_at,
                    due_date=i.due_date,
                    due_after_days=i.due_after_days,
                    head=str(
                        format_html(
                            '<span class="kind">{}</span><a href="{}items/{}/">{}</a>',
                            kinds.get(i.kind, i.kind),
                            course_url,
                            i.pk,
                            i.title,
                        )
                    ),
                    tail=str(format_html('<span class="muted item-minutes">{} {}</span>', i.minutes, minutes_word)),
                )
                for i in m.items.all()
            ),
        )
        for m in modules
    )
    return LearnerOutline(course_id=course.pk, version=course.version, language=language, modules=parts)


_local: OrderedDict[tuple[int, int, str], LearnerOutline] = OrderedDict()
_local_lock = threading.Lock()


def learner_outline(course: Course) -> LearnerOutline:
    """The learners' outline of this course at the version on `course`, in the active language."""
    language = get_language() or "en"
    key = (course.pk, course.version, language)
    with _local_lock:
        found = _local.get(key)
        if found is not None:
            _local.move_to_end(key)
            return found
    shared_key = f"outline:{course.pk}:{course.version}:{language}"
    try:
        found = cache.get(shared_key)
    except Exception:  # the shared cache is down: the database answers, only slower
        logger.warning("outline cache unavailable; building course %s from the database", course.pk, exc_info=True)
        found = None
    if not isinstance(found, LearnerOutline):
        found = build(course, language)
        try:
            cache.set(shared_key, found, TIMEOUT)
        except Exception:
            logger.warning("outline cache unavailable; not kept for course %s", course.pk, exc_info=True)
    with _local_lock:
        _local[key] = found
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
    return found


def forget_local() -> None:
    """Empty this process's layer (tests)."""
    with _local_lock:
        _local.clear()


# --- The learner's overlay -------------------------------------------------------------------------------------
class LockLike(Protocol):
    @property
    def reason(self) -> str: ...
    @property
    def opens_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Overlay:
    """What is the viewer's own on the outline, each by item (or module) id. A learner has marks and their
    own deadlines; anyone else (a teacher previewing, an observer) sees how each deadline is set."""

    marks: bool = False  # completion marks (learners only)
    completed: frozenset[int] = frozenset()
    review: frozenset[int] = frozenset()
    item_locks: Mapping[int, LockLike] = field(default_factory=dict)
    module_locks: Mapping[int, LockLike] = field(default_factory=dict)
    deadlines: Mapping[int, datetime] | None = None  # the learner's own; None: show how they are set


class Dated(Protocol):
    @property
    def pk(self) -> int: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def due_after_days(self) -> int | None: ...


def deadline_text(item: Dated, learner_deadlines: Mapping[int, datetime] | None) -> SafeString | str:
    """A learner sees their own deadline; staff see how the deadline is set."""
    if learner_deadlines is not None:
        own = learner_deadlines.get(item.pk)
        return when(own) if own is not None else ""
    if item.due_at is not None:
        return when(item.due_at)
    if item.due_date is not None:
        return format_html(
            "{} {}", formats.date_format(item.due_date, "DATE_FORMAT"), _("(end of the day in each learner's zone)")
        )
    if item.due_after_days is not None:
        return _("%(n)s days after each learner joins") % {"n": item.due_after_days}
    return ""


def rows(module: ModulePart, overlay: Overlay) -> SafeString:
    """The module's `<li>` rows: the cached markup joined with the learner's marks, locks and deadlines,
    the same markup as the `outline_row` tag gives."""
    completed_label = conditional_escape(_("Completed:"))
    done_mark = (
        f'<span class="done-mark" aria-hidden="true">✓</span><span class="visually-hidden">{completed_label}</span>'
    )
    todo_mark = '<span class="todo-mark" aria-hidden="true">○</span>'
    due_word = conditional_escape(_("Due"))
    review_badge = f'<span class="badge">{conditional_escape(_("review"))}</span>'
    module_lock = overlay.module_locks.get(module.pk)
    out: list[str] = []
    for item in module.items:
        parts: list[str] = []
        if overlay.marks:
            parts.append(done_mark if item.pk in overlay.completed else todo_mark)
        parts.append(item.head)
        lock = module_lock or overlay.item_locks.get(item.pk)
        if lock is not None:
            opens = f" {when(lock.opens_at)}" if lock.opens_at is not None else ""
            parts.append(
                f'<span class="lock-note" id="item-{item.pk}-lock"><span aria-hidden="true">🔒</span> '
                f"{conditional_escape(lock.reason)}{opens}</span>"
            )
        parts.append(item.tail)
        due = deadline_text(item, overlay.deadlines) if item.has_deadline else ""
        if due:
            parts.append(f'<span class="item-due">{due_word} {due}</span>')
        if overlay.marks and item.pk in overlay.review:
            parts.append(review_badge)
        out.append(f'<li id="item-{item.pk}">\n          <span>' + "\n".join(parts) + "</span>\n        </li>")
    return mark_safe("\n".join(out))  # noqa: S308 - every piece above is escaped or built by format_html
