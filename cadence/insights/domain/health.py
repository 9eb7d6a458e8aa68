"""Pure arithmetic for the course health page: shares, medians, weeks and video drop-off buckets."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

BUCKETS = 10  # video drop-off in tenths of the running time
WEEKS = 8  # weekly active learners shown


def share(part: int, whole: int) -> int:
    """`part` as a whole percentage of `whole` (0 when there is nothing to divide), rounded half up, within 0-100."""
    if whole <= 0 or part <= 0:
        return 0
    return max(0, min(100, (part * 200 + whole) // (whole * 2)))


def median(values: Iterable[float]) -> float | None:
    """The median, or None for no values."""
    ordered = list(values)
    return float(statistics.median(ordered)) if ordered else None


def bucket_of(position: float, duration: float) -> int:
    """Which tenth of a video a position falls in (0 for the first 10 %, 9 for the last, the end included)."""
    if duration <= 0:
        return 0
    return max(0, min(BUCKETS - 1, int(position * BUCKETS // duration)))


def bucket_label(bucket: int) -> str:
    return f"{bucket * 100 // BUCKETS}–{(bucket + 1) * 100 // BUCKETS} %"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last `weeks` weeks, oldest first, the current week last."""
    this_week = monday_of(today)
    return [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its figure, and its share of the chart's whole (for the bar's length)."""

    label: str
    value: int
    percent: int


def bars(labelled: Sequence[tuple[str, int]], whole: int) -> list[Bar]:
    return [Bar(label, value, share(value, whole)) for label, value in labelled]


def dropoff(stops: Mapping[int, int]) -> list[Bar]:
    """Viewers by the tenth of the video where they stopped: one bar per bucket, each a share of all viewers."""
    viewers = sum(stops.values())
    return bars([(bucket_label(b), stops.get(b, 0)) for b in range(BUCKETS)], viewers)


def biggest_drop(stops: Mapping[int, int]) -> int | None:
    """The bucket where most viewers stopped before the last tenth (None if none stopped early)."""
    early = {b: n for b, n in stops.items() if b < BUCKETS - 1 and n > 0}
    if not early:
        return None
    return max(early, key=lambda b: (early[b], -b))


@dataclass(frozen=True)
class Column:
    """One column of an SVG column chart, in the chart's own units (its viewBox)."""

    label: str
    value: int
    percent: int
    x: float
    y: float
    width: float
    height: float
    label_x: float

    @property
    def value_inside(self) -> bool:
        """Whether the figure fits inside the column (else it stands just above it)."""
        return self.height >= 14

    @property
    def value_y(self) -> float:
        return round(self.y + 11 if self.value_inside else self.y - 3, 1)


CHART_WIDTH = 400
CHART_HEIGHT = 120  # the columns' area; labels go below it


def columns(chart: Sequence[Bar], *, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> list[Column]:
    """Lay bars out as columns: each as tall as its share (a share of 100 % fills the height)."""
    if not chart:
        return []
    slot = width / len(chart)
    gap = min(6.0, slot / 5)
    result = []
    for n, bar in enumerate(chart):
        tall = round(height * bar.percent / 100, 1)
        result.append(
            Column(
                label=bar.label,
                value=bar.value,
                percent=bar.percent,
                x=round(n * slot + gap / 2, 1),
                y=round(height - tall, 1),
                width=round(slot - gap, 1),
                height=tall,
                label_x=round(n * slot + slot / 2, 1),
            )
        )
    return result
