"""Reads for the learners table: the rows a person may see, filtered, sorted and paged, from `LearnerStats`
alone. A page costs the same few queries for 30 learners or 10,000 (asserted in the tests)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from cadence import policy
from cadence.courses.models import Course, Group, Membership, Module
from cadence.insights.models import LearnerStats, PaceChoice, RiskLevel
from cadence.policy import AnyUser

DAY = timedelta(days=1)

# sort key → the column it orders by (ties: name, then row)
SORTS: dict[str, str] = {
    "name": "display_name",
    "last_active": "last_active_at",
    "progress": "progress_percent",
    "time": "active_seconds_7d",
    "score": "average_score",
    "overdue": "overdue_count",
    "pace": "pace_days",
    "posts": "posts_14d",
    "questions": "questions_14d",
    "submission": "last_submission_at",
    "risk": "risk_score",
}
DEFAULT_SORT = "-risk"


@dataclass(frozen=True)
class TableFilter:
    group: Group | None = None
    pace: str = ""
    risk: str = ""
    inactive_days: int | None = None
    not_started: Module | None = None


def parse_sort(value: str | None) -> str:
    """A known sort (`risk`, `-risk`, …), or the default for anything else."""
    value = (value or "").strip()
    return value if value.lstrip("-") in SORTS else DEFAULT_SORT


def _ordering(sort: str) -> list[OrderBy]:
    descending = sort.startswith("-")
    field = F(SORTS[sort.lstrip("-")])
    first = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return [first, F("display_name").asc(), F("pk").asc()]


def visible_rows(user: AnyUser, course: Course) -> QuerySet[LearnerStats]:
    """The course's learner rows this person may see (a TA limited to groups: those groups' learners).

    Rows exist for learner memberships only: the refresh removes the row of anyone who is no longer a
    learner (a role change calls it), and a removed membership takes its row with it."""
    rows = LearnerStats.objects.filter(course=course)
    return policy.scope(user, "view", rows)


def filtered_rows(
    user: AnyUser, course: Course, table_filter: TableFilter, *, sort: str, now: datetime
) -> QuerySet[LearnerStats]:
    rows = visible_rows(user, course)
    if table_filter.group is not None:
        in_group = Membership.groups.through.objects.filter(group_id=table_filter.group.pk).values("membership_id")
        rows = rows.filter(membership_id__in=in_group)
    if table_filter.pace:
        rows = rows.filter(pace=table_filter.pace)
    if table_filter.risk:
        rows = rows.filter(risk_level=table_filter.risk)
    if table_filter.inactive_days is not None:
        cutoff = now - table_filter.inactive_days * DAY
        rows = rows.filter(
            Q(last_active_at__lte=cutoff) | Q(last_active_at__isnull=True, membership__joined_at__lte=cutoff)
        )
    if table_filter.not_started is not None:
        rows = rows.exclude(started_modules__contains=f",{table_filter.not_started.pk},")
    return rows.order_by(*_ordering(parse_sort(sort)))


def filter_groups(user: AnyUser, course: Course) -> QuerySet[Group]:
    """The groups offered in the filter: the course's groups the policy lets the person see."""
    return policy.scope(user, "view", Group.objects.filter(course=course)).order_by("name", "pk")


def filter_modules(course: Course) -> QuerySet[Module]:
    return Module.objects.filter(course=course).order_by("position", "pk")


def matching_ids(rows: QuerySet[LearnerStats]) -> list[int]:
    """The user ids of every row matching the filter ("select all matching"): one query."""
    return list(rows.values_list("user_id", flat=True))


# --- What a row shows --------------------------------------------------------------------------------
def duration(seconds: int) -> str:
    minutes = seconds // 60
    if minutes < 60:
        return _("%(m)s min") % {"m": minutes}
    return _("%(h)s h %(m)s min") % {"h": minutes // 60, "m": minutes % 60}


def pace_text(stats: LearnerStats) -> str:
    if stats.pace == PaceChoice.BEHIND:
        return _("Behind by %(items)s items, %(days)s days") % {
            "items": abs(stats.pace_items),
            "days": abs(stats.pace_days),
        }
    if stats.pace == PaceChoice.AHEAD:
        return _("Ahead by %(items)s items, %(days)s days") % {"items": stats.pace_items, "days": stats.pace_days}
    return str(PaceChoice(stats.pace).label)


def last_active(course: Course, user_id: int) -> tuple[bool, datetime | None]:
    """Whether the learner's figures exist yet, and when they were last active in the course (None: never)."""
    row = LearnerStats.objects.filter(course=course, user_id=user_id).values_list("last_active_at", flat=True)
    found = list(row[:1])
    return (True, found[0]) if found else (False, None)


def days_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, math.floor((now - moment) / DAY))


@dataclass(frozen=True)
class Row:
    stats: LearnerStats
    time_studied: str
    pace: str
    days_since_submission: int | None
    risk_label: str

    @property
    def user_id(self) -> int:
        return self.stats.user_id


def rows_for_page(page: Sequence[LearnerStats], now: datetime) -> list[Row]:
    return [
        Row(
            stats=s,
            time_studied=duration(s.active_seconds_7d),
            pace=pace_text(s),
            days_since_submission=days_since(s.last_submission_at, now),
            risk_label=str(RiskLevel(s.risk_level).label),
        )
        for s in page
    ]


CSV_HEADER = [
    "name",
    "email",
    "last active",
    "progress %",
    "required items done",
    "required items",
    "minutes studied (7 days)",
    "average score %",
    "overdue",
    "pace",
    "pace items",
    "pace days",
    "forum posts (14 days)",
    "questions (14 days)",
    "last submission",
    "days since last submission",
    "risk score",
    "risk level",
    "reasons",
    "refreshed",
]


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="seconds")


def csv_rows(rows: QuerySet[LearnerStats], now: datetime) -> Iterator[list[object]]:
    """The filtered rows for CSV (`core.csv_export` writes them), streamed in chunks."""
    yield list(CSV_HEADER)
    for s in rows.select_related("user").iterator(chunk_size=2000):
        score: Decimal | None = s.average_score
        yield [
            s.display_name,
            s.user.email,
            _iso(s.last_active_at),
            s.progress_percent,
            s.required_done,
            s.required_count,
            s.active_seconds_7d // 60,
            score,
            s.overdue_count,
            s.pace,
            s.pace_items,
            s.pace_days,
            s.posts_14d,
            s.questions_14d,
            _iso(s.last_submission_at),
            days_since(s.last_submission_at, now),
            s.risk_score,
            s.risk_level,
            "; ".join(str(r) for r in s.risk_reasons),
            _iso(s.refreshed_at),
        ]
