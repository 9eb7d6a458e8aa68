"""Check-in writes: a course's templates and automated rules, check-ins from a template to chosen learners, and
the rules' runs (hourly, in the background, and when a teacher confirms a held run).

Every check-in goes through `messaging.services.send_check_in`, which writes the check-in log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import InvalidInput, NotAllowed
from cadence.courses import selectors as course_selectors
from cadence.courses.models import Course, Module, Visibility
from cadence.insights.domain import check_ins
from cadence.insights.models import CheckInRule, CheckInTemplate
from cadence.insights.selectors import checkins as selectors
from cadence.messaging import services as messaging
from cadence.messaging.domain import check_in_templates as texts
from cadence.messaging.models import Message
from cadence.notifications.models import Kind as NotificationKind
from cadence.notifications.services import notify

logger = logging.getLogger(__name__)

TITLE_MAX = 120
BODY_MAX = 4000


def _clean_text(title: str, body: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    body = (body or "").strip()
    if not title:
        raise InvalidInput(_("Give the template a title."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("A title may be at most %(n)s characters long.") % {"n": TITLE_MAX})
    check_body(body)
    return title, body


def check_body(body: str) -> None:
    """A check-in text: not empty, not too long, only known placeholders."""
    if not (body or "").strip():
        raise InvalidInput(_("Write the check-in's text."))
    if len(body) > BODY_MAX:
        raise InvalidInput(_("A check-in may be at most %(n)s characters long.") % {"n": BODY_MAX})
    unknown = texts.unknown_placeholders(body)
    if unknown:
        raise InvalidInput(texts.unknown_message(unknown))


# --- Templates -----------------------------------------------------------------------------------------
@transaction.atomic
def save_template(
    *, actor: User, course: Course, title: str, body: str, now: datetime, template: CheckInTemplate | None = None
) -> CheckInTemplate:
    """Create a course's template, or change one. A title the course already has is refused."""
    policy.require(actor, "manage_check_ins", course)
    if template is not None:
        policy.require(actor, "edit", template)
    title, body = _clean_text(title, body)
    same_title = CheckInTemplate.objects.filter(course=course, title=title)
    if (same_title.exclude(pk=template.pk) if template is not None else same_title).exists():
        raise InvalidInput(_("This course already has a template called “%(title)s”.") % {"title": title})
    try:
        with transaction.atomic():
            if template is None:
                template = CheckInTemplate.objects.create(
                    course=course, title=title, body=body, created_by=actor, updated_at=now
                )
                verb = "insights.check_in_template_created"
            else:
                template.title, template.body, template.updated_at = title, body, now
                template.save(update_fields=["title", "body", "updated_at"])
                verb = "insights.check_in_template_changed"
    except IntegrityError as exc:  # a racing twin took the title
        raise InvalidInput(_("This course already has a template called “%(title)s”.") % {"title": title}) from exc
    audit.record(actor=actor, verb=verb, obj=template, course_id=course.pk, title=title)
    return template


@transaction.atomic
def delete_template(*, actor: User, template: CheckInTemplate, now: datetime) -> None:
    """Delete a template no rule uses (the log keeps the title it was sent with)."""
    policy.require(actor, "edit", template)
    using = selectors.rules_using(template)
    if using:
        raise InvalidInput(
            _("Rules use this template (%(rules)s): give them another template first.") % {"rules": ", ".join(using)}
        )
    audit.record(
        actor=actor, verb="insights.check_in_template_deleted", obj=template, course_id=template.course_id,
        title=template.title, at=now.isoformat(),
    )  # fmt: skip
    template.delete()


# --- Check-ins from the learners table ---------------------------------------------------------------------
@dataclass(frozen=True)
class Sent:
    messages: list[Message]
    skipped: list[selectors.Recipient] = field(default_factory=list)


@transaction.atomic
def send_check_ins(
    *,
    actor: User,
    course: Course,
    learners: Sequence[User],
    body: str,
    now: datetime,
    key: str,
    template: selectors.TemplateChoice | None = None,
) -> Sent:
    """One check-in per chosen learner, placeholders filled from each one's data; a learner for whom a used
    placeholder has no value is skipped (the text would say what their data does not show). All are sent or
    none (one transaction); a repeated form (same key) sends nothing twice."""
    policy.require(actor, "answer", course)
    people = list({learner.pk: learner for learner in learners}.values())
    messaging.check_learner_count(len(people))  # the chosen learners, before any is skipped
    check_body(body)
    from_template = template is not None and template.body.strip() == body.strip()
    origin = check_ins.CheckInOrigin(
        source="template" if from_template else "manual",
        template_key=template.key if template is not None and from_template else "",
        template_title=template.title if template is not None and from_template else "",
    )
    recipients = selectors.previews(course, people, body, now=now)
    skipped = [r for r in recipients if r.filled.skipped]
    if len(skipped) == len(recipients):
        raise InvalidInput(
            _("Nobody was sent this text: for every chosen learner a placeholder has no value. See the preview.")
        )
    filled = [(r.user, r.filled.text) for r in recipients if r.filled.text is not None]
    sent = messaging.send_personal_check_ins(
        actor=actor, course=course, messages=filled, now=now, key=key, origin=origin
    )
    return Sent(messages=sent, skipped=skipped)


