"""Pure rules of check-ins: where a check-in came from, the limits of an automated rule, whether a learner
came back, and a rule's or template's effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

COME_BACK_WINDOW = timedelta(days=7)
DAYS_MAX = 365
PERIOD_MAX = 365
CONFIRM_MAX = 10_000

INACTIVE, OVERDUE, RISK, NOT_STARTED = "inactive", "overdue", "risk", "not_started"
TRIGGERS = (INACTIVE, OVERDUE, RISK, NOT_STARTED)
RISK_LEVELS = ("medium", "high")  # "risk level reached": medium reaches medium and high


@dataclass(frozen=True)
class CheckInOrigin:
    """How a check-in was written: by hand, from a template, or by a rule (kept in the log)."""

    source: str = "manual"
    template_key: str = ""
    template_title: str = ""
    rule_id: int | None = None


@dataclass(frozen=True)
class RuleSpec:
    trigger: str
    days: int | None
    risk_level: str
    module_id: int | None
    period_days: int
    confirm_over: int


def rule_errors(spec: RuleSpec) -> dict[str, str]:
    """Field → what is wrong with it; empty when the rule can be saved."""
    errors: dict[str, str] = {}
    if spec.trigger not in TRIGGERS:
        errors["trigger"] = _("Choose when the rule sends a check-in.")
        return errors
    if spec.trigger in (INACTIVE, OVERDUE, NOT_STARTED) and (spec.days is None or not 1 <= spec.days <= DAYS_MAX):
        errors["days"] = _("Give a number of days from 1 to %(max)s.") % {"max": DAYS_MAX}
    if spec.trigger == RISK and spec.risk_level not in RISK_LEVELS:
        errors["risk_level"] = _("Choose the risk level (medium or high) that sends the check-in.")
    if spec.trigger == NOT_STARTED and spec.module_id is None:
        errors["module"] = _("Choose the module the learner has not started.")
    if not 1 <= spec.period_days <= PERIOD_MAX:
        errors["period_days"] = _("Give a period from 1 to %(max)s days.") % {"max": PERIOD_MAX}
    if not 0 <= spec.confirm_over <= CONFIRM_MAX:
        errors["confirm_over"] = _("Give a number from 0 to %(max)s.") % {"max": CONFIRM_MAX}
    return errors


def risk_levels_reaching(level: str) -> tuple[str, ...]:
    """The stored risk levels at or above `level`."""
    return RISK_LEVELS[RISK_LEVELS.index(level) :] if level in RISK_LEVELS else ()


def trigger_reason(spec: RuleSpec, *, days_inactive: int | None, days_joined: int, overdue_days: int | None) -> str:
    """Why a learner matches the rule, in plain words from their figures (the caller has matched them)."""
    if spec.trigger == INACTIVE:
        if days_inactive is None:
            return _("not active since joining %(n)s days ago") % {"n": days_joined}
        return _("no activity for %(n)s days") % {"n": days_inactive}
    if spec.trigger == OVERDUE:
        return _("an item overdue for %(n)s days") % {"n": overdue_days or 0}
    if spec.trigger == RISK:
        return _("risk level %(level)s or higher") % {"level": spec.risk_level}
    return _("has not started the module, %(n)s days after joining") % {"n": days_joined}


def outcome(*, sent_at: datetime, last_active_at: datetime | None, now: datetime) -> str:
    """ "came_back" when the learner was active after the check-in and within the window, "not_back" once the
    window is over without that, "waiting" meanwhile."""
    if last_active_at is not None and sent_at < last_active_at <= sent_at + COME_BACK_WINDOW:
        return "came_back"
    if now >= sent_at + COME_BACK_WINDOW:
        return "not_back"
    return "waiting"


@dataclass(frozen=True)
class Effect:
    """What one rule or template achieved: check-ins sent, learners who came back, those still waiting."""

    label: str
    sent: int
    came_back: int
    waiting: int

    @property
    def decided(self) -> int:
        return self.sent - self.waiting

    @property
    def rate(self) -> int | None:
        """Percent of the decided check-ins (7 days over, or came back) whose learner came back."""
        return None if not self.decided else round(100 * self.came_back / self.decided)
