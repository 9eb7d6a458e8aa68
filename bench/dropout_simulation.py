"""Drop-out simulation: how early and how accurately each risk model flags the learners who will stop.

Synthetic learners follow known behaviours (steady, procrastinating, fading out, returning, struggling) through
a cohort course of WEEKS weeks with two required, graded items due each week. Their daily activity, submissions,
scores and posts become the risk indicators through the real domain functions (`insights.domain.stats` for
pace, overdue work and last-minute habits; `insights.domain.risk` for the indicators and the rule score), and the
statistical model is fitted by the real training code (`insights.risk_training.fit`) on an earlier cohort of the
same course, observed weekly as the refresh observes it, then applied to a new cohort every day.

A learner "stops" as the product defines it (`domain.risk_model.outcome`): not finished by the course end, on
the last day they were active. For the end of week k, among the learners who have not stopped by then:
- recall: the share of those who will stop that a model flagged (level high) at least 7 days before they stop;
- precision: the share of the learners it flagged by then who do stop;
- median lead: days from a stopper's first flag to their stop.

    python bench/dropout_simulation.py                # 300 learners, 8 weeks, seed 7
    python bench/dropout_simulation.py --learners 600 --weeks 10 --seed 3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cadence.insights.domain import risk, risk_model, stats

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)
LEAD_DAYS = 7  # a flag counts for recall only this many days before the stop
BEHAVIOURS: Mapping[str, float] = {  # share of a cohort (see docs/performance.md for the sources)
    "steady": 0.30,  # study most weeks, a little ahead of the deadlines; finish
    "procrastinating": 0.15,  # bunch their work on due days, in the final hour; finish
    "returning": 0.10,  # go quiet for one to two weeks, then come back and catch up; finish
    "struggling": 0.10,  # keep studying while their scores fall; finish
    "fading": 0.27,  # disengage gradually over 2-3 weeks (fewer days, less time, later work, lower scores, fewer
    # posts), then stop
    "abrupt": 0.08,  # look like steady learners, then stop from one day to the next: nothing to foresee
}
FADE_ONSET_MEAN_DAYS = 9.0  # the day a fading learner starts to disengage: exponential, so most fade early
FADE_DAYS = (14, 21)  # how long the disengagement lasts before they stop


@dataclass
class Plan:
    """A learner's behaviour, day by day: the chance of being active and how engaged they are (1 = as usual,
    falling towards 0 while they disengage; 0 once they stopped)."""

    chances: list[float]
    engagement: list[float]
    minutes: float  # usual minutes on an active day
    score: float  # usual score


@dataclass
class Learner:
    number: int
    behaviour: str
    active_days: list[bool] = field(default_factory=list)
    minutes: list[int] = field(default_factory=list)  # minutes active each day
    # per day: the observed indicator values at the end of that day
    values: list[dict[str, float]] = field(default_factory=list)
    finished: bool = False
    last_active: int | None = None

    def stop_day(self, days: int) -> int | None:
        """The day the learner stopped (their last active day), or None when they finished."""
        if self.finished:
            return None
        return self.last_active if self.last_active is not None else 0


@dataclass(frozen=True)
class Course:
    weeks: int

    @property
    def days(self) -> int:
        return self.weeks * 7

    def due_days(self) -> list[int]:
        """Two required items a week: due at the end of the week's Wednesday and Sunday."""
        return [d for w in range(self.weeks) for d in (7 * w + 2, 7 * w + 6)]

    def due_at(self, day: int) -> datetime:
        return START + (day + 1) * DAY - timedelta(minutes=1)


