"""Archived (deleted) quizzes and assignments in the gradebook: shown as archived, counted if the teacher says so."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cadence.assessment.selectors import gradebook
from cadence.assessment.services import assignments, grading
from cadence.assessment.services import gradebook as setup
from cadence.assessment.services.assignments import SubmissionInput
from cadence.assessment.services.grading import GradeInput
from cadence.core.errors import NotAllowed
from cadence.courses import services as course_services
from cadence.courses.tests.factories import ItemFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
D = Decimal


def _graded(world: CourseWorld, title: str, points: D):
    item = ItemFactory(module=world.modules[0], kind="assignment", title=title, position=60)
    submission = assignments.submit(
        user=world.learner,
        assignment=assignments.assignment_for(item),
        data=SubmissionInput(key=title, text="x"),
        now=timezone.now(),
    )
    grading.grade_submission(
        grader=world.teacher, submission=submission, data=GradeInput(points=points, release=True), now=timezone.now()
    )
    return item


def test_an_archived_graded_item_is_shown_archived_and_not_counted_until_the_teacher_says(world: CourseWorld):
    kept, gone = _graded(world, "Kept", D(100)), _graded(world, "Gone", D(0))
    the_book, row = gradebook.learner_row(world.course, world.learner)
    assert row.total == D(50)

    course_services.archive_item(actor=world.teacher, item=gone, now=timezone.now())
    the_book, row = gradebook.learner_row(world.course, world.learner)
    column = next(c for c in the_book.columns if c.item_id == gone.pk)
    assert column.archived and not column.counts
    assert the_book.columns[-1] == column  # archived columns come last
    assert row.cells[gone.pk].percent == D(0)  # the grade is kept and shown
    assert row.total == D(100)

    setup.set_archived_counts(actor=world.teacher, item=gone, counts=True)
    _book, row = gradebook.learner_row(world.course, world.learner)
    assert row.total == D(50)
    assert kept.pk in row.cells


def test_the_csv_marks_archived_columns(world: CourseWorld):
    gone = _graded(world, "Gone", D(5))
    course_services.archive_module(actor=world.teacher, module=gone.module, now=timezone.now())
    header = next(gradebook.csv_rows(world.course))
    assert "Gone (archived, not counted)" in header


def test_only_teachers_choose_whether_an_archived_item_counts(world: CourseWorld):
    gone = _graded(world, "Gone", D(5))
    course_services.archive_item(actor=world.teacher, item=gone, now=timezone.now())
    for user in (world.ta, world.learner, world.outsider):
        with pytest.raises(NotAllowed):
            setup.set_archived_counts(actor=user, item=gone, counts=True)


def test_gradebook_pages_show_archived_columns_and_the_learner_keeps_their_grade(client, world: CourseWorld):
    gone = _graded(world, "Gone essay", D(7))
    course_services.archive_item(actor=world.teacher, item=gone, now=timezone.now())
    client.force_login(world.teacher)
    grid = client.get(reverse("assessment:gradebook", args=[world.course.slug])).content.decode()
    assert "Gone essay" in grid and "archived" in grid
    toggle = reverse("assessment:gradebook-archived-counts", args=[world.course.slug, gone.pk])
    assert client.post(toggle, {"counts": "1"}).status_code == 302
    assert gradebook.book(world.course).columns[-1].counts
    client.force_login(world.learner)
    mine = client.get(reverse("assessment:my-grades", args=[world.course.slug])).content.decode()
    assert "Gone essay" in mine and "archived" in mine
    assert client.post(toggle, {"counts": "0"}).status_code == 403
    assert gradebook.book(world.course).columns[-1].counts
