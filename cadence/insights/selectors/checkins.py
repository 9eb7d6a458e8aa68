"""Check-in reads: the templates a person may use, each learner's facts for placeholders, who an automated rule
would reach now and why, the log of check-ins and their effect per rule and per template.

Every read runs a fixed number of queries for a page however many learners it is about (a rule's run works
through its learners in batches of the same few queries)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from cadence import policy
from cadence.accounts.models import User
from cadence.courses.models import Course, Item, Membership
from cadence.insights.domain import check_ins
from cadence.insights.models import CheckInLog, CheckInRule, CheckInTemplate, LearnerStats, Outcome
from cadence.insights.selectors import learners as learner_selectors
from cadence.messaging.domain import check_in_templates as texts
from cadence.notifications import selectors as notification_selectors
from cadence.policy import AnyUser
from cadence.progress import selectors as progress_selectors
from cadence.progress.models import Completion, ItemProgress

BATCH = 200
DAY = timedelta(days=1)


# --- Templates ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateChoice:
    key: str  # "builtin:<key>" or "course:<id>"
    title: str
    body: str
    built_in: bool


def course_templates(user: AnyUser, course: Course) -> QuerySet[CheckInTemplate]:
    rows = CheckInTemplate.objects.filter(course=course)
    return policy.scope(user, "view", rows).order_by("title", "pk")


def template_choices(user: AnyUser, course: Course) -> list[TemplateChoice]:
    """The built-in starting texts, then the course's own templates (one query)."""
    built = [TemplateChoice(f"builtin:{b.key}", b.title, b.body, True) for b in texts.built_ins()]
    own = [TemplateChoice(t.key, t.title, t.body, False) for t in course_templates(user, course)]
    return built + own


def template_choice(user: AnyUser, course: Course, key: str) -> TemplateChoice | None:
    """The template a key names, if this person may use it in this course."""
    kind, _sep, ident = (key or "").partition(":")
    if kind == "builtin":
        found = texts.built_in(ident)
        return TemplateChoice(key, found.title, found.body, True) if found else None
    if kind == "course" and ident.isdigit() and len(ident) < 19:
        row = course_templates(user, course).filter(pk=int(ident)).first()
        return TemplateChoice(row.key, row.title, row.body, False) if row else None
    return None


def editable_template(user: AnyUser, course: Course, template_id: int) -> CheckInTemplate | None:
    return policy.scope(user, "edit", CheckInTemplate.objects.filter(course=course, pk=template_id)).first()


def rules_using(template: CheckInTemplate) -> list[str]:
    return list(
        CheckInRule.objects.filter(course_id=template.course_id, template_key=template.key).values_list(
            "name", flat=True
        )
    )


# --- What the data shows about each learner ---------------------------------------------------------------
def _item_url(course: Course, item_id: int) -> str:
    return reverse("courses:item-detail", args=[course.slug, item_id])


@dataclass(frozen=True)
class LearnerData:
    facts: texts.LearnerFacts
    oldest_overdue_at: datetime | None  # the earliest deadline among the overdue items
    joined_at: datetime | None


