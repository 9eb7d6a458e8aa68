"""A learner with something of every kind, and another learner whose data must never leak into theirs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import TestCase
from django.utils import timezone

from cadence.assessment.models import Attempt, Submission
from cadence.assessment.services import assignments, grading, quizzes
from cadence.assessment.services.assignments import SubmissionInput
from cadence.assessment.services.grading import GradeInput
from cadence.assessment.tests.factories import MEAN, question, quiz_item
from cadence.community.models import Post, Thread
from cadence.community.tests import factories as forums
from cadence.content.tests.factories import upload
from cadence.courses.models import Role
from cadence.courses.tests.factories import ItemFactory, MembershipFactory
from cadence.messaging.tests import factories as talk
from cadence.progress import notes
from cadence.progress.services import record_activity
from conftest import CourseWorld

PDF = b"%PDF-1.7\n% the learner's essay\n%%EOF\n"
FEEDBACK_PDF = b"%PDF-1.7\n% teacher's notes\n%%EOF\n"
ATTACHMENT = b"%PDF-1.7\n% forum attachment\n%%EOF\n"


@pytest.fixture
def media_root(tmp_path: Path, settings) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@dataclass
class LearnerData:
    submission: Submission
    other_submission: Submission
    unreleased: Submission
    attempt: Attempt
    thread: Thread
    post: Post
    other_post: Post


def _assignment(world: CourseWorld, title: str, **settings: object):
    item = ItemFactory(module=world.modules[0], kind="assignment", title=title, completion_rule="submitted")
    if settings:
        assignments.save_settings(actor=world.teacher, item=item, data=settings)
    return assignments.assignment_for(item)


@pytest.fixture
def learner_data(world: CourseWorld, media_root: Path) -> LearnerData:
    now = timezone.now()
    other = MembershipFactory(course=world.course, role=Role.LEARNER).user
    with TestCase.captureOnCommitCallbacks(execute=True):
        essay = _assignment(world, "Essay")
        submission = assignments.submit(
            user=world.learner, assignment=essay,
            data=SubmissionInput(key="mine", text="MY-ESSAY-TEXT", files=[upload("essay.pdf", PDF)]), now=now,
        )  # fmt: skip
        grade = grading.grade_submission(
            grader=world.teacher, submission=submission, data=GradeInput(points=Decimal(80), comment="WELL-DONE"),
            now=now,
        )  # fmt: skip
        grading.attach_feedback_file(grader=world.teacher, grade=grade, upload=upload("notes.pdf", FEEDBACK_PDF))
        grading.release_grades(actor=world.teacher, assignment=essay, now=now)
        other_submission = assignments.submit(
            user=other, assignment=essay, data=SubmissionInput(key="theirs", text="OTHER-LEARNER-ESSAY"), now=now
        )
        secret = _assignment(world, "Secret grade")
        unreleased = assignments.submit(
            user=world.learner, assignment=secret, data=SubmissionInput(key="s2", text="second"), now=now
        )
        grading.grade_submission(
            grader=world.teacher, submission=unreleased, data=GradeInput(points=Decimal(10), comment="NOT-RELEASED"),
            now=now,
        )  # fmt: skip
        assignments.save_draft(
            user=world.learner, assignment=_assignment(world, "Later"), text="MY-DRAFT", url="", now=now
        )
        _item, quiz = quiz_item(world.teacher, world.modules[1], question(world.teacher, world.course, MEAN))
        attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=now)  # still open: nothing revealed
        quizzes.save_answers(
            user=world.learner, attempt_id=attempt.pk, answers=[quizzes.AnswerInput(1, {"choice": 1})], now=now
        )
        notes.add_note(user=world.learner, item=world.items[0], body="MY-PRIVATE-NOTE", now=now)
        notes.add_note(user=other, item=world.items[0], body="OTHER-LEARNER-NOTE", now=now)
        forum = forums.forum(world.course)
        thread = forums.thread(world.learner, forum, title="MY-THREAD", body="MY-FORUM-POST")
        post = forums.reply(world.learner, thread, body="MY-REPLY", upload=upload("chart.pdf", ATTACHMENT))
        other_post = forums.reply(other, thread, body="OTHER-LEARNER-REPLY")
        talk.question(world.learner, world.course, subject="MY-QUESTION", body="MY-QUESTION-BODY")
        talk.direct(other, world.course, world.teacher, body="OTHER-PRIVATE-DM")
        record_activity(
            user=world.learner, verb="viewed", course_id=world.course.pk, object_type="item",
            object_id=str(world.items[0].pk), item=world.items[0], now=now,
        )  # fmt: skip
    return LearnerData(
        submission=submission,
        other_submission=other_submission,
        unreleased=unreleased,
        attempt=attempt,
        thread=thread,
        post=post,
        other_post=other_post,
    )
