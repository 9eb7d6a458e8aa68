from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from cadence.content import selectors, services
from cadence.content.models import CaptionTrack, Checklist, ChecklistStep, CourseImage, Cue, Lesson, StepTick, Video
from cadence.content.services import StepInput
from cadence.content.tests.conftest import stored_files
from cadence.content.tests.factories import (
    MP4_HEAD,
    SAMPLE_VTT,
    WEBM_HEAD,
    ChecklistStepFactory,
    media_bytes,
    png_bytes,
    upload,
    vtt_text,
)
from cadence.core.errors import FieldError, InvalidInput, NotAllowed
from cadence.core.models import AuditEntry
from cadence.courses.models import Item
from cadence.courses.tests.factories import ItemFactory
from cadence.progress.models import Completion
from conftest import CourseWorld

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _item(world: CourseWorld, kind: str, **kw) -> Item:
    return ItemFactory(module=world.modules[0], kind=kind, title=f"A {kind}", **kw)


# --- Lessons ----------------------------------------------------------------------------------------
def test_saving_a_lesson_counts_its_words_and_sets_the_reading_time(world: CourseWorld):
    item = _item(world, "lesson")
    body = "# Tidy data\n\n" + " ".join(["word"] * 449) + "\n\n![chart](/courses/x/images/1/chart.png)"
    lesson = services.save_lesson(actor=world.teacher, item=item, body=body)
    item.refresh_from_db()
    assert lesson.word_count == 451  # the heading's two words and the body's; not the image's address
    assert item.derived_minutes == 3 and item.minutes == 3  # 451 words at 200 a minute, rounded up
    services.save_lesson(actor=world.teacher, item=item, body="Short.")
    item.refresh_from_db()
    assert item.derived_minutes == 1
    assert AuditEntry.objects.filter(verb="lesson.saved", course_id=world.course.pk).count() == 2


def test_the_teachers_estimate_wins_over_the_reading_time(world: CourseWorld):
    item = _item(world, "lesson", estimated_minutes=12)
    services.save_lesson(actor=world.teacher, item=item, body="Short.")
    item.refresh_from_db()
    assert (item.derived_minutes, item.minutes) == (1, 12)


@pytest.mark.parametrize("actor", ["ta", "learner", "observer", "outsider"])
def test_only_teachers_edit_lessons(world: CourseWorld, actor: str):
    item = _item(world, "lesson")
    with pytest.raises(NotAllowed):
        services.save_lesson(actor=getattr(world, actor), item=item, body="Mine now")
    assert not Lesson.objects.exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("Intro\n\n<script>alert(1)</script>", "the <script> element (line 3)"),
        ('Hello\n\nthere <img src="x" onerror="alert(1)">', "the “onerror” event handler on <img> (line 3)"),
        ('<a href="javascript:alert(1)">click</a>', "the javascript: address in <a href> (line 1)"),
        ('<a href="&#106;avascript:alert(1)">click</a>', "the javascript: address"),
        ("<iframe src=https://example.org></iframe>", "the <iframe> element"),
        ('<p onclick="steal()">x</p>', "the “onclick” event handler on <p>"),
    ],
)
def test_lessons_with_scripts_are_refused_and_nothing_changes(world: CourseWorld, body: str, words: str):
    item = _item(world, "lesson")
    services.save_lesson(actor=world.teacher, item=item, body="Before")
    with pytest.raises(FieldError) as caught:
        services.save_lesson(actor=world.teacher, item=item, body=body)
    assert words in caught.value.message and "Nothing was saved" in caught.value.message
    assert caught.value.field == "body"
    assert Lesson.objects.get(item=item).body == "Before"


def test_code_that_shows_a_script_is_fine(world: CourseWorld):
    item = _item(world, "lesson")
    body = "Never write `<script>` into a page:\n\n```html\n<img src=x onerror=alert(1)>\n```"
    lesson = services.save_lesson(actor=world.teacher, item=item, body=body)
    assert lesson.body == body


def test_a_lesson_service_refuses_another_kind_of_item(world: CourseWorld):
    with pytest.raises(InvalidInput, match="is not a lesson item"):
        services.save_lesson(actor=world.teacher, item=_item(world, "video"), body="x")