def learner_data(course: Course, users: Sequence[User], *, now: datetime) -> dict[int, LearnerData]:
    """Each learner's facts for placeholders, from their figures, their own deadlines (as their dashboard
    shows them), the last item they opened and their completions: about ten queries for any number."""
    ids = [u.pk for u in users]
    if not ids:
        return {}
    figures = {
        row["user_id"]: row
        for row in LearnerStats.objects.filter(course=course, user_id__in=ids).values(
            "user_id", "last_active_at", "membership__joined_at"
        )
    }
    due = progress_selectors.due_items_for_learners({u.pk: (u, [course.pk]) for u in users}, now=now)
    visible_items = Item.objects.filter(course=course, is_published=True, module__is_published=True)
    latest_opened = (
        ItemProgress.objects.filter(
            course=course, user_id=OuterRef("user_id"), last_viewed_at__isnull=False, item__in=visible_items
        )
        .order_by("-last_viewed_at", "-pk")
        .values("item_id")[:1]
    )
    memberships = {
        row["user_id"]: row
        for row in Membership.objects.filter(course=course, user_id__in=ids)
        .annotate(last_item=Subquery(latest_opened))
        .values("user_id", "last_item", "joined_at")
    }
    required = list(
        visible_items.filter(is_required=True)
        .order_by("module__position", "module_id", "position", "id")
        .values_list("pk", "title")
    )
    done = set(
        Completion.objects.filter(course=course, user_id__in=ids, item_id__in=[pk for pk, _t in required]).values_list(
            "user_id", "item_id"
        )
    )
    opened_ids = {row["last_item"] for row in memberships.values() if row["last_item"] is not None}
    titles = dict(Item.objects.filter(pk__in=opened_ids).values_list("pk", "title"))
    result: dict[int, LearnerData] = {}
    for user in users:
        figure = figures.get(user.pk)
        membership = memberships.get(user.pk, {})
        last_item_id = membership.get("last_item")
        next_item = next(((pk, title) for pk, title in required if (user.pk, pk) not in done), None)
        overdue = due[user.pk].overdue if user.pk in due else []
        facts = texts.LearnerFacts(
            display_name=user.display_name,
            course_title=course.title,
            last_active_at=figure["last_active_at"] if figure else None,
            figures_known=figure is not None,
            overdue=tuple(texts.Link(d.title, _item_url(course, d.item_id)) for d in overdue),
            last_item=(
                texts.Link(titles[last_item_id], _item_url(course, last_item_id)) if last_item_id in titles else None
            ),
            next_item=texts.Link(next_item[1], _item_url(course, next_item[0])) if next_item else None,
        )
        result[user.pk] = LearnerData(
            facts=facts,
            oldest_overdue_at=min((d.due_at for d in overdue), default=None),
            joined_at=membership.get("joined_at"),
        )
    return result


@dataclass(frozen=True)
class Recipient:
    """One learner in a preview: their text (or why they are skipped), why a rule chose them, and until when
    their quiet hours hold an automated check-in back."""

    user: User
    filled: texts.Filled
    reason: str = ""
    quiet_until: datetime | None = None

    @property
    def sendable(self) -> bool:
        return not self.filled.skipped and self.quiet_until is None


def previews(course: Course, users: Sequence[User], body: str, *, now: datetime) -> list[Recipient]:
    """The text each chosen learner would get (a fixed number of queries)."""
    data = learner_data(course, users, now=now)
    return [Recipient(user=u, filled=texts.fill(body, data[u.pk].facts, now=now)) for u in users]


# --- Automated rules -----------------------------------------------------------------------------------
def spec_of(rule: CheckInRule) -> check_ins.RuleSpec:
    return check_ins.RuleSpec(
        trigger=rule.trigger,
        days=rule.days,
        risk_level=rule.risk_level,
        module_id=rule.module_id,
        period_days=rule.period_days,
        confirm_over=rule.confirm_over,
    )


def course_rules(user: AnyUser, course: Course) -> QuerySet[CheckInRule]:
    rows = CheckInRule.objects.filter(course=course).select_related("sender", "module")
    return policy.scope(user, "edit", rows).order_by("name", "pk")


def editable_rule(user: AnyUser, course: Course, rule_id: int) -> CheckInRule | None:
    return course_rules(user, course).filter(pk=rule_id).first()


def rule_candidates(rule: CheckInRule, *, now: datetime) -> QuerySet[LearnerStats]:
    """The learners whose figures meet the rule's trigger, among those its sender may see in the learners
    table, less those the rule reached within its period: the learners table's own filters, in SQL."""
    course = rule.course
    sender = rule.sender
    table_filter = learner_selectors.TableFilter()
    if rule.trigger == check_ins.INACTIVE:
        table_filter = learner_selectors.TableFilter(inactive_days=rule.days or 0)
    elif rule.trigger == check_ins.NOT_STARTED:
        table_filter = learner_selectors.TableFilter(not_started=rule.module)
    rows = learner_selectors.filtered_rows(sender, course, table_filter, sort="name", now=now)
    if rule.trigger == check_ins.RISK:
        rows = rows.filter(risk_level__in=check_ins.risk_levels_reaching(rule.risk_level))
    elif rule.trigger == check_ins.OVERDUE:
        rows = rows.filter(overdue_count__gt=0)
    elif rule.trigger == check_ins.NOT_STARTED:
        rows = rows.filter(membership__joined_at__lte=now - (rule.days or 0) * DAY)
    reached = CheckInLog.objects.filter(rule=rule, sent_at__gt=now - rule.period_days * DAY).values("learner_id")
    return rows.exclude(user_id__in=reached).select_related("user")


