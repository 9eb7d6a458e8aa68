"""The demo's eight weeks of history, planned as plain data: who studies what, when, and how well.

Pure and deterministic (a seeded random generator; no database): `cadence.demo` turns the plan into rows through
each app's demo part. Days count from the course's start, eight weeks before the moment of seeding, so the demo
always looks current. Each learner follows one behaviour, so every teacher page has something true to show:

- steady: a little each week, each item around its place in the schedule;
- procrastinating: nothing for days, then everything due in a burst, handed in during the deadline's final hour;
- fading out: keeps up for a few weeks, then stops (9 to 22 days ago), leaving work overdue;
- returning: stops for a fortnight, gets a check-in from the teacher, answers and catches up;
- struggling: active all along, but quiz scores fall and later work is not handed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

WEEKS = 8
SEED = 20260112


class Behaviour(StrEnum):
    STEADY = "steady"
    PROCRASTINATING = "procrastinating"
    FADING = "fading out"
    RETURNING = "returning"
    STRUGGLING = "struggling"


S, P, F, R, X = (
    Behaviour.STEADY,
    Behaviour.PROCRASTINATING,
    Behaviour.FADING,
    Behaviour.RETURNING,
    Behaviour.STRUGGLING,
)
# learner01 … learner30, in order. learner01 is the one the demo parent follows.
BEHAVIOURS: tuple[Behaviour, ...] = (
    S, P, S, S, X, P, S, S, F, P,
    S, R, X, S, F, P, S, R, F, S,
    X, P, S, F, R, S, P, X, S, F,
)  # fmt: skip
FADED_DAYS_AGO = (10, 12, 15, 18, 22)  # the fading learners, in order: days since their last activity
RETURN_QUIET = ((33, 46), (35, 47), (36, 48))  # returning learners: quiet from day a; check-in on day b


@dataclass(frozen=True)
class ItemPlan:
    """One item of the demo outline, as the story sees it."""

    title: str
    kind: str
    day: float  # when a steady learner does it, in days from the course's start
    due_day: int | None = None  # its deadline: the end of that day (23:59 in the course's zone)


@dataclass(frozen=True)
class Session:
    """A learner studies one item: opens it at `at` for `seconds` of active time."""

    item: int  # index in the outline
    at: datetime
    seconds: int


@dataclass(frozen=True)
class Work:
    """Graded work: a quiz attempt (`share` of its questions right) or a submission (graded at `share`
    of the points, `graded_at` if the teacher has graded it yet)."""

    item: int
    at: datetime
    share: float
    graded_at: datetime | None = None


@dataclass
class LearnerPlan:
    behaviour: Behaviour
    joined: datetime
    sessions: list[Session] = field(default_factory=list)
    done: dict[int, datetime] = field(default_factory=dict)  # ungraded items completed, when
    watched: dict[int, float] = field(default_factory=dict)  # video items: share of the clip watched
    attempts: list[Work] = field(default_factory=list)
    submissions: list[Work] = field(default_factory=list)
    check_in_day: float | None = None  # the teacher's check-in (returning learners, some fading ones)
    replied: bool = False

    @property
    def last_active(self) -> datetime | None:
        moments = [s.at + timedelta(seconds=s.seconds) for s in self.sessions]
        moments += [w.at for w in (*self.attempts, *self.submissions)]
        return max(moments) if moments else None


@dataclass(frozen=True)
class Calendar:
    start: datetime  # the course's start: eight weeks before now
    now: datetime
    deadlines: dict[int, datetime]  # item index → its deadline

    def at(self, day: float) -> datetime:
        return self.start + timedelta(days=day)

    def day(self, moment: datetime) -> float:
        return (moment - self.start) / timedelta(days=1)


def plan(outline: tuple[ItemPlan, ...], calendar: Calendar, count: int) -> list[LearnerPlan]:
    """Every learner's history, the same for the same calendar."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
    plans = []
    fading = iter(FADED_DAYS_AGO)
    returning = iter(RETURN_QUIET)
    for n in range(count):
        behaviour = BEHAVIOURS[n % len(BEHAVIOURS)]
        joined = calendar.at(rng.uniform(0.0, 2.5))
        learner = LearnerPlan(behaviour=behaviour, joined=joined)
        if behaviour is Behaviour.FADING:
            _fading(learner, outline, calendar, rng, stop=WEEKS * 7 - next(fading, 12))
        elif behaviour is Behaviour.RETURNING:
            quiet, check_in = next(returning, (34, 46))
            _returning(learner, outline, calendar, rng, quiet=quiet, check_in=check_in)
        elif behaviour is Behaviour.PROCRASTINATING:
            _procrastinating(learner, outline, calendar, rng)
        elif behaviour is Behaviour.STRUGGLING:
            _struggling(learner, outline, calendar, rng)
        else:
            _steady(learner, outline, calendar, rng, ahead=n % 4 == 2)
        plans.append(learner)
    return plans


