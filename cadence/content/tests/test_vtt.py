from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadence.content import vtt
from cadence.content.tests.factories import SAMPLE_VTT, vtt_text

MS = st.integers(min_value=0, max_value=vtt.MAX_MS)


def test_sample_file_gives_cues_in_order_with_plain_text():
    cues = vtt.parse_vtt(SAMPLE_VTT.encode())
    assert [(c.start_ms, c.end_ms) for c in cues] == [(0, 2500), (2500, 5000), (5000, 9000)]
    assert [c.plain_text for c in cues] == [
        "Welcome to the course.",
        "Maya: Today we look at tidy data.",
        "Each row is one observation & each column one variable.",
    ]
    assert cues[0].identifier == "1"


def test_the_full_format_is_understood():
    text = (
        "\ufeffWEBVTT - lecture 1\r\nKind: captions\r\n\r\n"
        "STYLE\r\n::cue { color: yellow }\r\n\r\n"
        "NOTE written by hand\r\nover two lines\r\n\r\n"
        "00:01.000 --> 00:02.500 align:start position:10%\r\n<b>Short</b> form &lt;hours&gt;\r\n\r\n"
        "intro-2\r\n01:00:00.000 --> 01:00:01.000\r\nline one\r\nline two <00:00:00.500>karaoke\r\n"
    )
    cues = vtt.parse_vtt(text.encode())
    assert [(c.start_ms, c.end_ms, c.identifier) for c in cues] == [(1000, 2500, ""), (3_600_000, 3_601_000, "intro-2")]
    assert cues[0].plain_text == "Short form <hours>"
    assert cues[1].plain_text == "line one line two karaoke"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("1\n00:00:01.000 --> 00:00:02.000\nHi\n", 1, "must start with “WEBVTT”"),
        ("WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nHi\n", 1, "must start with “WEBVTT”"),
        ("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHi\n", 3, "hh:mm:ss.mmm"),  # SRT's commas
        ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nHi\n", 3, "is not a cue timing"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:61.000\nHi\n", 3, "not a time"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHi\n", 3, "ends (00:00:02.000) before or when it starts"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:05.000\nHi\n", 3, "before or when it starts"),
        (
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHi\n\n2\nno timing here\nHi\n",
            8,
            "after the cue identifier “2”",
        ),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n00:00:02.000 --> 00:00:03.000\n", 5, "blank line missing"),
        ("WEBVTT\n00:00:01.000 --> 00:00:02.000\nHi\n", 2, "blank line must separate"),
        ("WEBVTT\n\nNOTE nothing else\n", None, "no cues"),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int | None, words: str):
    with pytest.raises(vtt.VttError) as caught:
        vtt.parse_vtt(text.encode())
    assert caught.value.line == line
    assert words in str(caught.value)
    if line:
        assert str(caught.value).startswith(f"Line {line}: ")


def test_non_utf8_and_binary_files_are_refused():
    with pytest.raises(vtt.VttError, match="not UTF-8"):
        vtt.parse_vtt(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ncaf\xe9\n")
    with pytest.raises(vtt.VttError, match="NUL"):
        vtt.parse_vtt(b"WEBVTT\n\n\x00\x00")


def test_too_many_cues_are_refused():
    text = vtt_text([(n * 1000, n * 1000 + 500, "x") for n in range(6)])
    with pytest.raises(vtt.VttError, match="more than 5 cues"):
        vtt.parse_vtt(text.encode(), max_cues=5)


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        ("00:00.000", 0),
        ("01:02.003", 62_003),
        ("00:01:02.003", 62_003),
        ("10:00:00.001", 36_000_001),
        ("99:59:59.999", vtt.MAX_MS),
    ],
)
def test_timestamps(value: str, ms: int):
    assert vtt.parse_timestamp(value) == ms


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1:02.003",
        "00:60.000",
        "00:00:00.00",
        "00:00:00.0000",
        "0:00:00.000",
        "100:00:00.000",
        " 00:01.000",
        "00:01.000 ",
    ],
)
def test_bad_timestamps(value: str):
    with pytest.raises(ValueError):
        vtt.parse_timestamp(value)


@given(MS)
def test_formatted_timestamps_parse_back_to_the_same_time(ms: int):
    assert vtt.parse_timestamp(vtt.format_timestamp(ms)) == ms


@given(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999), st.booleans())
def test_timestamp_components_add_up(hours: int, minutes: int, seconds: int, millis: int, short: bool):
    text = (
        f"{minutes:02d}:{seconds:02d}.{millis:03d}"
        if short and hours == 0
        else f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
    )
    assert vtt.parse_timestamp(text) == ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


@given(MS, MS)
def test_timestamp_order_is_time_order(a: int, b: int):
    assert (vtt.parse_timestamp(vtt.format_timestamp(a)) < vtt.parse_timestamp(vtt.format_timestamp(b))) == (a < b)


@given(st.text(max_size=30))
def test_anything_else_is_a_value_error_never_a_crash(value: str):
    try:
        result = vtt.parse_timestamp(value)
    except ValueError:
        return
    assert 0 <= result <= vtt.MAX_MS
    assert vtt.format_timestamp(result) == value or vtt.parse_timestamp(vtt.format_timestamp(result)) == result


CUE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda t: "-->" not in t and t.strip() != ""
)


@given(st.lists(st.tuples(st.integers(0, 10_000_000), st.integers(1, 100_000), CUE_TEXT), min_size=1, max_size=20))
def test_files_written_from_cues_parse_back_to_those_cues(rows: list[tuple[int, int, str]]):
    cues = [(start, start + length, text) for start, length, text in rows]
    parsed = vtt.parse_vtt(vtt_text(cues).encode())
    assert [(c.start_ms, c.end_ms, c.text) for c in parsed] == cues


@given(st.binary(max_size=300))
def test_arbitrary_bytes_either_parse_or_raise_a_vtt_error(data: bytes):
    try:
        cues = vtt.parse_vtt(b"WEBVTT\n\n" + data)
    except vtt.VttError as exc:
        assert exc.reason
        return
    assert all(c.end_ms > c.start_ms for c in cues)


def test_clock_for_people():
    assert vtt.format_clock(0) == "0:00"
    assert vtt.format_clock(65_400) == "1:05"
    assert vtt.format_clock(3_723_000) == "1:02:03"