# --- Automated rules -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleInput:
    name: str
    spec: check_ins.RuleSpec
    template_key: str
    enabled: bool


def _validate_rule(actor: User, course: Course, data: RuleInput) -> tuple[str, Module | None]:
    errors = check_ins.rule_errors(data.spec)
    name = " ".join((data.name or "").split())
    if not name or len(name) > TITLE_MAX:
        errors["name"] = _("Give the rule a name of at most %(n)s characters.") % {"n": TITLE_MAX}
    module = None
    if data.spec.module_id is not None:
        module = Module.objects.filter(course=course, pk=data.spec.module_id).first()
        if module is None:
            errors["module"] = _("Choose a module of this course.")
    if selectors.template_choice(actor, course, data.template_key) is None:
        errors["template_key"] = _("Choose one of the course's templates.")
    if errors:
        raise InvalidInput("; ".join(f"{name}: {message}" for name, message in sorted(errors.items())))
    return name, module


@transaction.atomic
def save_rule(
    *, actor: User, course: Course, data: RuleInput, now: datetime, rule: CheckInRule | None = None
) -> CheckInRule:
    """Create or change an automated rule; the person saving it becomes its sender. Switching it on when it
    would reach more than its confirmation threshold at once holds it: nothing is sent until a teacher
    confirms on its page."""
    policy.require(actor, "manage_check_ins", course)
    if rule is not None:
        policy.require(actor, "edit", rule)
    name, module = _validate_rule(actor, course, data)
    same_name = CheckInRule.objects.filter(course=course, name=name)
    if (same_name.exclude(pk=rule.pk) if rule is not None else same_name).exists():
        raise InvalidInput(_("This course already has a rule called “%(name)s”.") % {"name": name})
    was_enabled = rule is not None and rule.enabled
    spec = data.spec
    values = {
        "name": name,
        "trigger": spec.trigger,
        "days": spec.days if spec.trigger != check_ins.RISK else None,
        "risk_level": spec.risk_level if spec.trigger == check_ins.RISK else "",
        "module": module if spec.trigger == check_ins.NOT_STARTED else None,
        "template_key": data.template_key,
        "period_days": spec.period_days,
        "confirm_over": spec.confirm_over,
        "enabled": data.enabled,
        "sender": actor,
        "updated_at": now,
    }
    if rule is None:
        rule = CheckInRule.objects.create(course=course, **values)
    else:
        for attribute, value in values.items():
            setattr(rule, attribute, value)
        rule.save(update_fields=[*values, "module"])
    if not data.enabled:
        _release(rule)
    elif not was_enabled:
        # Switching it on: the learners who match now, an upper bound of what the first run sends.
        count = selectors.rule_candidates(rule, now=now).count()
        if count > rule.confirm_over:
            _hold(rule, count=count, now=now)
    audit.record(
        actor=actor, verb="insights.check_in_rule_saved", obj=rule, course_id=course.pk, name=name,
        trigger=spec.trigger, days=rule.days, risk_level=rule.risk_level, module_id=rule.module_id,
        template=rule.template_key, period_days=rule.period_days, confirm_over=rule.confirm_over,
        enabled=rule.enabled, held=rule.held_at is not None,
    )  # fmt: skip
    return rule


def _release(rule: CheckInRule) -> None:
    if rule.held_at is not None:
        rule.held_at, rule.held_count = None, 0
        rule.save(update_fields=["held_at", "held_count"])