def _plan(behaviour: str, rng: random.Random, days: int) -> Plan:
    """Each day's chance of being active and engagement, the usual minutes a day and the usual score."""
    minutes = max(10.0, rng.gauss(40, 12))
    usual = [1.0] * days
    if behaviour in ("steady", "abrupt"):
        chance = rng.uniform(0.5, 0.8)
        if behaviour == "abrupt":
            stop = rng.randint(7, days - 7)
            return Plan([chance if d < stop else 0.0 for d in range(days)], usual, minutes, rng.gauss(78, 7))
        return Plan([chance] * days, usual, minutes, rng.gauss(80, 6))
    if behaviour == "procrastinating":
        return Plan([rng.uniform(0.2, 0.35)] * days, usual, minutes * 1.5, rng.gauss(72, 8))
    if behaviour == "returning":
        gap_from = rng.randint(7, days // 2)
        gap = rng.randint(8, 14)
        chance = rng.uniform(0.5, 0.75)
        return Plan(
            [0.0 if gap_from <= d < gap_from + gap else chance for d in range(days)], usual, minutes, rng.gauss(76, 7)
        )
    if behaviour == "struggling":
        return Plan([rng.uniform(0.45, 0.7)] * days, usual, minutes * 1.2, rng.gauss(72, 6))
    # fading: usual at first; from the onset, engagement falls linearly to a tenth over 2-3 weeks, then stops
    length = rng.randint(*FADE_DAYS)
    onset = min(int(rng.expovariate(1 / FADE_ONSET_MEAN_DAYS)), days - length - 3)
    engagement = [
        1.0 if d < onset else (1.0 - 0.9 * (d - onset) / length if d < onset + length else 0.0) for d in range(days)
    ]
    chance = rng.uniform(0.5, 0.8)
    return Plan([chance * e for e in engagement], engagement, minutes, rng.gauss(76, 7))


def _score(behaviour: str, plan: Plan, day: int, days: int, rng: random.Random) -> Decimal:
    trend = -35.0 * day / days if behaviour == "struggling" else -25.0 * (1.0 - plan.engagement[day])
    return Decimal(round(max(0.0, min(100.0, plan.score + trend + rng.gauss(0, 6)))))


def weekly(series: Sequence[int], day: int, *, count: bool = False) -> list[int]:
    """The latest whole weeks (7 days ending `day`, then the 7 before...) since day 0, oldest first: the sum
    of each (or how many of its days are non-zero)."""
    weeks: list[int] = []
    end = day
    while end - 6 >= 0 and len(weeks) < risk.TREND_WEEKS:
        week = series[end - 6 : end + 1]
        weeks.insert(0, sum(1 for v in week if v > 0) if count else sum(week))
        end -= 7
    return weeks


def simulate(learners: int, weeks: int, seed: int, rules: risk.RiskSettings) -> list[Learner]:
    """A cohort's daily indicator values: each learner's days, turned into facts by the domain functions."""
    rng = random.Random(seed)
    course = Course(weeks)
    due_days = course.due_days()
    deadlines = {n: course.due_at(d) for n, d in enumerate(due_days)}
    end = START + course.days * DAY
    names = list(BEHAVIOURS)
    targets = stats.targets([deadlines[n] for n in range(len(due_days))], window_start=START, window_end=end)
    cohort: list[Learner] = []
    for number in range(learners):
        behaviour = rng.choices(names, weights=[BEHAVIOURS[n] for n in names])[0]
        plan = _plan(behaviour, rng, course.days)
        learner = Learner(number, behaviour)
        poster = rng.random() < {"steady": 0.6, "returning": 0.5, "struggling": 0.4, "abrupt": 0.5}.get(behaviour, 0.35)
        done: list[int] = []
        submissions: list[tuple[datetime, datetime | None]] = []  # newest first
        scores: list[Decimal] = []
        posted = False
        last_active_at: datetime | None = None
        for day in range(course.days):
            engaged = plan.engagement[day]
            active = rng.random() < plan.chances[day]
            if behaviour == "procrastinating" and day in due_days:
                active = active or rng.random() < 0.9  # they show up on the due day
            minutes = 0
            if active:
                learner.last_active = day
                minutes = max(1, round(plan.minutes * (0.3 + 0.7 * engaged) * rng.uniform(0.6, 1.4)))
                at = START + day * DAY + timedelta(hours=rng.uniform(8, 21))
                todo = [n for n in range(len(due_days)) if n not in done]
                if behaviour == "procrastinating":
                    todo = [n for n in todo if due_days[n] <= day]
                    at = min(at, deadlines[todo[0]] - timedelta(minutes=rng.uniform(5, 55))) if todo else at
                else:
                    horizon = round(3 * engaged) if behaviour in ("steady", "returning", "fading", "abrupt") else 1
                    todo = [n for n in todo if due_days[n] <= day + horizon]
                    if todo and due_days[todo[0]] == day and rng.random() > engaged:  # disengaging: later work
                        at = deadlines[todo[0]] - timedelta(minutes=rng.uniform(5, 55))
                for n in todo[: 3 if behaviour == "returning" else 2]:
                    done.append(n)
                    submissions.insert(0, (at, deadlines[n]))
                    scores.append(_score(behaviour, plan, day, course.days, rng))
                posted = posted or (poster and rng.random() < 0.15 * engaged)
                last_active_at = at
            learner.minutes.append(minutes)
            now = START + (day + 1) * DAY - timedelta(minutes=30)
            facts = risk.RiskFacts(
                days_inactive=None if last_active_at is None else (now - last_active_at) / DAY,
                days_in_course=(now - START) / DAY,
                overdue=stats.overdue(deadlines, done=set(done), now=now),
                days_behind=stats.pace(targets, done=len(done), now=now).days_behind,
                recent_scores=scores,
                has_posted_or_asked=posted,
                final_hour_streak=stats.final_hour_streak(submissions),
                weekly_minutes=weekly(learner.minutes, day),
                weekly_active_days=weekly(learner.minutes, day, count=True),
            )
            learner.values.append(risk_model.observed_values(facts))
            learner.active_days.append(active)
        learner.finished = len(done) == len(due_days)
        cohort.append(learner)
    return cohort


Flagger = Callable[[Mapping[str, float]], bool]


def rule_flagger(rules: risk.RiskSettings) -> Flagger:
    return lambda values: risk.level_for(risk.score_values(values, rules), rules) is risk.Level.HIGH


def model_flagger(model: risk_model.FittedModel, rules: risk.RiskSettings) -> Flagger:
    """The statistical model as the refresh applies it: the rules decide in a learner's first days."""
    by_rules = rule_flagger(rules)
    return lambda values: (
        risk_model.level_for_probability(model, risk_model.probability(model, values)) is risk.Level.HIGH
        if risk_model.in_scope(values)
        else by_rules(values)
    )


@dataclass(frozen=True)
class WeekFigures:
    week: int
    going: int  # learners not yet stopped at the end of the week
    will_stop: int
    flagged: int
    precision: float
    recall: float
    median_lead_days: float | None


def figures(cohort: Sequence[Learner], flag: Flagger, *, week: int, days: int) -> WeekFigures:
    cut = 7 * week - 1  # the last day of week `week` (days count from 0)
    going = [lr for lr in cohort if (s := lr.stop_day(days)) is None or s > cut]
    stoppers = [lr for lr in going if lr.stop_day(days) is not None]
    first_flag: dict[int, int] = {}
    for lr in going:
        for day in range(cut + 1):
            if flag(lr.values[day]):
                first_flag[lr.number] = day
                break
    flagged = [lr for lr in going if lr.number in first_flag]
    caught_early = [
        lr
        for lr in stoppers
        if lr.number in first_flag and first_flag[lr.number] <= (lr.stop_day(days) or 0) - LEAD_DAYS
    ]
    flagged_stoppers = [lr for lr in flagged if lr.stop_day(days) is not None]
    leads = [(lr.stop_day(days) or 0) - first_flag[lr.number] for lr in flagged_stoppers]
    return WeekFigures(
        week=week,
        going=len(going),
        will_stop=len(stoppers),
        flagged=len(flagged),
        precision=len(flagged_stoppers) / len(flagged) if flagged else 0.0,
        recall=len(caught_early) / len(stoppers) if stoppers else 0.0,
        median_lead_days=statistics.median(leads) if leads else None,
    )


def weekly_samples(cohort: Sequence[Learner], days: int) -> list[object]:
    """An earlier cohort as the refresh records it: one observation a week (its first day), labelled with the
    outcome, kept while the learner was still going."""
    from cadence.insights.risk_training import Sample  # needs Django's apps (the training module has models)

    samples: list[object] = []
    for lr in cohort:
        stop = lr.stop_day(days)
        # the refresh's first run of each week sees the week before
        samples.extend(
            Sample(learner=lr.number, values=lr.values[day], stopped=stop is not None)
            for day in range(6, days, 7)
            if (stop is None or day < stop) and risk_model.in_scope(lr.values[day])
        )
    return samples


@dataclass(frozen=True)
class Report:
    learners: int
    weeks: int
    behaviours: dict[str, int]
    stopped: int
    rules: list[WeekFigures]
    statistical: list[WeekFigures]
    held_out: dict[str, dict[str, float | int]]


def run(*, learners: int = 300, weeks: int = 8, seed: int = 7, rules: risk.RiskSettings | None = None) -> Report:
    from cadence.insights import risk_training

    rules = rules or risk.RiskSettings()
    days = weeks * 7
    history = simulate(learners, weeks, seed + 1000, rules)
    samples = weekly_samples(history, days)
    trained = risk_training.fit([s for s in samples if isinstance(s, risk_training.Sample)], rules=rules, seed=seed)
    cohort = simulate(learners, weeks, seed, rules)
    by_behaviour: dict[str, int] = {}
    for lr in cohort:
        by_behaviour[lr.behaviour] = by_behaviour.get(lr.behaviour, 0) + 1
    return Report(
        learners=learners,
        weeks=weeks,
        behaviours=by_behaviour,
        stopped=sum(1 for lr in cohort if lr.stop_day(days) is not None),
        rules=[figures(cohort, rule_flagger(rules), week=k, days=days) for k in (1, 2, 3)],
        statistical=[figures(cohort, model_flagger(trained.model, rules), week=k, days=days) for k in (1, 2, 3)],
        held_out={"statistical": trained.statistical.stored(), "rules": trained.rules.stored()},
    )


def _line(name: str, f: WeekFigures) -> str:
    lead = "-" if f.median_lead_days is None else f"{f.median_lead_days:.0f}"
    return (
        f"{name:<12} week {f.week}: going {f.going:4d}, will stop {f.will_stop:4d}, flagged {f.flagged:4d}, "
        f"precision {f.precision:.2f}, recall (≥{LEAD_DAYS} days ahead) {f.recall:.2f}, median lead {lead} days"
    )


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    django.setup()
    report = run(learners=args.learners, weeks=args.weeks, seed=args.seed)
    print(f"{report.learners} learners, {report.weeks} weeks, seed {args.seed}: {report.behaviours}")
    print(f"{report.stopped} stop before finishing")
    for r, s in zip(report.rules, report.statistical, strict=True):
        print(_line("rules", r))
        print(_line("statistical", s))
    for name, held in report.held_out.items():
        print(f"held-out weekly observations of the earlier cohort, {name}: {held}")
    target = report.rules[1].recall >= 0.70 and report.rules[1].precision >= 0.40
    print(f"target by end of week 2 (recall ≥ 0.70 at precision ≥ 0.40), rules: {'met' if target else 'missed'}")
    target = report.statistical[1].recall >= 0.70 and report.statistical[1].precision >= 0.40
    print(f"target by end of week 2 (recall ≥ 0.70 at precision ≥ 0.40), statistical: {'met' if target else 'missed'}")


if __name__ == "__main__":
    main()
