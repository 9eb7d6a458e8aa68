"""A learner watches a video (resumes where they left off, seeks from the transcript) and works through a checklist.

The video is a real, playable WebM of four seconds made by ffmpeg once per session (Debian's ffmpeg; `make
chromium` installs it with the browser), so the element's currentTime behaves as it does for people.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.content import services as content_services
from cadence.content.tests.factories import png_bytes
from cadence.courses.models import Course, Item, Membership, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.progress.models import Event, ItemProgress
from cadence.tests.browser.helpers import check_a11y, sign_in, submit, visit

pytestmark = pytest.mark.browser

CAPTIONS = """WEBVTT

00:00:00.000 --> 00:00:01.500
A flower opens in the morning light.

00:00:01.500 --> 00:00:03.000
Each petal is one observation.

00:00:03.000 --> 00:00:04.000
And that is the whole data set.
"""


@pytest.fixture(scope="session")
def tiny_webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed (make chromium installs it): the video test needs a playable file")
    target = tmp_path_factory.mktemp("video") / "tiny.webm"
    subprocess.run(
        [
            ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=4",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
            "-c:v", "libvpx", "-b:v", "40k", "-c:a", "libopus", "-shortest", str(target),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return target.read_bytes()


def _course(title: str, webm: bytes) -> tuple[Course, list[Item]]:
    course = CourseFactory(title=title)
    module = ModuleFactory(course=course, title="Reading data", position=0)
    teacher = UserFactory(display_name="Maya Okonkwo")
    MembershipFactory(course=course, user=teacher, role=Role.TEACHER)
    items = [
        ItemFactory(module=module, kind="video", title="What is a data set?", position=0, completion_rule="watched"),
        ItemFactory(
            module=module, kind="checklist", title="Set up your routine", position=1, completion_rule="checklist"
        ),
    ]
    item = items[0]
    content_services.save_video(
        actor=teacher, item=item, upload=SimpleUploadedFile("flower.webm", webm), duration_seconds=4
    )
    content_services.add_captions(
        actor=teacher, item=item, label="English", language="en", upload=SimpleUploadedFile("en.vtt", CAPTIONS.encode())
    )
    content_services.save_checklist(
        actor=teacher,
        item=items[1],
        steps=[content_services.StepInput(None, t) for t in ("Set your **time zone**", "Pick study days", "Say hello")],
    )
    return course, items


def _learner(course: Course) -> User:
    learner = UserFactory(display_name="Ada Lovelace")
    MembershipFactory(course=course, user=learner, role=Role.LEARNER)
    return learner


def _current_time(page: Page) -> float:
    return float(page.evaluate("document.querySelector('video').currentTime"))


def _wait_until(page: Page, condition: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript condition. (Playwright's wait_for_function evaluates a string, which the CSP forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({condition})"):
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        page.wait_for_timeout(50)


def _leave(page: Page, url: str, learner: User) -> None:
    """Go to another page and wait for the "paused" event that the player sends (with keepalive) as it goes."""
    before = Event.objects.filter(actor=learner, verb="paused").count()
    visit(page, url)
    deadline = time.monotonic() + 10
    while Event.objects.filter(actor=learner, verb="paused").count() == before:
        assert time.monotonic() < deadline, "the player sent nothing when the learner left"
        time.sleep(0.05)


def _wait_for_metadata(page: Page) -> None:
    _wait_until(page, "document.querySelector('video').readyState >= 1")


def test_video_resumes_where_the_learner_left_off_and_the_transcript_seeks(
    live_server: LiveServer, page: Page, db: None, tiny_webm: bytes
) -> None:
    course, (video, _checklist) = _course("Data Literacy on Video", tiny_webm)
    learner = _learner(course)
    item_url = f"{live_server.url}/courses/{course.slug}/items/{video.pk}/"
    sign_in(page, live_server.url, learner)
    visit(page, item_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Video What is a data set?")
    _wait_for_metadata(page)
    transcript = page.get_by_role("region", name="Transcript")
    expect(transcript.get_by_role("link")).to_have_count(3)
    expect(page.get_by_label("Speed")).to_be_visible()  # shown by the script
    expect(page.get_by_role("link", name="Download the video")).to_have_attribute(
        "href", f"/courses/{course.slug}/items/{video.pk}/video/file/?download=1"
    )

    # Play a stretch from 1 s, then pause: the pause is sent with the stretch actually played.
    page.evaluate("(() => { const v = document.querySelector('video'); v.muted = true; v.currentTime = 1; })()")
    _wait_until(page, "document.querySelector('video').currentTime >= 1 && !document.querySelector('video').seeking")
    page.evaluate("document.querySelector('video').play()")
    _wait_until(page, "document.querySelector('video').currentTime >= 2.2")
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/progress/events") and r.request.method == "POST"
    ) as sent:
        page.evaluate("document.querySelector('video').pause()")
    assert sent.value.status == 202
    paused_at = _current_time(page)
    row = ItemProgress.objects.get(user=learner, item=video)
    assert abs(row.position_seconds - paused_at) < 0.3
    assert row.watched_ranges and row.watched_ranges[0][0] == pytest.approx(1, abs=0.3)
    assert row.watched_ranges[0][1] >= 2.0 and row.duration_seconds == pytest.approx(4, abs=0.2)

    # Seek to 2.6 s and leave: the "paused" beacon sent as the page goes saves the place.
    page.evaluate("document.querySelector('video').currentTime = 2.6")
    _wait_until(page, "!document.querySelector('video').seeking")
    _leave(page, f"{live_server.url}/courses/{course.slug}/", learner)
    row.refresh_from_db()
    assert row.position_seconds == pytest.approx(2.6, abs=0.2)

    # Coming back, the video is where the learner left it.
    visit(page, item_url)
    _wait_for_metadata(page)
    _wait_until(page, "document.querySelector('video').currentTime > 2.5")
    assert _current_time(page) == pytest.approx(2.6, abs=0.2)

    # A transcript line seeks the video instead of leaving the page.
    line = transcript.get_by_role("link", name="0:01 Each petal is one observation.")
    line.click()
    _wait_until(page, "Math.abs(document.querySelector('video').currentTime - 1.5) < 0.01")
    expect(page).to_have_url(item_url)
    expect(line).to_have_attribute("aria-current", "true")

    # Searching the transcript narrows it, in place.
    page.get_by_label("Search the transcript").fill("petal")
    expect(transcript.get_by_role("listitem")).to_have_count(1)
    expect(transcript.get_by_role("link", name="Show all")).to_be_visible()
    expect(page.locator(f"#item-{video.pk}-transcript-status")).to_have_text("1 line matches “petal”.")
    check_a11y(page)

    # ?t= beats the saved place.
    visit(page, item_url + "?t=2")
    _wait_for_metadata(page)
    _wait_until(page, "Math.abs(document.querySelector('video').currentTime - 2) < 0.05")
    _leave(page, f"{live_server.url}/courses/{course.slug}/", learner)  # nothing may still be on its way at the end


def test_ticking_every_step_moves_the_course_progress_bar(
    live_server: LiveServer, page: Page, db: None, tiny_webm: bytes
) -> None:
    course, (_video, checklist) = _course("Data Literacy, step by step", tiny_webm)
    learner = _learner(course)
    sign_in(page, live_server.url, learner)
    course_url = f"{live_server.url}/courses/{course.slug}/"
    visit(page, course_url)
    bar = page.get_by_role("progressbar", name="Course progress")
    expect(bar).to_have_attribute("value", "0")

    visit(page, f"{course_url}items/{checklist.pk}/")
    steps = page.get_by_role("region", name="Steps")
    expect(steps.get_by_text("0 of 3 steps")).to_be_visible()
    page.evaluate("window.sameDocument = true")
    for n, name in enumerate(("Set your time zone", "Pick study days", "Say hello"), start=1):
        toggle = steps.get_by_role("button", name=name)
        expect(toggle).to_have_attribute("aria-pressed", "false")
        toggle.click()
        expect(steps.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "true")
        expect(steps.get_by_text(f"{n} of 3 steps", exact=True)).to_be_visible()
    assert page.evaluate("window.sameDocument") is True  # htmx swapped the list; the page never reloaded
    expect(page.locator(f"#item-{checklist.pk}-checklist-status")).to_have_text(
        "Every step is ticked: this item is complete."
    )
    expect(steps.get_by_role("progressbar", name="Steps done")).to_have_attribute("value", "3")
    # The status box below hears "progress-changed" and fetches itself again: completed, still no reload.
    expect(page.locator(f"#item-{checklist.pk}-status")).to_contain_text("Completed")
    assert page.evaluate("window.sameDocument") is True
    check_a11y(page)

    visit(page, course_url)
    expect(bar).to_have_attribute("value", "50")
    expect(page.get_by_text("50% · 1 of 2 done").first).to_be_visible()


def test_teacher_writes_a_lesson_with_live_preview_and_edits_video_and_checklist(
    live_server: LiveServer, page: Page, db: None, tiny_webm: bytes
) -> None:
    course, (video, checklist) = _course("Data Literacy, authored", tiny_webm)
    lesson = ItemFactory(module=video.module, kind="lesson", title="Tidy data", position=2)
    teacher = Membership.objects.get(course=course, role=Role.TEACHER).user
    sign_in(page, live_server.url, teacher)
    visit(page, f"{live_server.url}/courses/{course.slug}/items/{lesson.pk}/")
    submit(page, page.get_by_role("link", name="Edit content"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit lesson “Tidy data”")

    # The preview follows the typing (htmx), then the image's snippet goes into the text.
    page.get_by_label("Lesson text").fill("## Rows and columns\n\n| city | mm |\n|---|---|\n| Oslo | 763 |")
    preview = page.locator("#lesson-preview")
    expect(preview.get_by_role("heading", name="Rows and columns")).to_be_visible()
    expect(preview.get_by_role("table")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Image (required)").set_input_files(
        files=[{"name": "chart.png", "mimeType": "image/png", "buffer": png_bytes(8, 8)}]
    )
    page.get_by_label("Describe the image for people who cannot see it (required)").fill("Rainfall in Oslo")
    submit(page, page.get_by_role("button", name="Upload image"))
    snippet = page.get_by_label("Markdown snippet").input_value()
    assert snippet.startswith("![Rainfall in Oslo](/courses/")
    text = page.get_by_label("Lesson text")
    text.fill(text.input_value() + "\n\n" + snippet)
    submit(page, page.get_by_role("button", name="Save lesson"))
    expect(page.get_by_role("status").first).to_have_text("The lesson has been saved.")
    expect(page.get_by_role("img", name="Rainfall in Oslo")).to_be_visible()
    assert page.evaluate("document.querySelector('.lesson img').naturalWidth") == 8  # served to the teacher

    # The video editor shows the file, its running time and its captions.
    visit(page, f"{live_server.url}/courses/{course.slug}/items/{video.pk}/video/edit/")
    expect(page.get_by_label("Running time")).to_have_value("0:04")
    expect(
        page.get_by_role("table", name="Caption files").get_by_role("cell", name="English", exact=True)
    ).to_be_visible()

    # The checklist editor: add a step, reorder, and the learner's page shows the new order.
    visit(page, f"{live_server.url}/courses/{course.slug}/items/{checklist.pk}/checklist/edit/")
    page.get_by_label("Step in row 4").fill("Bookmark the course")
    page.get_by_label("Position of row 4").fill("1")
    submit(page, page.get_by_role("button", name="Save checklist"))
    expect(page.get_by_role("region", name="Steps").get_by_role("listitem").first).to_contain_text(
        "Bookmark the course"
    )
