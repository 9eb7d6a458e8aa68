"""The gradebook: categories, weights, drop-lowest, overrides with an audit trail, letters, CSV, privacy."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.selectors import gradebook
from cadence.assessment.services import assignments, grading, quizzes
from cadence.assessment.services import gradebook as setup
from cadence.assessment.services.assignments import SubmissionInput
from cadence.assessment.services.grading import GradeInput
from cadence.assessment.tests.factories import MEAN, question, quiz_item
from cadence.core.errors import InvalidInput
from cadence.core.models import AuditEntry
from cadence.courses.tests.factories import ItemFactory, MembershipFactory
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
D = Decimal


def _graded_assignment(world: CourseWorld, learner, title: str, points: D, *, release: bool = True):
    item = ItemFactory(module=world.modules[0], kind="assignment", title=title, position=60)
    assignment = assignments.assignment_for(item)
    submission = assignments.submit(
        user=learner,
        assignment=assignment,
        data=SubmissionInput(key=f"{title}-{learner.pk}", text="x"),
        now=timezone.now(),
    )
    grading.grade_submission(
        grader=world.teacher, submission=submission, data=GradeInput(points=points, release=release), now=timezone.now()
    )
    return item


def _quiz_taken(world: CourseWorld, learner, right: bool):
    item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course, MEAN))
    attempt = quizzes.start_attempt(user=learner, quiz=quiz, now=timezone.now())
    quizzes.submit_attempt(
        user=learner,
        attempt_id=attempt.pk,
        now=timezone.now(),
        answers=[quizzes.AnswerInput(1, {"choice": 0 if right else 1})],
    )
    return item


def test_categories_weights_drop_lowest_and_letters(world: CourseWorld):
    essay = _graded_assignment(world, world.learner, "Essay", D(80))
    q1, q2, q3 = (_quiz_taken(world, world.learner, right) for right in (True, False, True))
    setup.save_setup(
        actor=world.teacher,
        course=world.course,
        categories_text="Quizzes: 40, drop 1\nEssays: 60",
        item_categories={q1.pk: "Quizzes", q2.pk: "Quizzes", q3.pk: "Quizzes", essay.pk: "Essays"},
        letters_text="A 90\nB 80\nC 70\nF 0",
    )
    _book, row = gradebook.learner_row(world.course, world.learner)
    quizzes_cat = next(r for r in row.categories if r.name == "Quizzes")
    assert quizzes_cat.percent == D(100)  # 100, 0, 100 with the lowest dropped
    assert row.total == D(88)  # 0.4 × 100 + 0.6 × 80
    assert row.letter == "B"


def test_ungraded_and_unreleased_work_is_left_out_for_learners(world: CourseWorld):
    _graded_assignment(world, world.learner, "Released", D(50))
    hidden = _graded_assignment(world, world.learner, "Hidden", D(100), release=False)
    the_book, row = gradebook.learner_row(world.course, world.learner)
    assert row.cells[hidden.pk].percent is None and row.total == D(50)
    staff_rows = gradebook.rows_for(world.course, the_book, [(world.learner.pk, "L", "l@x")], released_only=False)
    assert staff_rows[0].cells[hidden.pk].percent == D(100)


def test_overrides_need_a_reason_stay_in_range_and_are_audited(world: CourseWorld):
    item = _graded_assignment(world, world.learner, "Essay", D(40))
    with pytest.raises(InvalidInput, match="reason"):
        setup.set_override(
            actor=world.teacher, item=item, learner=world.learner, percent=D(90), reason=" ", now=timezone.now()
        )
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        setup.set_override(
            actor=world.teacher, item=item, learner=world.learner, percent=D(101), reason="x", now=timezone.now()
        )
    setup.set_override(
        actor=world.teacher,
        item=item,
        learner=world.learner,
        percent=D(90),
        reason="Regraded on appeal",
        now=timezone.now(),
    )
    _book, row = gradebook.learner_row(world.course, world.learner)
    assert row.cells[item.pk].percent == D(90) and row.cells[item.pk].overridden
    setup.set_override(
        actor=world.teacher, item=item, learner=world.learner, percent=D(85), reason="Typo", now=timezone.now()
    )
    entry = AuditEntry.objects.filter(verb="grade.overridden").latest("id")
    assert entry.data["old"] == "90.00" and entry.data["new"] == "85" and entry.actor_id == world.teacher.pk


def test_bad_setup_is_refused_and_changes_nothing(world: CourseWorld):
    for text, message in (("Quizzes 30", "Line 1"), ("A: 70\nB: 40", "more than 100"), ("A: 10\na: 10", "same name")):
        with pytest.raises(InvalidInput, match=message):
            setup.save_setup(
                actor=world.teacher, course=world.course, categories_text=text, item_categories={}, letters_text=""
            )
    assert not gradebook.book(world.course).categories


def test_the_grid_and_csv_for_staff_only_with_fixed_queries(client, world: CourseWorld):
    item = _graded_assignment(world, world.learner, "Essay", D(70))
    client.force_login(world.teacher)
    grid = reverse("assessment:gradebook", args=[world.course.slug])
    counts = []
    for extra in (1, 20):
        for _ in range(extra):
            MembershipFactory(user=UserFactory(), course=world.course, role="learner")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(grid).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    body = b"".join(client.get(reverse("assessment:gradebook-export", args=[world.course.slug])).streaming_content)
    lines = body.decode().splitlines()
    assert lines[0].startswith("name,email,Essay") and len(lines) == 1 + 22
    assert any(line.startswith(f"{world.learner.display_name},") and ",70.0," in line for line in lines)
    client.force_login(world.learner)
    assert client.get(grid).status_code == 403
    mine = client.get(reverse("assessment:my-grades", args=[world.course.slug])).content.decode()
    assert "70.0" in mine and item.title in mine


def test_a_learner_sees_only_their_own_grades(client, world: CourseWorld):
    other = UserFactory()
    MembershipFactory(user=other, course=world.course, role="learner")
    _graded_assignment(world, other, "Essay", D(99))
    client.force_login(world.learner)
    page = client.get(reverse("assessment:my-grades", args=[world.course.slug])).content.decode()
    assert "99.0" not in page and ">99" not in page  # (a bare "99" can occur in the random CSRF token)
    override = reverse("assessment:grade-override", args=[world.course.slug, world.items[0].pk, other.pk])
    assert client.get(override).status_code == 403


def _export(client, world: CourseWorld) -> list[list[str]]:
    client.force_login(world.teacher)
    response = client.get(reverse("assessment:gradebook-export", args=[world.course.slug]))
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("payload", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_gradebook_export_defuses_formulas_in_names_and_titles(client, world: CourseWorld, payload: str):
    world.learner.display_name = payload + " name"
    world.learner.save(update_fields=["display_name"])
    _graded_assignment(world, world.learner, payload + " title", D(50))
    setup.save_setup(
        actor=world.teacher, course=world.course, categories_text=f"{payload} cat: 100", item_categories={},
        letters_text="",
    )  # fmt: skip
    header, *rows = _export(client, world)
    category = next(cell for cell in header if " cat (" in cell)
    assert f"'{payload} title" in header and category.startswith("'")  # the name is stored stripped
    mine = next(row for row in rows if row[1] == world.learner.email)
    assert mine[0] == f"'{payload} name"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in header + mine)


def test_gradebook_export_leaves_empty_cells_empty(client, world: CourseWorld):
    """A learner with no grades has no percent, total or letter: empty cells, not a lone apostrophe."""
    _graded_assignment(world, world.learner, "Essay", D(70))
    other = UserFactory(display_name="Nobody yet")
    MembershipFactory(user=other, course=world.course, role="learner")
    header, *rows = _export(client, world)
    theirs = next(row for row in rows if row[1] == other.email)
    assert theirs[2:] == ["", "", ""]  # Essay, total, letter
    mine = next(row for row in rows if row[1] == world.learner.email)
    assert mine[header.index("letter")] == "C"
