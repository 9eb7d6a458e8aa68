"""Watched stretches of a video as merged [start, end] ranges (seconds). Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Range = tuple[float, float]


def merge(ranges: Iterable[Sequence[float]]) -> list[Range]:
    """Sort and merge overlapping or touching ranges; drop empty or inverted ones."""
    cleaned = sorted((float(a), float(b)) for a, b in ranges if b > a)
    merged: list[Range] = []
    for start, end in cleaned:
        if merged and start <= merged[-1][1] + 0.5:  # half-second gaps are rounding, not skipping
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def covered_percent(ranges: Sequence[Range], duration: float | None) -> int:
    if not duration or duration <= 0:
        return 0
    covered = sum(min(end, duration) - max(start, 0.0) for start, end in ranges if end > 0 and start < duration)
    return max(0, min(100, int(covered * 100 // duration)))
