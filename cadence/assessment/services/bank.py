"""The question bank: save, archive, categories and concepts, and importing GIFT all-or-nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.assessment.domain import checks, gift
from cadence.assessment.domain.definitions import QuestionDef
from cadence.assessment.models import Concept, Question, QuestionCategory
from cadence.core import audit
from cadence.core.errors import InvalidInput
from cadence.courses.models import Course

MAX_CONCEPTS = 10
MAX_IMPORT_QUESTIONS = 2000


class QuestionInputError(InvalidInput):
    """A question (or an import) that cannot be saved; `problems` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = list(problems)


def _category(course: Course, name: str) -> QuestionCategory | None:
    name = " ".join(name.split())[:100]
    if not name:
        return None
    category, _created = QuestionCategory.objects.get_or_create(course=course, name=name)
    return category


def _concepts(course: Course, names: Sequence[str]) -> list[Concept]:
    clean: list[str] = []
    for raw in names:
        name = " ".join(raw.split()).lower()[:60]
        if name and name not in clean:
            clean.append(name)
    if len(clean) > MAX_CONCEPTS:
        raise QuestionInputError([_("Tag a question with at most %(n)s concepts.") % {"n": MAX_CONCEPTS}])
    existing = {c.name: c for c in Concept.objects.filter(course=course, name__in=clean)}
    Concept.objects.bulk_create([Concept(course=course, name=n) for n in clean if n not in existing])
    return list(Concept.objects.filter(course=course, name__in=clean))


def _store(question: Question, definition: QuestionDef, course: Course) -> Question:
    """Write the definition into the row (and its copies for lists), with its category and concepts."""
    question.qtype = definition.qtype.value
    question.title = definition.title[:200]
    question.text = definition.text
    question.points = definition.points
    question.definition = definition.to_json()
    question.category = _category(course, definition.category)
    question.save()
    question.concepts.set(_concepts(course, definition.tags))
    return question


@transaction.atomic
def save_question(
    *, actor: User, course: Course, definition: QuestionDef, question: Question | None = None
) -> Question:
    """Add a question to the bank or change one. Attempts already begun keep the version they started with."""
    policy.require(actor, "edit", course)
    found = checks.problems(definition)
    if found:
        raise QuestionInputError(found)
    if question is None:
        question = Question(course=course, created_by=actor)
        verb = "question.created"
    else:
        if question.course_id != course.pk:
            raise InvalidInput(_("That question belongs to another course."))
        question = Question.objects.select_for_update().get(pk=question.pk)
        question.version += 1
        verb = "question.changed"
    _store(question, definition, course)
    audit.record(actor=actor, verb=verb, obj=question, course_id=course.pk, version=question.version)
    return question


@transaction.atomic
def set_archived(*, actor: User, question: Question, archived: bool) -> Question:
    """Archived questions leave the bank's lists and random draws; attempts that used them keep them."""
    policy.require(actor, "edit", question.course)
    question.is_archived = archived
    question.save(update_fields=["is_archived", "updated_at"])
    audit.record(
        actor=actor,
        verb="question.archived" if archived else "question.restored",
        obj=question,
        course_id=question.course_id,
    )
    return question


@dataclass(frozen=True)
class ImportResult:
    created: int
    categories: list[str]


@transaction.atomic
def import_gift(*, actor: User, course: Course, text: str) -> ImportResult:
    """Import every question of a GIFT file, or none: any error (with its line) refuses the whole file."""
    policy.require(actor, "edit", course)
    parsed = gift.parse_gift(text)
    problems = [
        _("Line %(line)s (%(q)s): %(message)s") % {"line": e.line, "q": e.question, "message": e.message}
        for e in parsed.errors
    ]
    for found in parsed.questions:
        name = found.definition.title or found.definition.text[:60]
        problems += [
            _("Line %(line)s (%(q)s): %(message)s") % {"line": found.line, "q": name, "message": p}
            for p in checks.problems(found.definition)
        ]
    if not parsed.questions and not problems:
        problems.append(_("The file holds no questions."))
    if len(parsed.questions) > MAX_IMPORT_QUESTIONS:
        problems.append(_("Import at most %(n)s questions at a time.") % {"n": MAX_IMPORT_QUESTIONS})
    if problems:
        raise QuestionInputError(problems)
    for found in parsed.questions:
        _store(Question(course=course, created_by=actor), found.definition, course)
    categories = sorted({q.definition.category for q in parsed.questions if q.definition.category})
    audit.record(actor=actor, verb="questions.imported", obj=course, course_id=course.pk, count=len(parsed.questions))
    return ImportResult(created=len(parsed.questions), categories=categories)
