"""Facilitation over JSON: the learners table, one learner's row, check-ins to chosen learners and the check-in log.

The same selectors, services and policy as the pages: the rows a person may see (a TA limited to groups: their
groups' learners), the same filters and sorts, the same check-in texts filled per learner.

No `from __future__ import annotations` here: ninja resolves the annotations of paginated views itself.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from cadence.access import course_for, signed_in
from cadence.accounts.models import User
from cadence.core.api_types import Id, IdIn, Pagination, errors
from cadence.core.errors import InvalidInput
from cadence.courses import selectors as course_selectors
from cadence.courses.domain.accommodations import Effective
from cadence.courses.models import Course
from cadence.insights import services_checkins as services
from cadence.insights.forms import MAX_INACTIVE_DAYS
from cadence.insights.models import CheckInLog, LearnerStats
from cadence.insights.selectors import checkins as checkin_selectors
from cadence.insights.selectors import learners as selectors
from cadence.messaging import selectors as messaging_selectors
from cadence.messaging.domain import check_in_templates as texts
from cadence.messaging.services import MAX_CHECK_IN_LEARNERS

router = Router(tags=["insights"])

PaceT = Literal["ahead", "on_track", "behind", "unknown"]  # PaceChoice
RiskT = Literal["low", "medium", "high"]  # RiskLevel
SORT_PATTERN = f"^-?({'|'.join(selectors.SORTS)})$"
TEMPLATE_KEY_MAX = 40  # CheckInRule.template_key


# --- The learners table ------------------------------------------------------------------------------------
class TableQuery(Schema):
    group: Id | None = Field(default=None, description="Only the learners of this group of the course")
    pace: PaceT | None = Field(default=None, description="Only learners at this pace")
    risk: RiskT | None = Field(default=None, description="Only learners at this risk level")
    inactive: int | None = Field(
        default=None,
        ge=0,
        le=MAX_INACTIVE_DAYS,
        description="Only learners inactive for at least this many days (never active counts from joining)",
    )
    not_started: Id | None = Field(default=None, description="Only learners who have opened no item of this module")
    sort: str = Field(
        default=selectors.DEFAULT_SORT,
        pattern=SORT_PATTERN,
        description="A column, `-` first for descending: " + ", ".join(selectors.SORTS),
    )


class PaceOut(Schema):
    status: PaceT
    items: int = Field(description="Items ahead (+) or behind (-) the expected progress by now")
    days: int = Field(description="Days ahead (+) or behind (-), whole days towards zero")
    text: str


class RiskOut(Schema):
    level: RiskT
    label: str
    score: int = Field(description="0 to 100")
    reasons: list[str] = Field(description="Plain-word reasons, strongest first")


class AccommodationEffectOut(Schema):
    time_multiplier: float
    extra_attempts: int
    extension_days: int
    summary: str


class LearnerRowOut(Schema):
    user_id: int
    membership_id: int
    display_name: str
    email: str
    last_active_at: datetime | None
    progress_percent: int
    required_done: int
    required_count: int
    active_seconds_7d: int = Field(description="Active time over the learner's own last 7 days")
    time_studied: str
    average_score: float | None
    overdue: int
    pace: PaceOut
    posts_14d: int
    questions_14d: int
    last_submission_at: datetime | None
    days_since_last_submission: int | None
    risk: RiskOut
    accommodation: AccommodationEffectOut | None = Field(description="What applies to the learner, if anything")
    refreshed_at: datetime


def _accommodation_out(effective: Effective | None) -> dict[str, Any] | None:
    if effective is None:
        return None
    return {
        "time_multiplier": float(effective.time_multiplier),
        "extra_attempts": effective.extra_attempts,
        "extension_days": effective.extension_days,
        "summary": effective.summary,
    }


def _rows_out(viewer: User, course: Course, stats: Sequence[LearnerStats], now: datetime) -> list[dict[str, Any]]:
    """A page of rows as the page shows them, with each learner's accommodation (two queries for the page)."""
    effects = course_selectors.accommodations_by_learner(viewer, course, [s.user_id for s in stats])
    return [
        {
            "user_id": s.user_id,
            "membership_id": s.membership_id,
            "display_name": s.display_name,
            "email": s.user.email,
            "last_active_at": s.last_active_at,
            "progress_percent": s.progress_percent,
            "required_done": s.required_done,
            "required_count": s.required_count,
            "active_seconds_7d": s.active_seconds_7d,
            "time_studied": row.time_studied,
            "average_score": None if s.average_score is None else float(s.average_score),
            "overdue": s.overdue_count,
            "pace": {"status": s.pace, "items": s.pace_items, "days": s.pace_days, "text": row.pace},
            "posts_14d": s.posts_14d,
            "questions_14d": s.questions_14d,
            "last_submission_at": s.last_submission_at,
            "days_since_last_submission": row.days_since_submission,
            "risk": {
                "level": s.risk_level,
                "label": row.risk_label,
                "score": s.risk_score,
                "reasons": [str(r) for r in s.risk_reasons],
            },
            "accommodation": _accommodation_out(effects.get(s.user_id)),
            "refreshed_at": s.refreshed_at,
        }
        for s, row in zip(stats, selectors.rows_for_page(stats, now), strict=True)
    ]


