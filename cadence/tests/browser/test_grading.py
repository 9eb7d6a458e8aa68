"""A teacher grades a submission with a rubric and releases the grades; the learner then sees the feedback."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.models import Grade
from cadence.assessment.services import assignments, grading
from cadence.assessment.services.assignments import SubmissionInput
from cadence.courses.models import Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.tests.browser.helpers import NewPage, sign_in, submit, visit

pytestmark = pytest.mark.browser

RUBRIC = """Argument: Does the answer explain why?
- 4 Convincing
- 2 Partly
- 0 Missing
Evidence
- 2 Uses the data
- 0 No data
"""


def test_teacher_grades_with_a_rubric_releases_and_the_learner_sees_feedback(
    live_server: LiveServer, new_page: NewPage
) -> None:
    course = CourseFactory(title="Evidence", slug="evidence")
    module = ModuleFactory(course=course, title="Week 3")
    teacher = UserFactory(display_name="Ms Rivera")
    learner = UserFactory(display_name="Tomás")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    item = ItemFactory(module=module, kind="assignment", title="Explain the trend")
    rubric = grading.save_rubric(actor=teacher, course=course, title="Explaining", source=RUBRIC)
    assignments.save_settings(
        actor=teacher, item=item, data={"rubric": rubric, "grade_release": "manual", "max_points": 60}
    )
    submission = assignments.submit(
        user=learner,
        assignment=assignments.assignment_for(item),
        data=SubmissionInput(key="k", text="Rainfall rises each spring because of the monsoon."),
        now=timezone.now(),
    )

    page = new_page()
    sign_in(page, live_server.url, teacher)
    visit(page, f"{live_server.url}/courses/evidence/")
    submit(page, page.get_by_role("link", name="Grading"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for grading")
    submit(page, page.get_by_role("link", name="Grade Tomás, Explain the trend"))
    page.get_by_label("4 Convincing").check()
    page.get_by_label("0 No data").check()
    page.get_by_label("Comment on Evidence").fill("Quote the rainfall figures.")
    page.get_by_label("Feedback for the learner").fill("A clear explanation; now back it with the data.")
    submit(page, page.get_by_role("button", name="Save (not released yet)"))
    expect(page.locator("#messages")).to_contain_text("Grade saved for Tomás")
    grade = Grade.objects.get()
    assert grade.points == 40 and grade.released_at is None  # 4 of 6 rubric points on a 60-point task

    # Before the release the learner sees the receipt but no feedback.
    learner_page = new_page()
    sign_in(learner_page, live_server.url, learner)
    visit(learner_page, f"{live_server.url}/courses/evidence/submissions/{submission.pk}/")
    expect(learner_page.get_by_role("region", name="Grade and feedback")).to_have_count(0)

    visit(page, f"{live_server.url}/courses/evidence/grading/submissions/{submission.pk}/")
    submit(page, page.get_by_role("button", name="Release all grades"))
    expect(page.locator("#messages")).to_contain_text("1 grades released")

    visit(learner_page, f"{live_server.url}/courses/evidence/submissions/{submission.pk}/")
    feedback = learner_page.get_by_role("region", name="Grade and feedback")
    expect(feedback).to_contain_text("40 / 60")
    expect(feedback).to_contain_text("Quote the rainfall figures.")
    expect(feedback).to_contain_text("now back it with the data")
