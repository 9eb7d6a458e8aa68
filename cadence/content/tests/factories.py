"""Factories and tiny generated fixtures: a real 1×1 PNG, file headers that sniff as MP4 and WebM, VTT text."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from cadence.content.models import Checklist, ChecklistStep, Lesson, Video
from cadence.content.vtt import format_timestamp
from cadence.courses.tests.factories import ItemFactory


def png_bytes(width: int = 1, height: int = 1) -> bytes:
    """A valid PNG of the given size (grey pixels), built by hand: no imaging library needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF_HEAD = b"GIF89a\x01\x00\x01\x00\x80\x00\x00"
WEBP_HEAD = b"RIFF\x24\x00\x00\x00WEBPVP8 "
# Enough of each container's header to be recognised; not playable (the browser test makes a real file).
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free"
WEBM_HEAD = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"


def media_bytes(head: bytes, size: int = 4096) -> bytes:
    """`head` followed by a recognisable byte pattern up to `size`, so ranges can be checked byte for byte."""
    body = bytes(n % 251 for n in range(max(0, size - len(head))))
    return head + body


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def vtt_text(cues: Sequence[tuple[int, int, str]], *, header: str = "WEBVTT") -> str:
    """A WebVTT file from (start ms, end ms, text) triples."""
    blocks = [header, ""]
    for n, (start, end, text) in enumerate(cues, start=1):
        blocks += [str(n), f"{format_timestamp(start)} --> {format_timestamp(end)}", text, ""]
    return "\n".join(blocks)


SAMPLE_VTT = vtt_text(
    [
        (0, 2500, "Welcome to the course."),
        (2500, 5000, "<v Maya>Today we look at tidy data.</v>"),
        (5000, 9000, "Each row is one observation &amp; each column one variable."),
    ]
)


class LessonFactory(DjangoModelFactory[Lesson]):
    class Meta:
        model = Lesson

    item = factory.SubFactory(ItemFactory, kind="lesson")
    body = "# A lesson\n\nSome words to read."


class VideoFactory(DjangoModelFactory[Video]):
    class Meta:
        model = Video

    item = factory.SubFactory(ItemFactory, kind="video")
    external_url = "https://media.example.org/lecture.webm"
    duration_seconds = 420


class ChecklistFactory(DjangoModelFactory[Checklist]):
    class Meta:
        model = Checklist

    item = factory.SubFactory(ItemFactory, kind="checklist", completion_rule="checklist")


class ChecklistStepFactory(DjangoModelFactory[ChecklistStep]):
    class Meta:
        model = ChecklistStep

    checklist = factory.SubFactory(ChecklistFactory)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Step {n}")
