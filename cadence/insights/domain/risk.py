"""The transparent risk rule model: indicators, each with a weight and a threshold, summed into a score.

Pure: facts about one learner in one course in, a score (0-100), a level and plain-word reasons out.
Every reason states a number the facts hold ("no activity for 9 days"); an indicator that did not fire
gives no reason, and nothing is said that the data does not show (a learner active ten minutes ago is
never "inactive"; a learner with fewer than two scores has no trend).

score = 100 × Σ(weight × severity) / Σ(weight), where an indicator's severity is 0 below its threshold,
0.5 at the threshold, rising linearly to 1 at twice the threshold. Levels: high from `high_at`, medium
from `medium_at`, else low.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class Indicator(StrEnum):
    INACTIVE = "inactive"  # days without activity
    OVERDUE = "overdue"  # required items past the learner's own deadline, not done
    BEHIND = "behind"  # weeks behind the expected pace
    FALLING = "falling"  # fall in percentage points from the first to the last of the recent scores
    QUIET = "quiet"  # never posted or asked, after this many days in the course
    LAST_MINUTE = "last_minute"  # the latest N submissions each in the final hour before the deadline
    LESS_TIME = "less_time"  # fall in weekly study time, in percent of the busiest of the earlier weeks
    FEWER_DAYS = "fewer_days"  # fall in active days a week, from the busiest of the earlier weeks


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Bounds:
    """The allowed range of a setting, and its unit for people."""

    low: int
    high: int
    unit: str


WEIGHT_BOUNDS = Bounds(0, 10, "weight")
THRESHOLD_BOUNDS: Mapping[Indicator, Bounds] = {
    Indicator.INACTIVE: Bounds(1, 120, "days"),
    Indicator.OVERDUE: Bounds(1, 50, "items"),
    Indicator.BEHIND: Bounds(1, 26, "weeks"),
    Indicator.FALLING: Bounds(5, 100, "percentage points"),
    Indicator.QUIET: Bounds(1, 365, "days in the course"),
    Indicator.LAST_MINUTE: Bounds(2, 20, "submissions"),
    Indicator.LESS_TIME: Bounds(10, 100, "percent less time"),
    Indicator.FEWER_DAYS: Bounds(1, 7, "fewer active days"),
}
LEVEL_BOUNDS = Bounds(1, 100, "score")
SCORE_WINDOW = 3  # how many of the latest scores the "falling" indicator compares (first with last)
TREND_WEEKS = (
    3  # how many of the latest whole weeks the activity trends compare (the busiest earlier one with the last)
)

DEFAULT_WEIGHTS: Mapping[Indicator, int] = {
    Indicator.INACTIVE: 3,
    Indicator.OVERDUE: 3,
    Indicator.BEHIND: 2,
    Indicator.FALLING: 2,
    Indicator.QUIET: 1,
    Indicator.LAST_MINUTE: 1,
    Indicator.LESS_TIME: 1,
    Indicator.FEWER_DAYS: 1,
}
DEFAULT_THRESHOLDS: Mapping[Indicator, int] = {
    Indicator.INACTIVE: 7,
    Indicator.OVERDUE: 1,
    Indicator.BEHIND: 1,
    Indicator.FALLING: 15,
    Indicator.QUIET: 14,
    Indicator.LAST_MINUTE: 3,
    Indicator.LESS_TIME: 30,
    Indicator.FEWER_DAYS: 1,
}
DEFAULT_MEDIUM_AT = 25
DEFAULT_HIGH_AT = 50


@dataclass(frozen=True)
class RiskSettings:
    weights: Mapping[Indicator, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    thresholds: Mapping[Indicator, int] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    medium_at: int = DEFAULT_MEDIUM_AT
    high_at: int = DEFAULT_HIGH_AT

    @classmethod
    def from_stored(
        cls, weights: Mapping[str, object], thresholds: Mapping[str, object], medium_at: int, high_at: int
    ) -> RiskSettings:
        """Settings as stored (JSON), each indicator falling back to its default when missing or unusable."""
        return cls(
            weights={i: _stored_int(weights.get(i.value), DEFAULT_WEIGHTS[i]) for i in Indicator},
            thresholds={i: _stored_int(thresholds.get(i.value), DEFAULT_THRESHOLDS[i]) for i in Indicator},
            medium_at=medium_at,
            high_at=high_at,
        )


def _stored_int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def settings_errors(settings: RiskSettings) -> dict[str, str]:
    """What is out of range, by field name (`weight_<indicator>`, `threshold_<indicator>`, `medium_at`, `high_at`)."""
    errors: dict[str, str] = {}

    def check(name: str, value: int, bounds: Bounds) -> None:
        if not bounds.low <= value <= bounds.high:
            errors[name] = _("Must be between %(low)s and %(high)s (%(unit)s).") % {
                "low": bounds.low,
                "high": bounds.high,
                "unit": bounds.unit,
            }

    for indicator in Indicator:
        check(f"weight_{indicator.value}", settings.weights[indicator], WEIGHT_BOUNDS)
        check(f"threshold_{indicator.value}", settings.thresholds[indicator], THRESHOLD_BOUNDS[indicator])
    check("medium_at", settings.medium_at, LEVEL_BOUNDS)
    check("high_at", settings.high_at, LEVEL_BOUNDS)
    if "medium_at" not in errors and "high_at" not in errors and settings.medium_at >= settings.high_at:
        errors["high_at"] = _("The high level must start above the medium level.")
    return errors


@dataclass(frozen=True)
class RiskFacts:
    """What is known about one learner in one course, as plain numbers."""

    days_inactive: float | None  # since the last activity; None when never active
    days_in_course: float  # since joining
    overdue: int = 0
    days_behind: float = 0.0  # 0 when on track, ahead or without a schedule
    recent_scores: Sequence[Decimal] = ()  # shown percents of graded work, oldest first
    has_posted_or_asked: bool = False
    final_hour_streak: int = 0  # how many of the latest submissions (with a deadline) came in its final hour
    # the latest whole weeks (7 days each, ending today) since joining, oldest first: minutes active, days active
    weekly_minutes: Sequence[int] = ()
    weekly_active_days: Sequence[int] = ()


@dataclass(frozen=True)
class Reason:
    indicator: Indicator
    text: str


@dataclass(frozen=True)
class Risk:
    score: int
    level: Level
    reasons: tuple[Reason, ...]


def _severity(value: float, threshold: int) -> float:
    """0 below the threshold, 0.5 at it, rising linearly to 1 at twice the threshold."""
    if value < threshold:
        return 0.0
    return min(1.0, 0.5 + 0.5 * (value - threshold) / threshold)


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def _falling(scores: Sequence[Decimal]) -> tuple[float, str]:
    window = list(scores)[-SCORE_WINDOW:]
    if len(window) < 2:
        return 0.0, ""
    drop = float(window[0] - window[-1])
    return max(drop, 0.0), _("scores falling: %(first)s → %(last)s") % {
        "first": _percent(window[0]),
        "last": _percent(window[-1]),
    }


def _fall(series: Sequence[int]) -> tuple[int, int, list[int]]:
    """The busiest of the earlier weeks, the latest week, and the weeks compared (the latest `TREND_WEEKS`);
    (0, 0, []) with fewer than two weeks."""
    window = [max(0, int(v)) for v in list(series)[-TREND_WEEKS:]]
    if len(window) < 2:
        return 0, 0, []
    return max(window[:-1]), window[-1], window


def _less_time(minutes: Sequence[int]) -> tuple[float, str]:
    peak, last, window = _fall(minutes)
    if peak <= 0 or last >= peak:
        return 0.0, ""
    return 100.0 * (peak - last) / peak, _("minutes studied per week: %(weeks)s") % {
        "weeks": " → ".join(str(m) for m in window)
    }


def _fewer_days(days: Sequence[int]) -> tuple[float, str]:
    peak, last, window = _fall(days)
    if last >= peak:
        return 0.0, ""
    return float(peak - last), _("days active per week: %(weeks)s") % {"weeks": " → ".join(str(d) for d in window)}


def _behind_text(days: float) -> str:
    whole_days = math.floor(days)
    if whole_days >= 14:
        weeks = whole_days // 7
        return ngettext("%(n)s week behind pace", "%(n)s weeks behind pace", weeks) % {"n": weeks}
    return ngettext("%(n)s day behind pace", "%(n)s days behind pace", whole_days) % {"n": whole_days}


def _inactive_text(facts: RiskFacts) -> str:
    if facts.days_inactive is None:
        days = math.floor(facts.days_in_course)
        return ngettext("no activity since joining %(n)s day ago", "no activity since joining %(n)s days ago", days) % {
            "n": days
        }
    days = math.floor(facts.days_inactive)
    return ngettext("no activity for %(n)s day", "no activity for %(n)s days", days) % {"n": days}


def indicator_values(facts: RiskFacts) -> dict[Indicator, tuple[float, str]]:
    """Each indicator's value in its threshold's unit, and the reason to give if it fires."""
    inactive = facts.days_inactive if facts.days_inactive is not None else facts.days_in_course
    falling, falling_text = _falling(facts.recent_scores)
    quiet_days = 0.0 if facts.has_posted_or_asked else facts.days_in_course
    less_time, less_time_text = _less_time(facts.weekly_minutes)
    fewer_days, fewer_days_text = _fewer_days(facts.weekly_active_days)
    return {
        Indicator.INACTIVE: (inactive, _inactive_text(facts)),
        Indicator.OVERDUE: (
            float(facts.overdue),
            ngettext("%(n)s item overdue", "%(n)s items overdue", facts.overdue) % {"n": facts.overdue},
        ),
        Indicator.BEHIND: (facts.days_behind / 7, _behind_text(facts.days_behind)),
        Indicator.FALLING: (falling, falling_text),
        Indicator.QUIET: (
            quiet_days,
            _("never posted or asked in %(n)s days in the course") % {"n": math.floor(facts.days_in_course)},
        ),
        Indicator.LAST_MINUTE: (
            float(facts.final_hour_streak),
            _("last %(n)s submissions in the final hour") % {"n": facts.final_hour_streak},
        ),
        Indicator.LESS_TIME: (less_time, less_time_text),
        Indicator.FEWER_DAYS: (fewer_days, fewer_days_text),
    }


def level_for(score: int, settings: RiskSettings) -> Level:
    if score >= settings.high_at:
        return Level.HIGH
    if score >= settings.medium_at:
        return Level.MEDIUM
    return Level.LOW


def _contributions(values: Mapping[str, float], settings: RiskSettings) -> tuple[int, list[tuple[float, Indicator]]]:
    """The score and each fired indicator's weighted severity (indicator order)."""
    total_weight = sum(settings.weights[i] for i in Indicator)
    weighted = 0.0
    fired: list[tuple[float, Indicator]] = []
    for indicator in Indicator:
        severity = _severity(values.get(indicator, 0.0), settings.thresholds[indicator])
        weight = settings.weights[indicator]
        if severity <= 0 or weight == 0:  # a weight of 0 turns the indicator off
            continue
        weighted += weight * severity
        fired.append((weight * severity, indicator))
    score = 0 if total_weight == 0 else min(100, math.floor(100 * weighted / total_weight + 0.5))
    return score, fired


def score_values(values: Mapping[str, float], settings: RiskSettings | None = None) -> int:
    """The rule score of indicator values alone (as `indicator_values` gives them, or as observed earlier)."""
    return _contributions(values, settings or RiskSettings())[0]


def assess(facts: RiskFacts, settings: RiskSettings | None = None) -> Risk:
    """The learner's risk score, level and the reasons for it, strongest first."""
    settings = settings or RiskSettings()
    described = indicator_values(facts)
    score, fired = _contributions({i: value for i, (value, _text) in described.items()}, settings)
    fired.sort(key=lambda pair: -pair[0])  # stable: equal contributions keep the indicators' order
    reasons = tuple(Reason(indicator, described[indicator][1]) for _w, indicator in fired)
    return Risk(score=score, level=level_for(score, settings), reasons=reasons)
