"""A course holding every kind of learner work, made through the services as people would make it.

Used by the tests that prove a structural edit (archive, restore) or an account's deletion never destroys
learner work, and by the purge tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.models import (
    Assignment,
    AssignmentDraft,
    Attempt,
    AttemptQuestion,
    FeedbackFile,
    Grade,
    GradeOverride,
    Submission,
    SubmissionFile,
)
from cadence.assessment.services import assignments, grading, quizzes
from cadence.assessment.services.assignments import SubmissionInput
from cadence.assessment.services.gradebook import set_override
from cadence.assessment.services.grading import GradeInput
from cadence.assessment.tests.factories import MEAN, question, quiz_item
from cadence.community.models import Post, PostRevision, Thread
from cadence.community.services import edit_post, ensure_item_forum
from cadence.community.tests.factories import forum, reply, thread
from cadence.content.models import StepTick
from cadence.content.services.checklists import StepInput, save_checklist, set_step_ticked
from cadence.courses.models import Course, Item, Membership, Module, Role
from cadence.courses.tests.factories import ItemFactory, ModuleFactory
from cadence.messaging import services as messaging
from cadence.messaging.models import Conversation, Message
from cadence.progress import notes
from cadence.progress import services as progress
from cadence.progress.models import Completion, DailyActivity, Event, ItemProgress, Note

# Every model whose rows are a learner's work or record of it. None may be deleted by a structural edit or
# by deleting another person's account.
LEARNER_WORK: tuple[type[Model], ...] = (
    Submission, SubmissionFile, AssignmentDraft, Attempt, AttemptQuestion, Grade, FeedbackFile, GradeOverride,
    Note, Thread, Post, PostRevision, Conversation, Message, Event, Completion, ItemProgress, DailyActivity,
    StepTick,
)  # fmt: skip

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class WorkedCourse:
    course: Course
    module: Module  # holds every item below
    quiz: Item
    assignment: Item
    checklist: Item
    discussion: Item
    lesson: Item
    teacher: User
    learner: User
    second_learner: User


def counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in LEARNER_WORK}


def build(course: Course, teacher: User, learner: User) -> WorkedCourse:
    """Fill a course (with `teacher` and `learner` members) with one of every kind of learner work."""
    now = timezone.now()
    second = UserFactory(display_name="Second learner")
    Membership.objects.create(user=second, course=course, role=Role.LEARNER)
    module = ModuleFactory(course=course, title="Everything", position=99)

    quiz_it, quiz = quiz_item(teacher, module, question(teacher, course, MEAN))
    attempt = quizzes.start_attempt(user=learner, quiz=quiz, now=now)
    quizzes.submit_attempt(
        user=learner, attempt_id=attempt.pk, now=now, answers=[quizzes.AnswerInput(1, {"choice": 0})]
    )
    set_override(actor=teacher, item=quiz_it, learner=learner, percent=Decimal(90), reason="Re-marked", now=now)

    assignment_it = ItemFactory(module=module, kind="assignment", title="Essay", completion_rule="submitted")
    assignment: Assignment = assignments.assignment_for(assignment_it)
    submission = assignments.submit(
        user=learner,
        assignment=assignment,
        data=SubmissionInput(key="essay-1", text="My essay.", files=[SimpleUploadedFile("essay.pdf", PDF)]),
        now=now,
    )
    grade = grading.grade_submission(grader=teacher, submission=submission, data=GradeInput(points=Decimal(8)), now=now)
    grading.attach_feedback_file(grader=teacher, grade=grade, upload=SimpleUploadedFile("notes.pdf", PDF))
    assignments.save_draft(user=second, assignment=assignment, text="Half an essay", url="", now=now)

    checklist_it = ItemFactory(module=module, kind="checklist", title="Steps", completion_rule="checklist")
    checklist = save_checklist(actor=teacher, item=checklist_it, steps=[StepInput(None, "Read"), StepInput(None, "Do")])
    set_step_ticked(user=learner, item=checklist_it, step_id=checklist.steps.first().pk, ticked=True, now=now)  # type: ignore[union-attr]  # two steps were just saved

    discussion_it = ItemFactory(module=module, kind="discussion", title="Talk")
    item_forum = ensure_item_forum(discussion_it)
    assert item_forum is not None
    learners_thread = thread(learner, item_forum, title="My question")
    reply(teacher, learners_thread, body="The teacher's answer.")
    opening = Post.objects.get(thread=learners_thread, is_opening=True)
    edit_post(actor=learner, post=opening, body="My question, clearer.", title="My question", now=now)
    teachers_thread = thread(teacher, forum(course, title="Course forum"), title="Welcome")
    reply(learner, teachers_thread, body="Hello from a learner.")

    lesson = ItemFactory(module=module, kind="lesson", title="Reading")
    progress.record_view(user=learner, item=lesson, now=now)
    notes.add_note(user=learner, item=lesson, body="Remember this.", now=now)
    DailyActivity.objects.create(user=learner, course=course, day=now.date(), active_seconds=120)

    asked = messaging.ask_question(actor=learner, course=course, subject="Help", body="Please.", key=None, now=now)
    messaging.reply(actor=teacher, conversation=asked, body="Of course.", key=None, now=now)
    messaging.send_check_in(actor=teacher, course=course, learner=learner, body="How are you doing?", now=now)
    return WorkedCourse(
        course=course,
        module=module,
        quiz=quiz_it,
        assignment=assignment_it,
        checklist=checklist_it,
        discussion=discussion_it,
        lesson=lesson,
        teacher=teacher,
        learner=learner,
        second_learner=second,
    )
