"""Gradebook set-up (categories, weights, drop-lowest, which item counts where, letters) and overrides.

Every override is audited with who, when, the old and the new value, and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment.models import GradebookSettings, GradeCategory, GradedItem, GradeOverride
from cadence.core import audit
from cadence.core.errors import InvalidInput
from cadence.courses.models import Course, Item, ItemKind
from cadence.insights import services as insights_services

_CATEGORY = re.compile(r"^(?P<name>[^:]+):\s*(?P<weight>[\d.,]+)\s*%?(?:\s*,?\s*drop\s+(?P<drop>\d+))?$", re.IGNORECASE)
_LETTER = re.compile(r"^(?P<letter>\S{1,4})\s+(?P<bound>[\d.,]+)\s*%?$")


@dataclass(frozen=True)
class CategorySpec:
    name: str
    weight: Decimal
    drop_lowest: int


def parse_categories(text: str) -> list[CategorySpec]:
    """ "Quizzes: 30, drop 1" per line → specs; every bad line is reported, weights must not pass 100."""
    specs: list[CategorySpec] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _CATEGORY.match(line)
        if match is None:
            problems.append(
                _("Line %(n)s: write a category as “Quizzes: 30” or “Quizzes: 30, drop 1”.") % {"n": number}
            )
            continue
        try:
            weight = Decimal(match["weight"].replace(",", "."))
        except InvalidOperation:
            problems.append(_("Line %(n)s: the weight is not a number.") % {"n": number})
            continue
        specs.append(CategorySpec(match["name"].strip()[:100], weight, int(match["drop"] or 0)))
    if sum((s.weight for s in specs), Decimal(0)) > 100:
        problems.append(_("The weights add up to more than 100 %."))
    if len({s.name.lower() for s in specs}) != len(specs):
        problems.append(_("Two categories have the same name."))
    if any(s.drop_lowest > 20 for s in specs):
        problems.append(_("Drop at most 20 items."))
    if problems:
        raise InvalidInput(" ".join(problems))
    return specs


def parse_letters(text: str) -> list[list[object]]:
    """ "A 90" per line (a letter and the lowest percent that earns it) → the scheme, highest first."""
    scheme: list[list[object]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LETTER.match(line)
        if match is None:
            raise InvalidInput(_("Line %(n)s: write a letter and its lowest percent, such as “A 90”.") % {"n": number})
        bound = Decimal(match["bound"].replace(",", "."))
        if not 0 <= bound <= 100:
            raise InvalidInput(_("Line %(n)s: the percent must be between 0 and 100.") % {"n": number})
        scheme.append([float(bound), match["letter"]])
    return sorted(scheme, key=lambda entry: -float(str(entry[0])))


@transaction.atomic
def save_setup(
    *, actor: User, course: Course, categories_text: str, item_categories: Mapping[int, str], letters_text: str
) -> None:
    """Replace the categories (kept by name, so items stay in them), place items, set the letter scheme."""
    policy.require(actor, "edit", course)
    specs = parse_categories(categories_text)
    scheme = parse_letters(letters_text) if letters_text.strip() else []
    existing = {c.name.lower(): c for c in GradeCategory.objects.filter(course=course)}
    kept: dict[str, GradeCategory] = {}
    for position, spec in enumerate(specs):
        category = existing.get(spec.name.lower()) or GradeCategory(course=course)
        category.name, category.weight, category.drop_lowest, category.position = (
            spec.name, spec.weight, spec.drop_lowest, position,
        )  # fmt: skip
        category.save()
        kept[spec.name.lower()] = category
    GradeCategory.objects.filter(course=course).exclude(pk__in=[c.pk for c in kept.values()]).delete()
    graded = Item.objects.filter(
        course=course, kind__in=[ItemKind.QUIZ, ItemKind.ASSIGNMENT], pk__in=list(item_categories)
    )
    for item in graded:
        name = item_categories[item.pk].strip().lower()
        if name and name not in kept:
            raise InvalidInput(_("“%(item)s” is put in a category that does not exist.") % {"item": item.title})
        GradedItem.objects.update_or_create(item=item, defaults={"category": kept.get(name)})
    GradebookSettings.objects.update_or_create(course=course, defaults={"letter_scheme": scheme})
    audit.record(actor=actor, verb="gradebook.setup", obj=course, course_id=course.pk, categories=len(specs))


@transaction.atomic
def set_override(
    *, actor: User, item: Item, learner: User, percent: Decimal | None, reason: str, now: datetime
) -> GradeOverride | None:
    """Set (or with `percent` None, remove) a teacher's grade for one learner and item, with a reason."""
    policy.require(actor, "edit", item)
    if item.kind not in (ItemKind.QUIZ, ItemKind.ASSIGNMENT):
        raise InvalidInput(_("Only quizzes and assignments are in the gradebook."))
    if not policy.learns_in(learner, item.course_id):
        raise InvalidInput(_("Only learners of this course have grades."))
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the change; it is kept with the grade."))
    if percent is not None and not Decimal(0) <= percent <= 100:
        raise InvalidInput(_("A grade is between 0 and 100 %%; %(given)s was given.") % {"given": f"{percent:g}"})
    current = GradeOverride.objects.select_for_update().filter(item=item, user=learner).first()
    old = None if current is None else str(current.percent)
    if percent is None:
        if current is not None:
            current.delete()
        result = None
    else:
        result, _created = GradeOverride.objects.update_or_create(
            item=item,
            user=learner,
            defaults={"percent": percent, "reason": reason[:300], "changed_by": actor, "changed_at": now},
        )
    audit.record(
        actor=actor,
        verb="grade.overridden" if percent is not None else "grade.override_removed",
        obj=item,
        course_id=item.course_id,
        learner=learner.pk,
        old=old,
        new=None if percent is None else str(percent),
        reason=reason[:300],
    )
    insights_services.learner_changed(course_id=item.course_id, user_id=learner.pk)
    return result


@transaction.atomic
def set_archived_counts(*, actor: User, item: Item, counts: bool) -> GradedItem:
    """Whether a deleted (archived) quiz or assignment still counts in categories and totals (default: no)."""
    policy.require(actor, "edit", item.course)
    if item.kind not in (ItemKind.QUIZ, ItemKind.ASSIGNMENT):
        raise InvalidInput(_("Only quizzes and assignments are in the gradebook."))
    entry, _created = GradedItem.objects.update_or_create(item=item, defaults={"counts_when_archived": counts})
    audit.record(actor=actor, verb="gradebook.archived_counts", obj=item, course_id=item.course_id, counts=counts)
    return entry