# --- Behaviours ------------------------------------------------------------------------------------------
def _steady(
    learner: LearnerPlan, outline: tuple[ItemPlan, ...], calendar: Calendar, rng: random.Random, *, ahead: bool
) -> None:
    """Each item near its day, and a short look back at the latest lesson every week; a learner who is ahead has
    also done this week's discussion and the final check."""
    horizon = calendar.day(calendar.now) - (0.0 if ahead else 1.5)
    level = rng.uniform(0.78, 0.95)
    for index, item in enumerate(outline):
        day = item.day + rng.uniform(-1.0, 1.0) - (3.0 if ahead else 0.0)
        if day < horizon:
            _do(learner, index, item, calendar, rng, day, share=level, careful=True)
    _revisit(learner, outline, calendar, rng, "Mean, median and mode", before="Check your understanding: averages")
    _weekly_reviews(learner, outline, calendar, rng, since=3.0)


def _procrastinating(
    learner: LearnerPlan, outline: tuple[ItemPlan, ...], calendar: Calendar, rng: random.Random
) -> None:
    """Everything up to a deadline in the two days before it; graded work in its final hour."""
    pending: list[int] = []
    level = rng.uniform(0.62, 0.8)
    for index, item in enumerate(outline):
        pending.append(index)
        if item.due_day is None:
            continue
        deadline = calendar.deadlines[index]
        if deadline > calendar.now:
            break
        burst = calendar.day(deadline) - rng.uniform(1.2, 2.0)
        for step, waiting in enumerate(pending):
            todo = outline[waiting]
            if todo.kind in ("quiz", "assignment"):
                minutes = rng.uniform(8, 50)  # in the final hour
                day = calendar.day(deadline - timedelta(minutes=minutes))
            else:
                day = burst + step * 0.08
            _do(learner, waiting, todo, calendar, rng, day, share=level)
        pending = []
    # This week's deadlines are coming: the burst has just begun.
    if pending:
        first = pending[0]
        _do(learner, first, outline[first], calendar, rng, calendar.day(calendar.now) - rng.uniform(0.1, 0.6), 0.7)


def _fading(
    learner: LearnerPlan, outline: tuple[ItemPlan, ...], calendar: Calendar, rng: random.Random, *, stop: float
) -> None:
    """Keeps up, a little slower each week, until the day they stop; nothing after."""
    level = rng.uniform(0.7, 0.9)
    for index, item in enumerate(outline):
        day = item.day + rng.uniform(0.0, 1.5)
        if day < stop - 0.2:
            _do(learner, index, item, calendar, rng, day, share=level, seconds_scale=0.7)
    if stop <= WEEKS * 7 - 15:  # quiet for a fortnight or more: the teacher has written
        learner.check_in_day = WEEKS * 7 - 3 + rng.uniform(0.0, 0.5)


def _returning(
    learner: LearnerPlan,
    outline: tuple[ItemPlan, ...],
    calendar: Calendar,
    rng: random.Random,
    *,
    quiet: int,
    check_in: int,
) -> None:
    """Steady until `quiet`, silent until the check-in on `check_in`, then catches up from the next day."""
    learner.check_in_day = check_in + rng.uniform(0.3, 0.5)
    learner.replied = True
    back = check_in + 1.0
    catching_up = 0
    level = rng.uniform(0.72, 0.9)
    for index, item in enumerate(outline):
        day = item.day + rng.uniform(-0.5, 1.0)
        if day >= quiet:
            day = back + catching_up * 0.3  # what they missed, in order, from the day after the check-in
            catching_up += 1
            if day < item.day:
                day = item.day + rng.uniform(0.0, 1.0)
        if day < calendar.day(calendar.now) - 0.5:
            _do(learner, index, item, calendar, rng, day, share=level, careful=True)
    _weekly_reviews(learner, outline, calendar, rng, since=back + 2.0)