def _days(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, int((now - moment) / DAY))


def rule_recipients(rule: CheckInRule, body: str, *, now: datetime, limit: int | None = None) -> Iterator[Recipient]:
    """Who the rule would reach now, and why: each candidate with their text or why they are skipped, and
    their quiet hours. Works through the candidates in batches (a fixed number of queries each)."""
    spec = spec_of(rule)
    candidates = rule_candidates(rule, now=now)
    given = 0
    last_key: tuple[str, int] | None = None
    while limit is None or given < limit:
        page = candidates.order_by("display_name", "pk")
        if last_key is not None:
            name, pk = last_key
            page = page.filter(Q(display_name__gt=name) | Q(display_name=name, pk__gt=pk))
        batch = list(page[:BATCH])
        if not batch:
            return
        last_key = (batch[-1].display_name, batch[-1].pk)
        users = [row.user for row in batch]
        data = learner_data(rule.course, users, now=now)
        quiet = notification_selectors.quiet_until(users, now=now)
        for row in batch:
            mine = data[row.user_id]
            overdue_days = _days(mine.oldest_overdue_at, now)
            if spec.trigger == check_ins.OVERDUE and (overdue_days is None or overdue_days < (spec.days or 0)):
                continue  # overdue, but not for long enough by the learner's own deadlines
            reason = check_ins.trigger_reason(
                spec,
                days_inactive=_days(row.last_active_at, now),
                days_joined=_days(mine.joined_at, now) or 0,
                overdue_days=overdue_days,
            )
            yield Recipient(
                user=row.user,
                filled=texts.fill(body, mine.facts, now=now),
                reason=reason,
                quiet_until=quiet.get(row.user_id),
            )
            given += 1
            if limit is not None and given >= limit:
                return


# --- The log and its effect ----------------------------------------------------------------------------------
def visible_log(user: AnyUser, course: Course) -> QuerySet[CheckInLog]:
    """The course's check-ins this person may see, newest first (a TA limited to groups: their learners')."""
    rows = policy.scope(user, "view", CheckInLog.objects.filter(course=course))
    return rows.select_related("learner", "sender", "rule").order_by("-sent_at", "-pk")


def _effects(rows: QuerySet[CheckInLog], field: str, labels: dict[str, str]) -> list[check_ins.Effect]:
    counted = (
        rows.order_by()
        .values(field)
        .annotate(
            sent=Count("pk"),
            came_back=Count("pk", filter=Q(outcome=Outcome.CAME_BACK)),
            waiting=Count("pk", filter=Q(outcome=Outcome.WAITING)),
        )
    )
    effects = [
        check_ins.Effect(
            label=labels.get(str(row[field]), ""), sent=row["sent"], came_back=row["came_back"], waiting=row["waiting"]
        )
        for row in counted
        if row[field] not in (None, "")
    ]
    return sorted(effects, key=lambda e: (-e.sent, e.label))


def effect_by_rule(user: AnyUser, course: Course) -> list[check_ins.Effect]:
    """Per rule: check-ins sent, learners who came back within 7 days, still waiting (two queries)."""
    names = {str(pk): name for pk, name in CheckInRule.objects.filter(course=course).values_list("pk", "name")}
    return _effects(visible_log(user, course), "rule_id", names)


def effect_by_template(user: AnyUser, course: Course) -> list[check_ins.Effect]:
    """Per template (built-in or the course's), by the title it had when last used (two queries)."""
    rows = visible_log(user, course)
    titles = dict(
        rows.exclude(template_key="")
        .order_by()
        .values("template_key")
        .annotate(title=Max("template_title"))
        .values_list("template_key", "title")
    )
    for template in CheckInTemplate.objects.filter(course=course).only("pk", "title"):
        titles[template.key] = template.title
    return _effects(rows, "template_key", titles)