# --- Images -----------------------------------------------------------------------------------------
def test_an_uploaded_image_is_stored_under_a_fresh_name_with_its_real_type(world: CourseWorld, media_root: Path):
    item = _item(world, "lesson")
    image = services.upload_image(
        actor=world.teacher, item=item, upload=upload("My Chart.PNG", png_bytes(), "image/png"), alt_text=" Rainfall "
    )
    assert (image.filename, image.content_type, image.alt_text) == ("My_Chart.png", "image/png", "Rainfall")
    assert image.file.name.startswith(f"content/course-{world.course.pk}/images/") and image.file.name.endswith(".png")
    assert stored_files(media_root) == [image.file.name]
    assert AuditEntry.objects.filter(verb="image.uploaded", object_id=str(image.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content", "alt", "problem"),
    [
        ("page.png", b"<html><script>alert(1)</script></html>", "x", "is not a PNG, JPEG, GIF or WebP image"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x", "is not a PNG, JPEG, GIF or WebP image"),
        ("empty.png", b"", "x", "The file is empty."),
        ("big.png", png_bytes(64, 64) + b"\x00" * 2048, "x", "The image is too large"),
        ("fine.png", png_bytes(), "   ", "Describe the image"),
    ],
)
def test_bad_images_are_refused_and_nothing_is_stored(
    world: CourseWorld, media_root: Path, settings, name, content, alt, problem
):
    settings.CONTENT_IMAGE_MAX_BYTES = 2048
    with pytest.raises(FieldError, match=problem):
        services.upload_image(
            actor=world.teacher, item=_item(world, "lesson"), upload=upload(name, content), alt_text=alt
        )
    assert not CourseImage.objects.exists()
    assert stored_files(media_root) == []


def test_learners_cannot_upload_images(world: CourseWorld, media_root: Path):
    with pytest.raises(NotAllowed):
        services.upload_image(
            actor=world.learner, item=_item(world, "lesson"), upload=upload("a.png", png_bytes()), alt_text="x"
        )
    assert stored_files(media_root) == []


# --- Videos -----------------------------------------------------------------------------------------
def test_a_video_by_address_sets_the_duration_from_its_running_time(world: CourseWorld):
    item = _item(world, "video")
    video = services.save_video(
        actor=world.teacher, item=item, external_url=" https://media.example.org/a.webm ", duration_seconds=421
    )
    item.refresh_from_db()
    assert (video.external_url, video.is_uploaded, item.derived_minutes) == (
        "https://media.example.org/a.webm",
        False,
        8,
    )
    assert AuditEntry.objects.filter(verb="video.saved").count() == 1


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            "javascript:alert(1)",
            "Only http:// and https:// addresses can be used for a video (this one has javascript:)",
        ),
        ("ftp://example.org/a.mp4", "(this one has ftp:)"),
        ("data:video/mp4;base64,AAAA", "(this one has data:)"),
        ("example.org/a.mp4", "(this one has no scheme)"),
        ("https://", "is not a valid web address"),
    ],
)
def test_video_addresses_other_than_http_are_refused(world: CourseWorld, url: str, problem: str):
    item = _item(world, "video")
    with pytest.raises(FieldError) as caught:
        services.save_video(actor=world.teacher, item=item, external_url=url)
    assert problem in caught.value.message and caught.value.field == "external_url"
    assert not Video.objects.exists()


