"""Grading: rubrics, points, late penalties, release, feedback privacy, essays, the queue and turnaround."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.assessment import selectors
from cadence.assessment.domain import rubric_text
from cadence.assessment.models import AttemptState, Grade
from cadence.assessment.services import assignments, attempt_results, grading, quizzes
from cadence.assessment.services.assignments import SubmissionInput
from cadence.assessment.services.grading import GradeInput, GradeInputError
from cadence.assessment.tests.factories import ESSAY, question, quiz_item
from cadence.core.errors import NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses import services as course_services
from cadence.courses.models import Role
from cadence.courses.tests.factories import GroupFactory, ItemFactory, MembershipFactory
from cadence.notifications.models import Kind, Notification
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
D = Decimal

RUBRIC = """Chart choice: Is the chart type right for the data?
- 4 Excellent: a line chart over time
- 2 Adequate
- 0 Missing

Labels
- 2 Both axes with units
- 0 None
"""


def test_rubric_text_is_read_with_errors_by_line():
    parsed = rubric_text.parse_rubric(RUBRIC)
    assert not parsed.errors and [c.title for c in parsed.criteria] == ["Chart choice", "Labels"]
    assert parsed.max_points == D(6) and parsed.criteria[0].levels[0].description == "a line chart over time"
    bad = rubric_text.parse_rubric("- 3 Orphan\nClarity\n- many Wrong\nEmpty")
    assert any(e.startswith("Line 1:") for e in bad.errors)
    assert any(e.startswith("Line 3:") for e in bad.errors)
    assert any("“Empty” has no levels" in e for e in bad.errors)


def _setup(world: CourseWorld, **settings: object):
    item = ItemFactory(module=world.modules[0], kind="assignment", title="Chart", completion_rule="submitted")
    assignment = assignments.assignment_for(item)
    if settings:
        assignments.save_settings(actor=world.teacher, item=item, data=settings)
        assignment.refresh_from_db()
    submission = assignments.submit(
        user=world.learner, assignment=assignment, data=SubmissionInput(key="s1", text="My chart"), now=timezone.now()
    )
    return assignment, submission


def test_grading_by_points_checks_bounds_and_audits_changes(world: CourseWorld):
    _assignment, submission = _setup(world)
    for bad in (D(-1), D(101)):
        with pytest.raises(GradeInputError, match="between 0 and 100"):
            grading.grade_submission(
                grader=world.ta, submission=submission, data=GradeInput(points=bad), now=timezone.now()
            )
    assert not Grade.objects.exists()
    grading.grade_submission(grader=world.ta, submission=submission, data=GradeInput(points=D(70)), now=timezone.now())
    grading.grade_submission(
        grader=world.teacher, submission=submission, data=GradeInput(points=D(75)), now=timezone.now()
    )
    change = AuditEntry.objects.get(verb="grade.changed")
    assert change.data["old"] == "70.00" and change.data["new"] == "75.00" and change.actor_id == world.teacher.pk
    with pytest.raises(NotAllowed):
        grading.grade_submission(
            grader=world.learner, submission=submission, data=GradeInput(points=D(100)), now=timezone.now()
        )


def test_rubric_grades_scale_to_the_assignments_points(world: CourseWorld):
    rubric = grading.save_rubric(actor=world.teacher, course=world.course, title="Charts", source=RUBRIC)
    _assignment, submission = _setup(world, rubric=rubric)
    criteria = list(rubric.criteria.prefetch_related("levels"))
    levels = {criteria[0].pk: criteria[0].levels.get(points=4).pk, criteria[1].pk: criteria[1].levels.get(points=0).pk}
    grade = grading.grade_submission(
        grader=world.teacher,
        submission=submission,
        data=GradeInput(levels=levels, criterion_comments={criteria[1].pk: "Label the axes."}),
        now=timezone.now(),
    )
    assert grade.points == D("66.67")  # 4 of 6 rubric points, on a 100-point assignment
    assert grade.criteria[str(criteria[1].pk)]["comment"] == "Label the axes."
    with pytest.raises(GradeInputError, match="every criterion"):
        grading.grade_submission(
            grader=world.teacher, submission=submission, data=GradeInput(levels={}), now=timezone.now()
        )
    with pytest.raises(GradeInputError, match="used to grade"):
        grading.save_rubric(actor=world.teacher, course=world.course, title="Charts", source=RUBRIC, rubric=rubric)


def test_late_penalty_per_started_day(world: CourseWorld):
    assignment = assignments.assignment_for(ItemFactory(module=world.modules[0], kind="assignment"))
    assignment.late_policy = "penalty"
    assignment.penalty_percent_per_day = D(10)
    assert grading.late_penalty(D(80), assignment=assignment, late_seconds=0) == 0
    assert grading.late_penalty(D(80), assignment=assignment, late_seconds=60) == D(8)
    assert grading.late_penalty(D(80), assignment=assignment, late_seconds=86400 + 1) == D(16)
    assert grading.late_penalty(D(80), assignment=assignment, late_seconds=86400 * 30) == D(80)  # never below 0


def test_feedback_is_private_until_released_then_emailed(
    client, world: CourseWorld, django_capture_on_commit_callbacks
):
    assignment, submission = _setup(world, grade_release="manual")
    grading.grade_submission(
        grader=world.teacher,
        submission=submission,
        data=GradeInput(points=D(90), comment="SECRET-COMMENT"),
        now=timezone.now(),
    )
    receipt = reverse("assessment:receipt", args=[world.course.slug, submission.pk])
    client.force_login(world.learner)
    assert "SECRET-COMMENT" not in client.get(receipt).content.decode()
    mail.outbox.clear()
    noon = (timezone.now() - timedelta(days=1)).replace(hour=12)  # outside the learner's quiet hours
    with django_capture_on_commit_callbacks(execute=True):
        count = grading.release_grades(actor=world.teacher, assignment=assignment, now=noon)
    assert count == 1 and len(mail.outbox) == 1 and "90 / 100 points" in mail.outbox[0].body
    assert Notification.objects.get(recipient=world.learner).kind == Kind.GRADE_RELEASED
    page = client.get(receipt).content.decode()
    assert "SECRET-COMMENT" in page and "90 / 100" in page


def test_immediate_release_and_the_queue(client, world: CourseWorld):
    _assignment, submission = _setup(world, grade_release="immediate")
    entries = selectors.grading_queue(world.course, now=timezone.now() + timedelta(hours=5))
    assert [(e.kind, e.learner, e.waiting_hours) for e in entries] == [("submission", world.learner.display_name, 5)]
    client.force_login(world.ta)
    response = client.post(
        reverse("assessment:grade-submission", args=[world.course.slug, submission.pk]),
        {"points": "88", "comment": "Good"},
    )
    assert response.status_code == 302
    grade = Grade.objects.get()
    assert grade.released_at is not None and grade.grader == world.ta
    assert selectors.grading_queue(world.course, now=timezone.now()) == []
    turnaround = selectors.feedback_turnaround(world.course)
    assert turnaround[0].released == 1 and turnaround[1].who == world.ta.display_name
    bad = client.post(reverse("assessment:grade-submission", args=[world.course.slug, submission.pk]), {"points": "-3"})
    assert bad.status_code == 400 and "between 0 and 100" in bad.content.decode()
    client.force_login(world.learner)
    assert client.get(reverse("assessment:grading-queue", args=[world.course.slug])).status_code == 403


def test_the_queue_runs_a_fixed_number_of_queries(client, world: CourseWorld):
    from cadence.accounts.tests.factories import UserFactory
    from cadence.courses.tests.factories import MembershipFactory

    item = ItemFactory(module=world.modules[0], kind="assignment")
    assignment = assignments.assignment_for(item)
    client.force_login(world.teacher)
    url = reverse("assessment:grading-queue", args=[world.course.slug])
    counts = []
    for n in (1, 12):
        for k in range(n):
            learner = UserFactory()
            MembershipFactory(user=learner, course=world.course, role="learner")
            assignments.submit(
                user=learner, assignment=assignment, data=SubmissionInput(key=f"{n}-{k}", text="x"), now=timezone.now()
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_grading_an_essay_finishes_the_attempt(world: CourseWorld):
    _item, quiz = quiz_item(world.teacher, world.modules[0], question(world.teacher, world.course, ESSAY))
    now = timezone.now()
    attempt = quizzes.start_attempt(user=world.learner, quiz=quiz, now=now)
    quizzes.submit_attempt(
        user=world.learner, attempt_id=attempt.pk, now=now, answers=[quizzes.AnswerInput(1, {"text": "Because."})]
    )
    row = attempt.questions.get()
    with pytest.raises(GradeInputError, match="between 0 and 4"):
        grading.grade_essay(grader=world.ta, row=row, points=D(5), comment="", now=now)
    graded = grading.grade_essay(grader=world.ta, row=row, points=D(3), comment="Clear.", now=now)
    assert graded.state == AttemptState.SUBMITTED and not graded.needs_grading and graded.score == D(3)
    assert attempt_results.quiz_grade(quiz, world.learner) == D(75)


def test_feedback_files_reach_the_learner_only_once_released(client, world: CourseWorld, tmp_path, settings):
    from cadence.content.tests.factories import upload

    settings.MEDIA_ROOT = str(tmp_path)
    _assignment, submission = _setup(world, grade_release="manual")
    client.force_login(world.teacher)
    url = reverse("assessment:grade-submission", args=[world.course.slug, submission.pk])
    bad = client.post(url, {"points": "50", "feedback_files": upload("x.html", b"<script>")})
    assert bad.status_code == 400 and not Grade.objects.exists()  # one transaction: no grade without its file
    client.post(url, {"points": "50", "feedback_files": upload("notes.pdf", b"%PDF-1.7\n%%EOF\n")})
    grade = Grade.objects.get()
    file_url = reverse("assessment:feedback-file", args=[world.course.slug, submission.pk, grade.files.get().pk])
    client.force_login(world.learner)
    assert client.get(file_url).status_code == 404
    grading.release_grades(actor=world.teacher, assignment=submission.assignment, now=timezone.now())
    assert client.get(file_url).status_code == 200


def test_graders_see_the_learners_accommodation_beside_their_work(world: CourseWorld, client):
    """The queue and the grading page show staff who may see it the learner's accommodation; a TA limited to
    other groups grades the work without being told."""
    _assignment, submission = _setup(world)
    course_services.set_accommodation(
        actor=world.teacher,
        course=world.course,
        data=course_services.AccommodationInput(time_multiplier=D("1.5")),
        learner=world.learner_membership,
    )
    other_group_ta = UserFactory()
    MembershipFactory(course=world.course, user=other_group_ta, role=Role.TA).groups.add(
        GroupFactory(course=world.course, name="Elsewhere")
    )
    queue = reverse("assessment:grading-queue", args=[world.course.slug])
    page = reverse("assessment:grade-submission", args=[world.course.slug, submission.pk])
    for grader, told in ((world.teacher, True), (world.ta, True), (other_group_ta, False)):
        client.force_login(grader)
        for url in (queue, page):
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code == 200 and world.learner.display_name in body
            assert ("Accommodation: × 1.5 time on timed quizzes" in body) is told, (grader, url)