class _Rows:
    """The filtered rows for @paginate: counted in SQL, and only the page asked for is read and shaped."""

    def __init__(self, viewer: User, course: Course, rows: QuerySet[LearnerStats], now: datetime) -> None:
        self.viewer, self.course, self.rows, self.now = viewer, course, rows, now

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return _rows_out(self.viewer, self.course, list(self.rows[index]), self.now)


def _table_filter(request: HttpRequest, course: Course, query: TableQuery) -> selectors.TableFilter:
    """The page's filter from checked parameters: a group or module that is not the course's is refused."""
    group = module = None
    if query.group is not None:
        group = selectors.filter_groups(request.user, course).filter(pk=query.group).first()
        if group is None:
            raise InvalidInput(_("group: choose one of the course's groups."))
    if query.not_started is not None:
        module = selectors.filter_modules(course).filter(pk=query.not_started).first()
        if module is None:
            raise InvalidInput(_("not_started: choose one of the course's modules."))
    return selectors.TableFilter(
        group=group,
        pace=query.pace or "",
        risk=query.risk or "",
        inactive_days=query.inactive,
        not_started=module,
    )


@router.get(
    "/courses/{course_id}/learners",
    response={200: list[LearnerRowOut], **errors(403, 404, 422)},
    summary="The learners table: each learner's figures and risk, filtered and sorted as on the page",
)
@paginate(Pagination)
def list_learners(request: HttpRequest, course_id: Id, query: Query[TableQuery]) -> Any:
    course = course_for(request, course_id, "view_insights")
    now = timezone.now()
    table_filter = _table_filter(request, course, query)
    rows = selectors.filtered_rows(request.user, course, table_filter, sort=query.sort, now=now)
    return _Rows(signed_in(request), course, rows.select_related("user"), now)


@router.get(
    "/courses/{course_id}/learners/{user_id}",
    response={200: LearnerRowOut, **errors(403, 404, 422)},
    summary="One learner's row of the learners table (by their user id)",
)
def get_learner(request: HttpRequest, course_id: Id, user_id: Id) -> dict[str, Any]:
    course = course_for(request, course_id, "view_insights")
    stats = selectors.visible_rows(request.user, course).filter(user_id=user_id).select_related("user").first()
    if stats is None:
        raise Http404
    return _rows_out(signed_in(request), course, [stats], timezone.now())[0]


# --- Check-ins -------------------------------------------------------------------------------------------------
class TemplateOut(Schema):
    key: str = Field(description="`builtin:<name>` or `course:<id>`: give it as `template` to send a check-in")
    title: str
    body: str
    built_in: bool


class PlaceholderOut(Schema):
    name: str
    meaning: str


class TemplatesOut(Schema):
    templates: list[TemplateOut]
    placeholders: list[PlaceholderOut]


class CheckInIn(Schema):
    learner_ids: list[IdIn] = Field(
        min_length=1, max_length=MAX_CHECK_IN_LEARNERS, description="The learners' user ids"
    )
    template: str | None = Field(
        default=None,
        max_length=TEMPLATE_KEY_MAX,
        description="A template's key (see .../check-ins/templates); its text is sent unless `body` is given",
    )
    body: str | None = Field(
        default=None,
        min_length=1,
        max_length=services.BODY_MAX,
        description="Your own text (Markdown, with placeholders such as {first_name})",
    )
    key: str | None = Field(default=None, max_length=64, description="Idempotency key: a retry with it sends once")


