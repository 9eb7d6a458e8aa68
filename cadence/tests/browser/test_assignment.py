"""A learner writes an assignment (the draft autosaves), submits a file and text, and sees the receipt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.tests.factories import UserFactory
from cadence.assessment.models import AssignmentDraft, Submission
from cadence.assessment.services import assignments
from cadence.courses.models import Item, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.tests.browser.helpers import check_a11y, sign_in, submit, visit

pytestmark = pytest.mark.browser


def test_learner_drafts_submits_and_gets_a_receipt(
    live_server: LiveServer, page: Page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    course = CourseFactory(title="Charts", slug="charts")
    module = ModuleFactory(course=course, title="Week 2")
    teacher = UserFactory()
    learner = UserFactory(display_name="Kwame", time_zone="Africa/Accra")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    item = ItemFactory(module=module, kind="assignment", title="Make a chart", completion_rule="submitted")
    assignments.save_settings(
        actor=teacher, item=item, data={"instructions": "Compare **two cities**.", "accept_files": True}
    )
    Item.objects.filter(pk=item.pk).update(due_date=(timezone.now() + timedelta(days=3)).date())
    pdf = tmp_path / "chart.pdf"
    pdf.write_bytes(b"%PDF-1.7\n% a chart\n%%EOF\n")

    sign_in(page, live_server.url, learner)
    visit(page, f"{live_server.url}/courses/charts/items/{item.pk}/")
    region = page.get_by_role("region", name="Assignment")
    expect(region).to_contain_text("Compare two cities")
    expect(region).to_contain_text("(Africa/Accra)")  # the deadline, in the learner's own zone

    page.get_by_label("Your answer").fill("Lagos is wetter than Oslo in every month.")
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    assert AssignmentDraft.objects.get().text.startswith("Lagos is wetter")
    page.reload()
    check_a11y(page)
    expect(page.get_by_label("Your answer")).to_have_value("Lagos is wetter than Oslo in every month.")

    page.get_by_label("Files").set_input_files(str(pdf))
    submit(page, region.get_by_role("button", name="Submit", exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Received: Make a chart")
    receipt = page.get_by_role("region", name="Receipt")
    submission = Submission.objects.get()
    expect(receipt).to_contain_text("Time of record")
    expect(receipt).to_contain_text(submission.files.get().sha256)
    expect(receipt).to_contain_text("(Africa/Accra)")
    # Back on the item, the submission is listed and the draft is gone.
    visit(page, f"{live_server.url}/courses/charts/items/{item.pk}/")
    expect(page.get_by_role("region", name="Assignment")).to_contain_text("Submission 1")
    assert not AssignmentDraft.objects.exists()