def _hold(rule: CheckInRule, *, count: int, now: datetime) -> None:
    """Send nothing and tell the course's teachers (once per hold) that the rule waits for a confirmation."""
    first = rule.held_at is None
    rule.held_at = rule.held_at or now
    rule.held_count = count
    rule.save(update_fields=["held_at", "held_count"])
    if not first:
        return
    audit.record(actor=None, verb="insights.check_in_rule_held", obj=rule, course_id=rule.course_id, count=count)
    teachers = policy.audience("edit", rule, course_selectors.staff_ids(rule.course))
    notify(
        recipients=teachers,
        kind=NotificationKind.CHECK_IN,
        title=ngettext(
            "Check-in rule “%(name)s” would reach %(n)s learner at once: confirm it first",
            "Check-in rule “%(name)s” would reach %(n)s learners at once: confirm it first",
            count,
        )
        % {"name": rule.name, "n": count},
        url=_rule_url(rule),
        key=f"check-in-rule:{rule.pk}:held:{rule.held_at.isoformat()}",
        course=rule.course,
        now=now,
    )


def _rule_url(rule: CheckInRule) -> str:
    return f"/courses/{rule.course.slug}/check-ins/rules/{rule.pk}/"


@dataclass(frozen=True)
class RunResult:
    sent: int = 0
    deferred: int = 0  # in their quiet hours: the next run after they end reaches them
    skipped: int = 0  # a placeholder without a value
    held: bool = False


def _rule_text(rule: CheckInRule) -> selectors.TemplateChoice | None:
    return selectors.template_choice(rule.sender, rule.course, rule.template_key)


def run_rule(*, rule: CheckInRule, now: datetime, confirmed: bool = False) -> RunResult:
    """Reach the learners the rule matches now, at most once per period each, outside their quiet hours; hold
    the run (send nothing, tell the teachers) when it would reach more than the threshold and nobody has
    confirmed. Each check-in is its own transaction: one learner's failure leaves the others sent."""
    with transaction.atomic():
        rule = CheckInRule.objects.select_for_update().select_related("course", "sender").get(pk=rule.pk)
        if not confirmed and (not rule.enabled or rule.held_at is not None):
            return RunResult(held=rule.held_at is not None)
        template = _rule_text(rule)
        if template is None or not policy.can(rule.sender, "answer", rule.course):
            logger.warning("check-in rule %s has no usable template or sender; skipped", rule.pk)
            return RunResult()
        recipients = list(selectors.rule_recipients(rule, template.body, now=now))
        sendable = [r for r in recipients if r.sendable]
        deferred = sum(1 for r in recipients if not r.filled.skipped and r.quiet_until is not None)
        skipped = sum(1 for r in recipients if r.filled.skipped)
        if len(sendable) > rule.confirm_over and not confirmed:
            _hold(rule, count=len(sendable), now=now)
            return RunResult(deferred=deferred, skipped=skipped, held=True)
        _release(rule)
        rule.last_run_at = now
        rule.save(update_fields=["last_run_at"])
    origin = check_ins.CheckInOrigin(
        source="rule", template_key=template.key, template_title=template.title, rule_id=rule.pk
    )
    period = int(now.timestamp() // (rule.period_days * 86400))
    sent = 0
    for recipient in sendable:
        assert recipient.filled.text is not None
        try:
            messaging.send_check_in(
                actor=rule.sender, course=rule.course, learner=recipient.user, body=recipient.filled.text, now=now,
                key=messaging.learner_key(f"rule:{rule.pk}:{period}", recipient.user.pk), origin=origin, throttled=False,
            )  # fmt: skip
        except (InvalidInput, NotAllowed):
            logger.warning("check-in rule %s could not reach learner %s", rule.pk, recipient.user.pk)
            continue
        sent += 1
    return RunResult(sent=sent, deferred=deferred, skipped=skipped)


def confirm_rule(*, actor: User, rule: CheckInRule, now: datetime) -> RunResult:
    """A teacher confirms a held rule: it reaches the learners it matches now (outside their quiet hours)."""
    policy.require(actor, "edit", rule)
    if rule.held_at is None:
        raise InvalidInput(_("This rule is not waiting for a confirmation."))
    audit.record(
        actor=actor, verb="insights.check_in_rule_confirmed", obj=rule, course_id=rule.course_id,
        count=rule.held_count,
    )  # fmt: skip
    return run_rule(rule=rule, now=now, confirmed=True)


def run_all_rules(*, now: datetime) -> int:
    """The hourly run: every enabled rule of every published course. Returns check-ins sent."""
    rules = CheckInRule.objects.filter(
        enabled=True, held_at__isnull=True, course__visibility=Visibility.PUBLISHED, course__removed_at__isnull=True
    )
    sent = 0
    for rule in rules.order_by("pk").iterator():
        try:
            sent += run_rule(rule=rule, now=now).sent
        except Exception:  # one rule's failure must not stop the others
            logger.exception("check-in rule %s failed", rule.pk)
    return sent