def _struggling(learner: LearnerPlan, outline: tuple[ItemPlan, ...], calendar: Calendar, rng: random.Random) -> None:
    """Active every week, but each result is lower than the last, and the later assignments never come."""
    shares = iter((0.75, 0.65, 0.5))
    skipped = ("Make a chart of your own", "Spot the third variable", "Final check")
    now_day = calendar.day(calendar.now)
    for index, item in enumerate(outline):
        if item.title in skipped:
            continue
        day = item.day + rng.uniform(0.5, 2.5)
        if day >= now_day - 0.2:
            continue
        share = next(shares, 0.5) if item.kind in ("quiz", "assignment") else 1.0
        _do(learner, index, item, calendar, rng, day, share=share)
        if item.title == "Check your understanding: averages":  # tries again a week later, and does worse
            learner.attempts.append(Work(index, _hour(calendar, rng, day + 7.0), share=0.25))
    for title in ("Rows, columns and tidy data", "Mean, median and mode"):  # back to the lessons, again and again
        index = next(i for i, item in enumerate(outline) if item.title == title)
        for back in (1.0, 3.0, 5.0):
            learner.sessions.append(Session(index, calendar.now - timedelta(days=back, hours=rng.uniform(0, 6)), 900))


# --- Doing one item --------------------------------------------------------------------------------------
def _hour(calendar: Calendar, rng: random.Random, day: float) -> datetime:
    """A moment on that day, never after now."""
    return min(calendar.at(day), calendar.now - timedelta(minutes=rng.uniform(20, 90)))


def _do(
    learner: LearnerPlan,
    index: int,
    item: ItemPlan,
    calendar: Calendar,
    rng: random.Random,
    day: float,
    share: float,
    *,
    seconds_scale: float = 1.0,
    careful: bool = False,
) -> None:
    """Study one item on that day. `share`: the learner's level; a quiz rounds it to whole questions (a careful
    learner retakes a practice quiz until the last question is right too, when the level is high)."""
    at = max(_hour(calendar, rng, day), learner.joined + timedelta(minutes=30))
    seconds = int(rng.uniform(300, 1500) * seconds_scale)
    if item.kind == "quiz":
        learner.sessions.append(Session(index, at - timedelta(minutes=15), 120))
        learner.attempts.append(Work(index, at, share=1.0 if careful and share >= 0.875 else share))
        return
    if item.kind == "assignment":
        learner.sessions.append(Session(index, at - timedelta(hours=2), seconds))
        graded = at + timedelta(days=rng.uniform(1.0, 3.5))
        points = min(1.0, share + rng.uniform(-0.02, 0.02))
        learner.submissions.append(Work(index, at, share=points, graded_at=graded))
        return
    learner.sessions.append(Session(index, at, seconds))
    if item.kind == "video":
        watched = rng.choice((1.0, 1.0, 0.9) if careful else (1.0, 1.0, 0.9, 0.6, 0.4))
        learner.watched[index] = watched
        if watched < 0.8:
            return  # stopped early: not complete
    learner.done[index] = at + timedelta(seconds=seconds)


def _revisit(
    learner: LearnerPlan, outline: tuple[ItemPlan, ...], calendar: Calendar, rng: random.Random, title: str, before: str
) -> None:
    """Back to a lesson the day before the quiz that needs it."""
    index = next(i for i, item in enumerate(outline) if item.title == title)
    quiz = next(i for i, item in enumerate(outline) if item.title == before)
    attempt = next((w for w in learner.attempts if w.item == quiz), None)
    if index in learner.done and attempt is not None:
        learner.sessions.append(Session(index, attempt.at - timedelta(hours=rng.uniform(20, 30)), 600))


def _weekly_reviews(
    learner: LearnerPlan, outline: tuple[ItemPlan, ...], calendar: Calendar, rng: random.Random, *, since: float
) -> None:
    """Every week, a quarter of an hour back on the latest lesson done: time studied this week, and revisits."""
    lessons = [i for i, item in enumerate(outline) if item.kind == "lesson"]
    day = since + rng.uniform(4.0, 7.0)
    now_day = calendar.day(calendar.now)
    while day < now_day - 0.1:
        moment = calendar.at(day)
        done = [i for i in lessons if i in learner.done and learner.done[i] < moment - timedelta(hours=2)]
        if done:
            learner.sessions.append(Session(done[-1], moment, int(rng.uniform(600, 1200))))
        day += rng.uniform(5.0, 7.0)
