from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.tests.factories import UserFactory
from cadence.content import services
from cadence.content.models import ChecklistStep, CourseImage, Cue, Lesson, StepTick, Video
from cadence.content.services import StepInput
from cadence.content.tests.conftest import stored_files
from cadence.content.tests.factories import SAMPLE_VTT, WEBM_HEAD, media_bytes, png_bytes, upload, vtt_text
from cadence.core.testing.queries import count_queries
from cadence.courses.models import Item, Role
from cadence.courses.tests.factories import CourseFactory, ItemFactory, MembershipFactory
from cadence.progress import services as progress_services
from cadence.progress.models import Completion
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _url(name: str, *args) -> str:
    return reverse(f"content:{name}", args=args)


def _item_page(item: Item) -> str:
    return reverse("courses:item-detail", args=[item.course.slug, item.pk])


def _item(world: CourseWorld, kind: str, **kw) -> Item:
    return ItemFactory(module=world.modules[0], kind=kind, title=f"A {kind}", **kw)


# --- Lessons ----------------------------------------------------------------------------------------
def test_learners_read_the_lesson_on_the_item_page(client, world: CourseWorld):
    item = _item(world, "lesson")
    client.force_login(world.learner)
    assert "This lesson has no text yet." in client.get(_item_page(item)).content.decode()
    services.save_lesson(
        actor=world.teacher, item=item, body="## Rows\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```"
    )
    page = client.get(_item_page(item)).content.decode()
    assert "<h2>Rows</h2>" in page and "<table>" in page and "<pre><code>code" in page
    assert _url("lesson-edit", world.course.slug, item.pk) not in page  # no edit link for learners


def test_teachers_see_the_edit_content_link(client, world: CourseWorld):
    item = _item(world, "lesson")
    client.force_login(world.teacher)
    assert _url("lesson-edit", world.course.slug, item.pk) in client.get(_item_page(item)).content.decode()


def test_teacher_saves_a_lesson_and_the_item_shows_its_reading_time(client, world: CourseWorld):
    item = _item(world, "lesson")
    client.force_login(world.teacher)
    edit = _url("lesson-edit", world.course.slug, item.pk)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"body": " ".join(["word"] * 401), "action": "save"})
    assert response.status_code == 302 and response["Location"] == _item_page(item)
    assert Lesson.objects.get(item=item).word_count == 401
    assert "About 3 minutes" in client.get(_item_page(item)).content.decode()


def test_preview_without_javascript_renders_and_saves_nothing(client, world: CourseWorld):
    item = _item(world, "lesson")
    client.force_login(world.teacher)
    response = client.post(
        _url("lesson-edit", world.course.slug, item.pk), {"body": "# Draft title", "action": "preview"}
    )
    assert response.status_code == 200
    assert "<h1>Draft title</h1>" in response.content.decode()
    assert not Lesson.objects.exists()


def test_live_preview_fragment(client, world: CourseWorld):
    item = _item(world, "lesson")
    client.force_login(world.teacher)
    url = _url("lesson-preview", world.course.slug, item.pk)
    fragment = client.post(url, {"body": "**bold**"}, headers=HTMX).content.decode()
    assert fragment.strip().startswith('<div id="lesson-preview"') and "<strong>bold</strong>" in fragment
    refused = client.post(url, {"body": "<script>alert(1)</script>"}, headers=HTMX).content.decode()
    assert "Lessons cannot contain scripts" in refused and "<script>" not in refused
    client.force_login(world.learner)
    assert client.post(url, {"body": "x"}).status_code == 403


def test_a_lesson_with_a_script_is_refused_with_a_clear_error(client, world: CourseWorld):
    item = _item(world, "lesson")
    client.force_login(world.teacher)
    response = client.post(_url("lesson-edit", world.course.slug, item.pk), {"body": '<img src=x onerror="alert(1)">'})
    assert response.status_code == 400
    assert "remove the “onerror” event handler on &lt;img&gt; (line 1)" in response.content.decode()
    assert not Lesson.objects.exists()


