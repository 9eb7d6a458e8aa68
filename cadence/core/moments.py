"""Moments in a video, written the way people write them: 75 seconds is "1:15"."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cadence.core.errors import InvalidInput


def parse_moment(value: str) -> int | None:
    """ "75", "1:15" or "1:02:03" → seconds; empty → None; anything else → InvalidInput."""
    value = value.strip()
    if not value:
        return None
    parts = value.split(":")
    if len(parts) > 3 or not all(p.isdigit() for p in parts):
        raise InvalidInput(_("Write the moment as seconds or as m:ss, for example 1:15."))
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    if seconds > 86400:
        raise InvalidInput(_("That moment is later than any video."))
    return seconds


def format_moment(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
