"""Lessons: the Markdown text and the images uploaded for it."""

from __future__ import annotations

import math
import re

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from cadence.accounts.models import User
from cadence.content import search
from cadence.content.models import CourseImage, Lesson
from cadence.content.services.common import require_editable
from cadence.core import audit, uploads
from cadence.core.errors import FieldError
from cadence.core.markdown import find_active_content, render_markdown
from cadence.core.uploads import check_kind, delete_files_if_rolled_back
from cadence.courses import services as course_services
from cadence.courses.models import Item, ItemKind

WORDS_PER_MINUTE = 200
LESSON_MAX_CHARS = 200_000
_WORD = re.compile(r"\w+")


def count_words(body: str) -> int:
    """Words a reader reads: the rendered text, so Markdown syntax and addresses of images do not count."""
    return len(_WORD.findall(strip_tags(render_markdown(body))))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def check_lesson_body(body: str) -> None:
    """Refuse text the sanitiser would have to change behind the author's back: scripts, event handlers."""
    if len(body) > LESSON_MAX_CHARS:
        raise FieldError(
            _("The text is too long: at most %(max)s characters, this has %(n)s.")
            % {"max": LESSON_MAX_CHARS, "n": len(body)},
            field="body",
        )
    active = find_active_content(body)
    if active is not None:
        where = _(" (line %(line)s)") % {"line": active.line} if active.line else ""
        raise FieldError(
            _("Lessons cannot contain scripts or event handlers: remove %(what)s%(where)s. Nothing was saved.")
            % {"what": active.description, "where": where},
            field="body",
        )


@transaction.atomic
def save_lesson(*, actor: User, item: Item, body: str) -> Lesson:
    """Save a lesson's text; its reading time becomes the item's estimated duration."""
    require_editable(actor, item, ItemKind.LESSON)
    body = body.replace("\r\n", "\n")
    check_lesson_body(body)
    lesson, _created = Lesson.objects.select_for_update().get_or_create(item=item)
    lesson.body = body
    lesson.word_count = count_words(body)
    lesson.save(update_fields=["body", "word_count", "updated_at"])
    course_services.set_derived_minutes(item=item, minutes=reading_minutes(lesson.word_count))
    search.index_item(item)
    audit.record(actor=actor, verb="lesson.saved", obj=lesson, course_id=item.course_id, words=lesson.word_count)
    return lesson


def _check_image(upload: UploadedFile) -> uploads.Kind:
    return check_kind(
        upload,
        limit=settings.CONTENT_IMAGE_MAX_BYTES,
        sniff=uploads.sniff_image,
        too_large=_("The image is too large (%(size)s); images may be at most %(limit)s."),
        wrong_kind=_("“%(name)s” is not a PNG, JPEG, GIF or WebP image (its contents were checked, not its name)."),
    )


@transaction.atomic
def upload_image(*, actor: User, item: Item, upload: UploadedFile, alt_text: str) -> CourseImage:
    """Store an image for the course's lessons, from a lesson's editor."""
    require_editable(actor, item, ItemKind.LESSON)
    alt_text = alt_text.strip()
    if not alt_text:
        raise FieldError(_("Describe the image for people who cannot see it."), field="alt_text")
    kind = _check_image(upload)
    filename = uploads.display_name(upload.name or "", kind, "image")
    image = CourseImage(
        course_id=item.course_id,
        filename=filename,
        content_type=kind.content_type,
        size=upload.size or 0,
        alt_text=alt_text[:300],
        uploaded_by=actor,
    )
    try:
        image.file.save(filename, upload, save=False)
        image.save()
        audit.record(
            actor=actor, verb="image.uploaded", obj=image, course_id=item.course_id, filename=filename, size=image.size
        )
    except BaseException:
        delete_files_if_rolled_back([image.file.name or ""])
        raise
    return image