def test_an_uploaded_video_replaces_the_address_and_an_address_replaces_the_file(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    item = _item(world, "video")
    services.save_video(actor=world.teacher, item=item, external_url="https://media.example.org/a.mp4")
    video = services.save_video(actor=world.teacher, item=item, upload=upload("Lecture 1.webm", media_bytes(WEBM_HEAD)))
    assert (video.external_url, video.content_type, video.filename, video.size) == (
        "",
        "video/webm",
        "Lecture_1.webm",
        4096,
    )
    first = video.file.name
    assert stored_files(media_root) == [first]
    with django_capture_on_commit_callbacks(execute=True):
        video = services.save_video(actor=world.teacher, item=item, upload=upload("take2.mp4", media_bytes(MP4_HEAD)))
    assert video.content_type == "video/mp4" and stored_files(media_root) == [video.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        video = services.save_video(actor=world.teacher, item=item, external_url="https://media.example.org/b.webm")
    video.refresh_from_db()
    assert (video.file.name, video.external_url, video.size) == ("", "https://media.example.org/b.webm", None)
    assert stored_files(media_root) == []


def test_only_the_running_time_may_change(world: CourseWorld):
    item = _item(world, "video")
    services.save_video(
        actor=world.teacher, item=item, external_url="https://media.example.org/a.mp4", duration_seconds=60
    )
    video = services.save_video(actor=world.teacher, item=item, duration_seconds=3600)
    item.refresh_from_db()
    assert video.external_url == "https://media.example.org/a.mp4" and item.derived_minutes == 60


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({}, "Upload a video file (MP4 or WebM) or give the video's address."),
        ({"external_url": "https://x.org/a.mp4", "upload": "webm"}, "either a file or an address, not both"),
        ({"upload": "html"}, "is not an MP4 or WebM video"),
        ({"upload": "mkv"}, "is not an MP4 or WebM video"),
        ({"upload": "big"}, "The video is too large (0.0 MB); videos may be at most 0.0 MB."),
        ({"external_url": "https://x.org/a.mp4", "duration_seconds": 0}, "between 1 second and 24 hours"),
    ],
)
def test_bad_video_input_is_refused_and_nothing_is_stored(
    world: CourseWorld, media_root: Path, settings, kwargs, problem
):
    settings.CONTENT_VIDEO_MAX_BYTES = 5000
    files = {
        "webm": upload("a.webm", media_bytes(WEBM_HEAD)),
        "html": upload("a.mp4", b"<html>not a video</html>"),
        "mkv": upload("a.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska" + b"\x00" * 100),
        "big": upload("a.webm", media_bytes(WEBM_HEAD, 6000)),
    }
    if "upload" in kwargs:
        kwargs = {**kwargs, "upload": files[kwargs["upload"]]}
    with pytest.raises(FieldError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        services.save_video(actor=world.teacher, item=_item(world, "video"), **kwargs)
    assert not Video.objects.exists() and stored_files(media_root) == []


# --- Captions ---------------------------------------------------------------------------------------
def _video(world: CourseWorld) -> Item:
    item = _item(world, "video")
    services.save_video(actor=world.teacher, item=item, external_url="https://media.example.org/a.webm")
    return item


def test_captions_become_a_searchable_transcript(world: CourseWorld):
    item = _video(world)
    track = services.add_captions(
        actor=world.teacher, item=item, label="English", language="en", upload=upload("en.vtt", SAMPLE_VTT.encode())
    )
    assert (track.cue_count, track.file.name.endswith(".vtt")) == (3, True)
    assert [c.text for c in selectors.transcript(track)] == [
        "Welcome to the course.",
        "Maya: Today we look at tidy data.",
        "Each row is one observation & each column one variable.",
    ]
    assert [c.start_ms for c in selectors.transcript(track, query="TIDY")] == [2500]
    assert AuditEntry.objects.filter(verb="captions.added", object_id=str(track.pk)).exists()


def test_captions_in_the_same_language_replace_the_old_ones(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    item = _video(world)
    first = services.add_captions(
        actor=world.teacher, item=item, label="English", language="en", upload=upload("a.vtt", SAMPLE_VTT.encode())
    )
    services.add_captions(
        actor=world.teacher, item=item, label="Français", language="fr", upload=upload("b.vtt", SAMPLE_VTT.encode())
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = services.add_captions(
            actor=world.teacher,
            item=item,
            label="English (revised)",
            language="EN",
            upload=upload("c.vtt", vtt_text([(0, 1000, "Hi")]).encode()),
        )
    assert not CaptionTrack.objects.filter(pk=first.pk).exists()
    assert sorted(CaptionTrack.objects.values_list("label", "cue_count")) == [("English (revised)", 1), ("Français", 3)]
    assert Cue.objects.count() == 4
    assert len(stored_files(media_root)) == 2 and second.file.name in stored_files(media_root)
    assert AuditEntry.objects.filter(verb="captions.replaced").count() == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"1\n00:00:01,000 --> 00:00:02,000\nSRT, not VTT\n", "Line 1: a WebVTT file must start with “WEBVTT”"),
        (
            b"WEBVTT\n\n00:00:03.000 --> 00:00:01.000\nBackwards\n",
            "Line 3: the cue ends (00:00:01.000) before or when it starts",
        ),
        (
            b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n00:00:0x.000 --> 00:00:05.000\nbad\n",
            "Line 6: “00:00:0x.000” is not a time",
        ),
        (b"WEBVTT\n\n" + b"x" * 3000, "is too large"),
    ],
)
def test_malformed_captions_are_refused_naming_the_line_and_nothing_is_stored(
    world: CourseWorld, media_root: Path, settings, content: bytes, problem: str
):
    settings.CONTENT_CAPTION_MAX_BYTES = 2048
    item = _video(world)
    with pytest.raises(FieldError) as caught:
        services.add_captions(
            actor=world.teacher, item=item, label="English", language="en", upload=upload("en.vtt", content)
        )
    assert problem in caught.value.message and caught.value.field == "file"
    assert not CaptionTrack.objects.exists() and not Cue.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize(
    ("label", "language", "field"),
    [("", "en", "label"), ("English", "english!", "language"), ("English", "e", "language")],
)
def test_captions_need_a_label_and_a_language_code(world: CourseWorld, label: str, language: str, field: str):
    with pytest.raises(FieldError) as caught:
        services.add_captions(
            actor=world.teacher,
            item=_video(world),
            label=label,
            language=language,
            upload=upload("a.vtt", SAMPLE_VTT.encode()),
        )
    assert caught.value.field == field


