"""WebVTT caption files: strict enough to catch broken files, with errors that name the line. Pure functions.

Follows the WebVTT file structure (https://www.w3.org/TR/webvtt1/): a "WEBVTT" signature line, an
optional header, then blocks separated by blank lines: NOTE comments, STYLE and REGION blocks, and
cues (an optional identifier, a timing line `00:00:01.000 --> 00:00:04.000 [settings]`, text lines).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Hours are optional and have at least two digits; minutes and seconds two; milliseconds three.
_TIMESTAMP = re.compile(r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})")
_TIMING = re.compile(r"^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+.*)?$")
_TAG = re.compile(r"<[^>]*>")
_LOOKS_LIKE_TIMING = re.compile(r"^\s*\d[\d:.,]*\s*(?:-+>|[—–]+>?)")  # "00:01.000 -> 00:02.000" and similar slips
_VOICE = re.compile(r"^<v(?:\.[^ \t>]*)?[ \t]+([^>]*)>")
MAX_HOURS = 99
MAX_MS = (MAX_HOURS * 3600 + 59 * 60 + 59) * 1000 + 999
TIMING_HINT = "hh:mm:ss.mmm --> hh:mm:ss.mmm"


class VttError(ValueError):
    """A caption file that is not valid WebVTT. `line` is 1-based, or None for the file as a whole."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"Line {line}: {message}" if line else message)
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class ParsedCue:
    start_ms: int
    end_ms: int
    text: str  # as written, with its markup
    identifier: str = ""
    line: int = 0  # the timing line

    @property
    def plain_text(self) -> str:
        return cue_plain_text(self.text)


def parse_timestamp(value: str) -> int:
    """ "01:02:03.004" or "02:03.004" → milliseconds. Raises ValueError for anything else."""
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        raise ValueError(f"“{value[:40]}” is not a time of the form hh:mm:ss.mmm")
    hours, minutes, seconds, millis = match.groups()
    if hours is not None and int(hours) > MAX_HOURS:
        raise ValueError(f"“{value[:40]}” is more than {MAX_HOURS} hours")
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def format_timestamp(ms: int) -> str:
    """Milliseconds → "hh:mm:ss.mmm" (the form every WebVTT reader accepts)."""
    if not 0 <= ms <= MAX_MS:
        raise ValueError(f"{ms} ms is outside 0 to {MAX_HOURS} hours")
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def format_clock(ms: int) -> str:
    """Milliseconds → a short clock for people: "4:05" or "1:02:03"."""
    seconds = ms // 1000
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def cue_plain_text(text: str) -> str:
    """Cue text without WebVTT markup: a voice span becomes "Name: ", tags go, entities are decoded."""
    lines = []
    for raw in text.split("\n"):
        voice = _VOICE.match(raw)
        line = _TAG.sub("", raw)
        if voice and voice.group(1).strip():
            line = f"{voice.group(1).strip()}: {_TAG.sub('', raw[voice.end() :])}"
        lines.append(html.unescape(line).replace("\u00a0", " ").strip())
    return " ".join(part for part in lines if part)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise VttError("the file is not UTF-8 text (save it as UTF-8 and upload it again)", line) from exc
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise VttError(
            "the file contains NUL characters; it is not a text file", text[: text.index("\x00")].count("\n") + 1
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blocks(lines: list[str], start: int) -> list[tuple[int, list[str]]]:
    """(1-based number of the first line, lines) of each block after `start` (0-based)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for index in range(start, len(lines)):
        line = lines[index]
        if line.strip() == "":
            if current:
                blocks.append((first, current))
                current = []
            continue
        if not current:
            first = index + 1
        current.append(line)
    if current:
        blocks.append((first, current))
    return blocks


def _is_keyword_block(line: str, keyword: str) -> bool:
    return line == keyword or line.startswith((keyword + " ", keyword + "\t"))


def _timing(line: str, number: int) -> tuple[int, int]:
    match = _TIMING.match(line.strip())
    if match is None:
        raise VttError(f"“{line.strip()[:60]}” is not a cue timing; write it as {TIMING_HINT}", number)
    try:
        start = parse_timestamp(match.group(1))
        end = parse_timestamp(match.group(2))
    except ValueError as exc:
        raise VttError(f"{exc}; write cue timings as {TIMING_HINT}", number) from exc
    if end <= start:
        raise VttError(
            f"the cue ends ({match.group(2)}) before or when it starts ({match.group(1)}); the end must be later",
            number,
        )
    return start, end


def parse_vtt(data: bytes, *, max_cues: int = 20000) -> list[ParsedCue]:
    """Every cue of a WebVTT file, in file order. Raises VttError naming the first bad line."""
    lines = _decode(data).split("\n")
    signature = lines[0]
    if not (signature == "WEBVTT" or signature.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise VttError("a WebVTT file must start with “WEBVTT”", 1)
    header_end = 1
    while header_end < len(lines) and lines[header_end].strip() != "":
        if "-->" in lines[header_end]:
            raise VttError("a blank line must separate the “WEBVTT” header from the first cue", header_end + 1)
        header_end += 1
    cues: list[ParsedCue] = []
    for first, block in _blocks(lines, header_end):
        head = block[0]
        if _is_keyword_block(head, "NOTE"):
            continue
        if not cues and (_is_keyword_block(head, "STYLE") or _is_keyword_block(head, "REGION")):
            if any("-->" in line for line in block):
                raise VttError("a STYLE or REGION block cannot contain “-->”", first)
            continue
        identifier = ""
        timing_at = 0
        if "-->" not in head and _LOOKS_LIKE_TIMING.match(head):
            _timing(head, first)  # raises: a timing with a typo, not a cue identifier
        if "-->" not in head:
            identifier = head.strip()
            if len(block) < 2 or "-->" not in block[1]:
                raise VttError(
                    f"expected a cue timing ({TIMING_HINT}) after the cue identifier “{identifier[:40]}”", first + 1
                )
            timing_at = 1
        start, end = _timing(block[timing_at], first + timing_at)
        text_lines = block[timing_at + 1 :]
        for offset, line in enumerate(text_lines):
            if "-->" in line:
                raise VttError(
                    "cue text cannot contain “-->”; is a blank line missing before this cue?",
                    first + timing_at + 1 + offset,
                )
        cues.append(
            ParsedCue(
                start_ms=start,
                end_ms=end,
                text="\n".join(text_lines),
                identifier=identifier,
                line=first + timing_at,
            )
        )
        if len(cues) > max_cues:
            raise VttError(f"the file has more than {max_cues} cues", first)
    if not cues:
        raise VttError("the file has no cues: add at least one timing line and its text")
    return cues