class PersonOut(Schema):
    id: int
    display_name: str


class SentOut(Schema):
    learner: PersonOut
    message_id: int
    conversation_id: int


class SkippedOut(Schema):
    learner_id: int
    display_name: str = Field(description="Empty for an id that is not a learner you may check in with")
    reasons: list[str]


class CheckInResultOut(Schema):
    sent: list[SentOut]
    skipped: list[SkippedOut]


class CheckInLogOut(Schema):
    id: int
    learner: PersonOut
    sender: PersonOut | None
    message_id: int
    source: str = Field(description="manual, template or rule")
    template_key: str
    template_title: str
    rule_id: int | None
    rule_name: str
    sent_at: datetime
    outcome: str = Field(description="waiting, came_back or not_back (within 7 days)")
    came_back_at: datetime | None

    @staticmethod
    def resolve_rule_name(row: CheckInLog) -> str:
        return row.rule.name if row.rule is not None else ""


@router.get(
    "/courses/{course_id}/check-ins/templates",
    response={200: TemplatesOut, **errors(403, 404, 422)},
    summary="The check-in templates you may use (built-in, then the course's own) and the placeholders",
)
def check_in_templates(request: HttpRequest, course_id: Id) -> dict[str, Any]:
    course = course_for(request, course_id, "view_insights")
    return {
        "templates": checkin_selectors.template_choices(request.user, course),
        "placeholders": [{"name": name, "meaning": str(meaning)} for name, meaning in texts.PLACEHOLDERS.items()],
    }


def _text(user: User, course: Course, payload: CheckInIn) -> tuple[str, checkin_selectors.TemplateChoice | None]:
    template = None
    if payload.template is not None:
        template = checkin_selectors.template_choice(user, course, payload.template)
        if template is None:
            keys = ", ".join(t.key for t in checkin_selectors.template_choices(user, course))
            raise InvalidInput(_("template: no such template in this course. Use one of: %(keys)s.") % {"keys": keys})
    if payload.body is not None:
        return payload.body, template
    if template is None:
        raise InvalidInput(_("Give a template or the text of the check-in."))
    return template.body, template


@router.post(
    "/courses/{course_id}/check-ins",
    response={201: CheckInResultOut, **errors(400, 403, 404, 422, 429)},
    summary="Send a check-in to chosen learners, filled from each one's data; a retry with the same key sends once",
)
def send_check_ins(request: HttpRequest, course_id: Id, payload: CheckInIn) -> Status[dict[str, Any]]:
    actor = signed_in(request)
    course = course_for(request, course_id, "answer")
    body, template = _text(actor, course, payload)
    chosen = list(dict.fromkeys(payload.learner_ids))
    learners = messaging_selectors.learners_to_check_in(actor, course, chosen)
    if not learners:
        raise InvalidInput(_("learner_ids: none of these is a learner of this course you may check in with."))
    sent = services.send_check_ins(
        actor=actor, course=course, learners=learners, body=body, key=payload.key or "", template=template,
        now=timezone.now(),
    )  # fmt: skip
    skipped_ids = {r.user.pk for r in sent.skipped}
    # The service sends to the chosen learners in order, less those skipped: one message each.
    receivers = [u for u in learners if u.pk not in skipped_ids]
    reachable = {u.pk for u in learners}
    return Status(
        201,
        {
            "sent": [
                {"learner": user, "message_id": message.pk, "conversation_id": message.conversation_id}
                for user, message in zip(receivers, sent.messages, strict=True)
            ],
            "skipped": [
                {"learner_id": r.user.pk, "display_name": r.user.display_name, "reasons": list(r.filled.reasons)}
                for r in sent.skipped
            ]
            + [
                {
                    "learner_id": pk,
                    "display_name": "",
                    "reasons": [_("not a learner of this course you may check in with")],
                }
                for pk in chosen
                if pk not in reachable
            ],
        },
    )


@router.get(
    "/courses/{course_id}/check-ins",
    response={200: list[CheckInLogOut], **errors(403, 404, 422)},
    summary="The check-in log, newest first: who was checked in with, how, and whether they came back",
)
@paginate(Pagination)
def check_in_log(request: HttpRequest, course_id: Id) -> Any:
    course = course_for(request, course_id, "view_insights")
    return checkin_selectors.visible_log(request.user, course)