def test_captions_need_the_video_first_and_a_teacher(world: CourseWorld):
    item = _item(world, "video")
    with pytest.raises(FieldError, match="Add the video itself"):
        services.add_captions(
            actor=world.teacher, item=item, label="English", language="en", upload=upload("a.vtt", SAMPLE_VTT.encode())
        )
    with pytest.raises(NotAllowed):
        services.add_captions(
            actor=world.ta,
            item=_video(world),
            label="English",
            language="en",
            upload=upload("a.vtt", SAMPLE_VTT.encode()),
        )


def test_deleting_captions_removes_cues_and_file(
    world: CourseWorld, media_root: Path, django_capture_on_commit_callbacks
):
    item = _video(world)
    track = services.add_captions(
        actor=world.teacher, item=item, label="English", language="en", upload=upload("a.vtt", SAMPLE_VTT.encode())
    )
    loaded = selectors.caption_track(Item.objects.select_related("course", "module").get(pk=item.pk), track.pk)
    with pytest.raises(NotAllowed):
        services.delete_captions(actor=world.learner, track=loaded)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_captions(actor=world.teacher, track=loaded)
    assert not CaptionTrack.objects.exists() and not Cue.objects.exists() and stored_files(media_root) == []
    assert not default_storage.exists(track.file.name)


# --- Checklists -------------------------------------------------------------------------------------
def _checklist(world: CourseWorld, texts=("Set your time zone", "Pick study days", "Say hello"), **kw) -> Item:
    item = _item(world, "checklist", completion_rule=kw.pop("completion_rule", "checklist"))
    services.save_checklist(actor=world.teacher, item=item, steps=[StepInput(None, t) for t in texts])
    return item


def _steps(item: Item) -> list[ChecklistStep]:
    return list(ChecklistStep.objects.filter(checklist__item=item).order_by("position"))


def test_teachers_write_steps_in_order_and_edits_keep_the_ticks_of_kept_steps(world: CourseWorld):
    item = _checklist(world)
    first, second, third = _steps(item)
    services.set_step_ticked(user=world.learner, item=item, step_id=first.pk, ticked=True, now=NOW)
    services.set_step_ticked(user=world.learner, item=item, step_id=third.pk, ticked=True, now=NOW)
    services.save_checklist(
        actor=world.teacher,
        item=item,
        steps=[
            StepInput(first.pk, "Set your time zone on your profile"),
            StepInput(None, "Read the guide"),
            StepInput(second.pk, second.text),
        ],
    )
    assert [s.text for s in _steps(item)] == ["Set your time zone on your profile", "Read the guide", "Pick study days"]
    assert list(StepTick.objects.values_list("step_id", flat=True)) == [first.pk]  # the third step went, with its tick
    audit = AuditEntry.objects.filter(verb="checklist.saved").first()  # newest first
    assert audit is not None and audit.data == {"steps": 3, "added": 1, "removed": 1}


