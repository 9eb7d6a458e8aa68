from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadence.content.tests.factories import GIF_HEAD, JPEG_HEAD, MP4_HEAD, WEBM_HEAD, WEBP_HEAD, png_bytes
from cadence.core import uploads


@pytest.mark.parametrize(
    ("head", "kind"),
    [(png_bytes(), uploads.PNG), (JPEG_HEAD, uploads.JPEG), (GIF_HEAD, uploads.GIF), (WEBP_HEAD, uploads.WEBP)],
)
def test_images_are_known_by_their_first_bytes(head: bytes, kind: uploads.Kind):
    assert uploads.sniff_image(head) == kind
    assert uploads.sniff_video(head) is None


@pytest.mark.parametrize(
    "head",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"<html><body>",
        b"%PDF-1.7",
        b"",
        b"MZ\x90\x00",
    ],
)
def test_other_files_are_not_images(head: bytes):
    assert uploads.sniff_image(head) is None


def test_videos_are_known_by_their_containers():
    assert uploads.sniff_video(MP4_HEAD) == uploads.MP4
    assert uploads.sniff_video(WEBM_HEAD) == uploads.WEBM
    assert uploads.sniff_video(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ") is None  # QuickTime
    assert uploads.sniff_video(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska") is None  # .mkv
    assert uploads.sniff_video(b"<html>") is None


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("diagram.PNG", "diagram.png"),
        ("../../etc/passwd", "passwd.png"),
        ("a b.c.jpg", "a_b.c.png"),
        ("..", "image.png"),
        ("", "image.png"),
    ],
)
def test_display_names_are_safe_and_carry_the_real_extension(original: str, expected: str):
    assert uploads.display_name(original, uploads.PNG, "image") == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=990-2000", (990, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=999-999", (999, 999)),
        ("items=0-5", None),  # another unit: ignored
        ("bytes=0-1,5-9", None),  # several ranges: the whole file instead
    ],
)
def test_ranges(header: str, expected: tuple[int, int] | None):
    assert uploads.parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-1", "bytes=-0", "bytes=abc", "bytes=-", "bytes=1-2-3"])
def test_unsatisfiable_ranges(header: str):
    with pytest.raises(uploads.RangeNotSatisfiable):
        uploads.parse_range(header, 1000)


@given(
    st.integers(1, 10**9),
    st.one_of(st.none(), st.integers(0, 2 * 10**9)),
    st.one_of(st.none(), st.integers(0, 2 * 10**9)),
)
def test_any_satisfiable_range_lies_inside_the_file(size: int, first: int | None, last: int | None):
    header = f"bytes={'' if first is None else first}-{'' if last is None else last}"
    try:
        result = uploads.parse_range(header, size)
    except uploads.RangeNotSatisfiable:
        assert (first is None and (last in (None, 0))) or (
            first is not None and (first >= size or (last is not None and last < first))
        )
        return
    assert result is not None
    start, end = result
    assert 0 <= start <= end < size