@pytest.mark.parametrize("actor", ["learner", "ta", "outsider", "observer"])
def test_only_teachers_open_the_editors(client, world: CourseWorld, actor: str):
    client.force_login(getattr(world, actor))
    for kind, name in (("lesson", "lesson-edit"), ("video", "video-edit"), ("checklist", "checklist-edit")):
        item = _item(world, kind)
        assert client.get(_url(name, world.course.slug, item.pk)).status_code == 403
        assert client.post(_url(name, world.course.slug, item.pk), {}).status_code == 403


def test_editors_need_the_right_kind_and_course(client, world: CourseWorld):
    client.force_login(world.teacher)
    video = _item(world, "video")
    assert client.get(_url("lesson-edit", world.course.slug, video.pk)).status_code == 404
    elsewhere = ItemFactory(kind="lesson")  # another course's lesson, reached through this course's address
    assert client.get(_url("lesson-edit", world.course.slug, elsewhere.pk)).status_code == 404
    MembershipFactory(user=world.teacher, course=CourseFactory(slug="other"), role=Role.TEACHER)
    other_teacher = UserFactory()
    MembershipFactory(user=other_teacher, course=elsewhere.course, role=Role.TEACHER)
    client.force_login(other_teacher)  # a teacher, but of another course
    assert client.get(_url("lesson-edit", world.course.slug, _item(world, "lesson").pk)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world: CourseWorld):
    item = _item(world, "lesson")
    response = client.get(_url("lesson-edit", world.course.slug, item.pk))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- Images -----------------------------------------------------------------------------------------
def _upload_image(client, world: CourseWorld, item: Item, content: bytes = b"", name: str = "chart.png"):
    return client.post(
        _url("image-upload", world.course.slug, item.pk),
        {"file": upload(name, content or png_bytes()), "alt_text": "Rainfall by month"},
    )


def test_teacher_uploads_an_image_and_gets_its_markdown_snippet(client, world: CourseWorld):
    item = _item(world, "lesson")
    client.force_login(world.teacher)
    response = _upload_image(client, world, item)
    assert response.status_code == 302
    image = CourseImage.objects.get()
    src = _url("image-file", world.course.slug, image.pk, "chart.png")
    page = client.get(response["Location"]).content.decode()
    assert f"![Rainfall by month]({src})" in page
    assert "“chart.png” uploaded." in page


def test_a_bad_image_gets_a_clear_error_and_nothing_is_stored(client, world: CourseWorld, media_root: Path):
    item = _item(world, "lesson")
    client.force_login(world.teacher)
    response = _upload_image(client, world, item, content=b"<?php system($_GET['c']); ?>", name="shell.png")
    assert response.status_code == 400
    assert "is not a PNG, JPEG, GIF or WebP image" in response.content.decode()
    assert not CourseImage.objects.exists() and stored_files(media_root) == []


