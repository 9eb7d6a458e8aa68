"""Questions and quizzes for tests, made through the services as a teacher would."""

from __future__ import annotations

from decimal import Decimal

from cadence.accounts.models import User
from cadence.assessment.domain.definitions import Option, QuestionDef, QuestionType
from cadence.assessment.models import Question, Quiz
from cadence.assessment.services import bank, quizzes
from cadence.courses.models import Course, Item, Module
from cadence.courses.tests.factories import ItemFactory

D = Decimal

MEAN = QuestionDef(
    QuestionType.SINGLE,
    "Which average do outliers pull most?",
    (
        Option("The mean", D(1), "Yes: every value counts in it."),
        Option("The median", D(0), "No: SECRET-FEEDBACK-MEDIAN"),
        Option("The mode", D(0), "No: the mode is the most frequent value."),
    ),
    title="Outliers and averages",
    general_feedback="EXPLANATION-OUTLIERS: the mean adds every value.",
    category="Week 1",
    tags=("averages", "outliers"),
)
CAPITAL = QuestionDef(
    QuestionType.SHORT,
    "Name the middle value of sorted data.",
    (Option("median", D(1), "Right."),),
    title="Middle value",
    category="Week 1",
    tags=("averages",),
)
ESSAY = QuestionDef(QuestionType.ESSAY, "Explain why the median resists outliers.", title="Essay", points=D(4))


def question(teacher: User, course: Course, definition: QuestionDef = MEAN) -> Question:
    return bank.save_question(actor=teacher, course=course, definition=definition)


def quiz_item(teacher: User, module: Module, *questions: Question, **settings: object) -> tuple[Item, Quiz]:
    item = ItemFactory(module=module, kind="quiz", title="Check yourself", position=50, completion_rule="submitted")
    if settings:
        quizzes.save_settings(actor=teacher, item=item, data=settings)
    quiz = quizzes.quiz_for(item)
    for q in questions:
        quizzes.add_slot(actor=teacher, quiz=quiz, question=q)
    return item, quiz