@pytest.mark.parametrize(
    ("steps", "problem"),
    [
        ([StepInput(None, "ok"), StepInput(None, "  ")], "Step 2 is empty"),
        ([StepInput(None, "x" * 501)], "Step 1 is too long"),
        ([StepInput(None, "x")] * 101, "at most 100 steps"),
        ([StepInput(999999, "not ours")], "changed while you were editing"),
    ],
)
def test_bad_steps_are_refused_and_nothing_changes(world: CourseWorld, steps, problem):
    item = _checklist(world, texts=("Keep me",))
    with pytest.raises(FieldError, match=problem):
        services.save_checklist(actor=world.teacher, item=item, steps=steps)
    assert [s.text for s in _steps(item)] == ["Keep me"]


def test_steps_of_another_checklist_cannot_be_moved_in(world: CourseWorld):
    other = _checklist(world, texts=("Theirs",))
    item = _checklist(world, texts=("Mine",))
    with pytest.raises(FieldError):
        services.save_checklist(actor=world.teacher, item=item, steps=[StepInput(_steps(other)[0].pk, "Stolen")])
    assert [s.text for s in _steps(other)] == ["Theirs"]


def test_ticking_every_step_completes_the_item_for_a_learner(world: CourseWorld):
    item = _checklist(world)
    steps = _steps(item)
    for step in steps[:-1]:
        result = services.set_step_ticked(user=world.learner, item=item, step_id=step.pk, ticked=True, now=NOW)
        assert not result.completed_now
    assert not Completion.objects.filter(item=item).exists()
    result = services.set_step_ticked(user=world.learner, item=item, step_id=steps[-1].pk, ticked=True, now=NOW)
    assert (result.done, result.total, result.completed_now) == (3, 3, True)
    assert Completion.objects.get(item=item, user=world.learner).completed_at == NOW
    # Unticking keeps the completion (its first time of record); ticking twice is harmless.
    services.set_step_ticked(user=world.learner, item=item, step_id=steps[0].pk, ticked=False, now=NOW)
    services.set_step_ticked(user=world.learner, item=item, step_id=steps[1].pk, ticked=True, now=NOW)
    assert selectors.checklist_for(world.learner, item).done == 2
    assert Completion.objects.filter(item=item).count() == 1


def test_ticks_complete_nothing_when_the_rule_is_another(world: CourseWorld):
    item = _checklist(world, texts=("Only step",), completion_rule="marked_done")
    services.set_step_ticked(user=world.learner, item=item, step_id=_steps(item)[0].pk, ticked=True, now=NOW)
    assert not Completion.objects.exists()


def test_staff_may_try_a_checklist_but_leave_no_progress(world: CourseWorld):
    item = _checklist(world, texts=("Only step",))
    for user in (world.teacher, world.ta, world.admin):
        services.set_step_ticked(user=user, item=item, step_id=_steps(item)[0].pk, ticked=True, now=NOW)
    assert StepTick.objects.count() == 3 and not Completion.objects.exists()


@pytest.mark.parametrize("actor", ["observer", "outsider"])
def test_observers_and_outsiders_cannot_tick(world: CourseWorld, actor: str):
    item = _checklist(world, texts=("Only step",))
    with pytest.raises(NotAllowed):
        services.set_step_ticked(
            user=getattr(world, actor), item=item, step_id=_steps(item)[0].pk, ticked=True, now=NOW
        )
    assert not StepTick.objects.exists()


def test_a_step_of_another_checklist_cannot_be_ticked_through_this_one(world: CourseWorld):
    item = _checklist(world, texts=("Mine",))
    other_step = ChecklistStepFactory()
    with pytest.raises(FieldError, match="no longer on this checklist"):
        services.set_step_ticked(user=world.learner, item=item, step_id=other_step.pk, ticked=True, now=NOW)
    assert not StepTick.objects.exists() and Checklist.objects.count() == 2