def test_images_are_served_only_to_people_who_may_view_the_course(client, world: CourseWorld):
    item = _item(world, "lesson")
    image = services.upload_image(actor=world.teacher, item=item, upload=upload("chart.png", png_bytes()), alt_text="x")
    url = _url("image-file", world.course.slug, image.pk, image.filename)
    client.force_login(world.learner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="chart.png"'
    assert "private" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"  # never runs as a page of the site
    assert client.get(_url("image-file", world.course.slug, image.pk, "other.png")).status_code == 404
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    other = CourseFactory(slug="elsewhere")
    MembershipFactory(user=world.learner, course=other, role=Role.LEARNER)
    client.force_login(world.learner)
    assert client.get(_url("image-file", "elsewhere", image.pk, image.filename)).status_code == 404


def test_no_media_is_served_from_a_public_address(client, world: CourseWorld, settings):
    image = services.upload_image(
        actor=world.teacher, item=_item(world, "lesson"), upload=upload("a.png", png_bytes()), alt_text="x"
    )
    client.force_login(world.teacher)
    assert client.get(settings.MEDIA_URL + image.file.name).status_code == 404


# --- Videos -----------------------------------------------------------------------------------------
def _uploaded_video(world: CourseWorld, size: int = 4096, **kw) -> tuple[Item, bytes]:
    item = _item(world, "video", **kw)
    content = media_bytes(WEBM_HEAD, size)
    services.save_video(actor=world.teacher, item=item, upload=upload("lecture.webm", content), duration_seconds=90)
    return item, content


def test_teacher_sets_a_video_address(client, world: CourseWorld):
    item = _item(world, "video")
    client.force_login(world.teacher)
    edit = _url("video-edit", world.course.slug, item.pk)
    response = client.post(edit, {"external_url": "https://media.example.org/a.webm", "duration": "7:30"})
    assert response.status_code == 302
    video = Video.objects.get(item=item)
    assert (video.external_url, video.duration_seconds) == ("https://media.example.org/a.webm", 450)
    page = client.get(_item_page(item)).content.decode()
    assert 'src="https://media.example.org/a.webm"' in page and "Open the video at its source" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"external_url": "javascript:alert(1)"}, "Only http:// and https:// addresses can be used"),
        ({"external_url": "https://x.org/a.webm", "duration": "seven"}, "Write the running time as minutes:seconds"),
        ({}, "Upload a video file (MP4 or WebM) or give the video&#x27;s address."),
    ],
)
def test_bad_video_input_is_shown_on_the_form(client, world: CourseWorld, data, message):
    item = _item(world, "video")
    client.force_login(world.teacher)
    response = client.post(_url("video-edit", world.course.slug, item.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Video.objects.exists()


def test_teacher_uploads_a_video_file(client, world: CourseWorld):
    item = _item(world, "video")
    client.force_login(world.teacher)
    response = client.post(
        _url("video-edit", world.course.slug, item.pk), {"file": upload("talk.webm", media_bytes(WEBM_HEAD))}
    )
    assert response.status_code == 302
    assert Video.objects.get(item=item).content_type == "video/webm"
    page = client.get(_item_page(item)).content.decode()
    file_url = _url("video-file", world.course.slug, item.pk)
    assert f'src="{file_url}"' in page and f'href="{file_url}?download=1"' in page


def test_video_file_is_served_whole_with_safe_headers(client, world: CourseWorld):
    item, content = _uploaded_video(world)
    client.force_login(world.learner)
    response = client.get(_url("video-file", world.course.slug, item.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert (response["Content-Type"], response["Content-Length"], response["Accept-Ranges"]) == (
        "video/webm",
        "4096",
        "bytes",
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="lecture.webm"'
    download = client.get(_url("video-file", world.course.slug, item.pk) + "?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="lecture.webm"'


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=4000-", 4000, 4095), ("bytes=-10", 4086, 4095), ("bytes=100-100000", 100, 4095)],
)
def test_range_requests_get_206_with_exactly_those_bytes(
    client, world: CourseWorld, header: str, first: int, last: int
):
    item, content = _uploaded_video(world)
    client.force_login(world.learner)
    response = client.get(_url("video-file", world.course.slug, item.pk), headers={"Range": header})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/4096"
    assert response["Content-Length"] == str(last - first + 1)
    assert b"".join(response.streaming_content) == content[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=4096-", "bytes=500-100", "bytes=x-y", "bytes=-0"])
def test_unsatisfiable_ranges_get_416(client, world: CourseWorld, header: str):
    item, _content = _uploaded_video(world)
    client.force_login(world.learner)
    response = client.get(_url("video-file", world.course.slug, item.pk), headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */4096"


def test_video_files_are_refused_to_people_who_may_not_see_the_item(client, world: CourseWorld):
    item, _content = _uploaded_video(world, is_published=False)
    url = _url("video-file", world.course.slug, item.pk)
    client.force_login(world.learner)
    assert client.get(url).status_code == 404  # hidden from learners
    client.force_login(world.ta)
    assert client.get(url).status_code == 200
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_captions_upload_and_serve_as_vtt(client, world: CourseWorld):
    item, _content = _uploaded_video(world)
    client.force_login(world.teacher)
    response = client.post(
        _url("caption-upload", world.course.slug, item.pk),
        {"label": "English", "language": "en", "file": upload("en.vtt", SAMPLE_VTT.encode())},
    )
    assert response.status_code == 302
    track = Video.objects.get(item=item).captions.get()
    client.force_login(world.learner)
    served = client.get(_url("caption-file", world.course.slug, item.pk, track.pk))
    assert served.status_code == 200 and served["Content-Type"] == "text/vtt; charset=utf-8"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == SAMPLE_VTT.encode()
    page = client.get(_item_page(item)).content.decode()
    assert (
        f'<track kind="captions" src="{_url("caption-file", world.course.slug, item.pk, track.pk)}" srclang="en" label="English" default>'
        in page
    )


def test_malformed_captions_show_the_line_and_store_nothing(client, world: CourseWorld):
    item, _content = _uploaded_video(world)
    client.force_login(world.teacher)
    bad = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n00:00:05.000 --> 00:00:04.000\nbackwards\n"
    response = client.post(
        _url("caption-upload", world.course.slug, item.pk),
        {"label": "English", "language": "en", "file": upload("en.vtt", bad)},
    )
    assert response.status_code == 400
    assert "Line 6: the cue ends (00:00:04.000) before or when it starts (00:00:05.000)" in response.content.decode()
    assert not Cue.objects.exists()


def test_caption_delete(client, world: CourseWorld):
    item, _content = _uploaded_video(world)
    track = services.add_captions(
        actor=world.teacher, item=item, label="English", language="en", upload=upload("en.vtt", SAMPLE_VTT.encode())
    )
    url = _url("caption-delete", world.course.slug, item.pk, track.pk)
    client.force_login(world.learner)
    assert client.post(url).status_code == 403
    client.force_login(world.teacher)
    assert client.post(url).status_code == 302
    assert not Cue.objects.exists()
    assert client.post(url).status_code == 404


def _captioned(world: CourseWorld, cues: int) -> Item:
    item = _item(world, "video")
    services.save_video(actor=world.teacher, item=item, external_url="https://media.example.org/a.webm")
    text = vtt_text(
        [
            (n * 2000, n * 2000 + 1500, f"Line {n} about rainfall" if n % 2 else f"Line {n} about rivers")
            for n in range(cues)
        ]
    )
    services.add_captions(
        actor=world.teacher, item=item, label="English", language="en", upload=upload("en.vtt", text.encode())
    )
    return item


def test_the_transcript_is_shown_and_searched_without_javascript(client, world: CourseWorld):
    item = _captioned(world, 4)
    client.force_login(world.learner)
    page = client.get(_item_page(item)).content.decode()
    assert page.count('class="cue"') == 4
    assert 'href="https://media.example.org/a.webm#t=2" data-start="2"' in page
    searched = client.get(_item_page(item) + "?q=RAINFALL").content.decode()
    assert searched.count('class="cue"') == 2 and "2 lines match “RAINFALL”." in searched


def test_the_transcript_fragment_for_htmx(client, world: CourseWorld):
    item = _captioned(world, 4)
    client.force_login(world.learner)
    url = _url("transcript", world.course.slug, item.pk)
    fragment = client.get(url + "?q=rivers&lang=en", headers=HTMX).content.decode()
    assert fragment.strip().startswith(f'<div id="item-{item.pk}-transcript"')
    assert fragment.count('class="cue"') == 2 and "hx-swap-oob" in fragment
    plain = client.get(url + "?q=rivers")
    assert plain.status_code == 302 and plain["Location"].startswith(_item_page(item) + "?q=rivers")
    client.force_login(world.outsider)
    assert client.get(url, headers=HTMX).status_code == 403


def test_the_player_resumes_where_the_learner_left_off(client, world: CourseWorld):
    item, _content = _uploaded_video(world)
    progress_services.ingest_beacon(
        user=world.learner,
        events=[
            progress_services.BeaconEvent(
                key="resume-test-1", verb="paused", item_id=item.pk, position=42.5, duration=90
            )
        ],
        now=timezone.now(),
    )
    client.force_login(world.learner)
    page = client.get(_item_page(item)).content.decode()
    assert 'data-resume="42.500"' in page and 'data-tracked="true"' in page
    assert 'data-beacon-url="/api/v1/progress/events"' in page
    assert '<script src="/static/content/video.js" defer></script>' in page
    client.force_login(world.teacher)  # staff activity is not tracked, so their player does not report
    assert 'data-tracked="false"' in client.get(_item_page(item)).content.decode()


# --- Checklists -------------------------------------------------------------------------------------
def _checklist(world: CourseWorld, steps: int = 3, rule: str = "checklist") -> Item:
    item = _item(world, "checklist", completion_rule=rule)
    services.save_checklist(
        actor=world.teacher, item=item, steps=[StepInput(None, f"Step **{n}**") for n in range(steps)]
    )
    return item


def test_teacher_edits_steps_with_the_form(client, world: CourseWorld):
    item = _checklist(world, steps=2)
    first, second = ChecklistStep.objects.filter(checklist__item=item).order_by("position")
    client.force_login(world.teacher)
    edit = _url("checklist-edit", world.course.slug, item.pk)
    assert client.get(edit).status_code == 200
    data = {
        "steps-TOTAL_FORMS": "4", "steps-INITIAL_FORMS": "2", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "100",
        "steps-0-step_id": first.pk, "steps-0-text": "First, renamed", "steps-0-position": "2",
        "steps-1-step_id": second.pk, "steps-1-text": second.text, "steps-1-position": "1",
        "steps-2-text": "A new step", "steps-2-position": "",
        "steps-3-text": "", "steps-3-position": "",
    }  # fmt: skip
    assert client.post(edit, data).status_code == 302
    assert list(ChecklistStep.objects.filter(checklist__item=item).values_list("text", flat=True)) == [
        "Step **1**", "First, renamed", "A new step",
    ]  # fmt: skip
    data |= {"steps-1-delete": "on", "steps-2-text": "x" * 600}
    response = client.post(edit, data)
    assert response.status_code == 400 and "at most 500 characters" in response.content.decode()
    assert ChecklistStep.objects.filter(checklist__item=item).count() == 3


def test_learner_ticks_steps_without_javascript(client, world: CourseWorld):
    item = _checklist(world, steps=2)
    steps = list(ChecklistStep.objects.filter(checklist__item=item).order_by("position"))
    client.force_login(world.learner)
    page = client.get(_item_page(item)).content.decode()
    assert "0 of 2 steps" in page and "Step <strong>0</strong>" in page
    response = client.post(_url("step-tick", world.course.slug, item.pk, steps[0].pk), {"ticked": "1"})
    assert response.status_code == 302 and response["Location"] == _item_page(item) + f"#item-{item.pk}-checklist"
    page = client.get(response["Location"]).content.decode()
    assert "1 of 2 steps" in page and 'aria-pressed="true"' in page
    client.post(_url("step-tick", world.course.slug, item.pk, steps[1].pk), {"ticked": "1"})
    assert Completion.objects.filter(user=world.learner, item=item).exists()
    assert "Every step is ticked" in client.get(_item_page(item)).content.decode()


def test_ticking_with_htmx_swaps_just_the_list(client, world: CourseWorld):
    item = _checklist(world, steps=2)
    steps = list(ChecklistStep.objects.filter(checklist__item=item).order_by("position"))
    client.force_login(world.learner)
    url = _url("step-tick", world.course.slug, item.pk, steps[0].pk)
    response = client.post(url, {"ticked": "1"}, headers=HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "progress-changed"
    assert fragment.strip().startswith(f'<div id="item-{item.pk}-checklist"')
    assert "1 of 2 steps" in fragment and "1 of 2 steps done." in fragment
    assert f'<progress id="item-{item.pk}-checklist-progress" max="2" value="1">' in fragment
    fragment = client.post(url, {"ticked": "0"}, headers=HTMX).content.decode()
    assert "0 of 2 steps" in fragment and not StepTick.objects.exists()


def test_ticking_is_refused_to_observers_outsiders_and_for_hidden_items(client, world: CourseWorld):
    item = _checklist(world, steps=1)
    step = ChecklistStep.objects.get(checklist__item=item)
    url = _url("step-tick", world.course.slug, item.pk, step.pk)
    client.force_login(world.observer)
    assert client.post(url, {"ticked": "1"}).status_code == 403
    assert "step-tick" not in client.get(_item_page(item)).content.decode()
    client.force_login(world.outsider)
    assert client.post(url, {"ticked": "1"}).status_code == 403
    Item.objects.filter(pk=item.pk).update(is_published=False)
    client.force_login(world.learner)
    assert client.post(url, {"ticked": "1"}).status_code == 404
    assert not StepTick.objects.exists()


# --- Query budgets: the item page costs the same however long the content ------------------------
@pytest.mark.parametrize("actor", ["learner", "teacher"])
def test_item_page_queries_do_not_grow_with_steps_or_cues(client, world: CourseWorld, actor: str):
    few_steps, many_steps = _checklist(world, steps=2), _checklist(world, steps=60)
    few_cues, many_cues = _captioned(world, 2), _captioned(world, 150)
    short_lesson, long_lesson = _item(world, "lesson"), _item(world, "lesson")
    services.save_lesson(actor=world.teacher, item=short_lesson, body="Short.")
    services.save_lesson(
        actor=world.teacher, item=long_lesson, body="\n\n".join(f"## Part {n}\n\nText." for n in range(200))
    )
    for item in (few_steps, many_steps):
        for step in ChecklistStep.objects.filter(checklist__item=item)[:2]:
            services.set_step_ticked(user=world.learner, item=item, step_id=step.pk, ticked=True, now=timezone.now())
    client.force_login(getattr(world, actor))
    for item in (few_steps, many_steps, few_cues, many_cues, short_lesson, long_lesson):
        client.get(_item_page(item))  # the first visit writes the learner's progress row
    pairs = [(few_steps, many_steps), (few_cues, many_cues), (short_lesson, long_lesson)]
    for few, many in pairs:
        assert count_queries(client, _item_page(few)) == count_queries(client, _item_page(many)), few.kind
    assert count_queries(client, _item_page(many_cues) + "?q=rain") == count_queries(
        client, _item_page(few_cues) + "?q=rain"
    )


def test_editor_queries_do_not_grow_with_images_or_steps(client, world: CourseWorld):
    client.force_login(world.teacher)
    lesson = _item(world, "lesson")
    checklist = _checklist(world, steps=2)
    counts = []
    for extra in (1, 20):
        for _ in range(extra):
            services.upload_image(actor=world.teacher, item=lesson, upload=upload("a.png", png_bytes()), alt_text="x")
        services.save_checklist(
            actor=world.teacher, item=checklist, steps=[StepInput(None, f"s{n}") for n in range(extra * 3)]
        )
        counts.append(
            (
                count_queries(client, _url("lesson-edit", world.course.slug, lesson.pk)),
                count_queries(client, _url("checklist-edit", world.course.slug, checklist.pk)),
            )
        )
    assert counts[0] == counts[1]


def test_items_not_released_yet_give_learners_no_media_and_no_ticks(client, world: CourseWorld):
    video, _content = _uploaded_video(world)
    checklist = _checklist(world, steps=1)
    for item in (video, checklist):
        progress_services.set_release_rule(
            actor=world.teacher, target=item, spec=progress_services.ReleaseSpec(after_item=world.items[0])
        )
    step = ChecklistStep.objects.get(checklist__item=checklist)
    client.force_login(world.learner)
    assert client.get(_url("video-file", world.course.slug, video.pk)).status_code == 403
    assert client.post(_url("step-tick", world.course.slug, checklist.pk, step.pk), {"ticked": "1"}).status_code == 403
    assert not StepTick.objects.exists()
    client.force_login(world.teacher)  # staff are never locked out
    assert client.get(_url("video-file", world.course.slug, video.pk)).status_code == 200
    progress_services.mark_complete(user=world.learner, item=world.items[0], now=timezone.now())
    client.force_login(world.learner)
    assert client.get(_url("video-file", world.course.slug, video.pk)).status_code == 200


def test_a_video_page_with_its_script_and_transcript_stays_small(client, world: CourseWorld):
    from cadence.core.tests.test_page_weight import BUDGET, _weight

    item = _captioned(world, 200)
    client.force_login(world.learner)
    html = client.get(_item_page(item)).content.decode()
    assert "content/video.js" in html
    assert _weight(html) < BUDGET
