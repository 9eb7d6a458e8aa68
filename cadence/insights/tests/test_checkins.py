"""Check-ins from templates, automated rules and the check-in log: services, selectors and pages."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadence.accounts.models import User
from cadence.accounts.tests.factories import UserFactory
from cadence.core.errors import InvalidInput
from cadence.core.models import AuditEntry
from cadence.courses.models import Course, Membership, Role
from cadence.courses.tests.factories import CourseFactory, GroupFactory, ItemFactory, MembershipFactory, ModuleFactory
from cadence.insights import checkins_log
from cadence.insights import services_checkins as services
from cadence.insights.domain import check_ins
from cadence.insights.models import CheckInLog, CheckInRule, CheckInTemplate, Outcome
from cadence.insights.selectors import checkins as selectors
from cadence.insights.tests.factories import stats_for
from cadence.messaging import services as messaging_services
from cadence.messaging.models import Message
from cadence.notifications import services as notification_services
from cadence.notifications.models import Kind, Notification
from cadence.progress.models import ItemProgress

pytestmark = pytest.mark.django_db

# Noon UTC tomorrow: after every membership's join date, outside everyone's default quiet hours (21:00-07:00).
NOW = (timezone.now() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)


class Class:
    def __init__(self, learners: int = 2) -> None:
        self.course: Course = CourseFactory.create(
            title="Evidence", slug=f"evidence-{CourseFactory._meta.model.objects.count()}"
        )
        self.module = ModuleFactory(course=self.course, title="Week 1", position=0)
        self.lesson = ItemFactory(module=self.module, title="Why averages mislead", position=0)
        self.essay = ItemFactory(module=self.module, title="Essay <1>", position=1, due_at=NOW - timedelta(days=3))
        self.teacher: User = UserFactory.create(display_name="Ms Rivera")
        MembershipFactory(course=self.course, user=self.teacher, role=Role.TEACHER)
        self.memberships: list[Membership] = []
        for n in range(learners):
            m = MembershipFactory(course=self.course, role=Role.LEARNER, user=UserFactory(display_name=f"Learner{n} X"))
            self.memberships.append(m)

    @property
    def learners(self) -> list[User]:
        return [m.user for m in self.memberships]

    def opened(self, membership: Membership, when: dt.datetime) -> None:
        ItemProgress.objects.create(
            user=membership.user, item=self.lesson, course=self.course, first_viewed_at=when, last_viewed_at=when
        )


def _send(c: Class, body: str, learners: list[User] | None = None, key: str = "k1") -> services.Sent:
    return services.send_check_ins(
        actor=c.teacher, course=c.course, learners=learners or c.learners, body=body, now=NOW, key=key
    )


# --- Templates to chosen learners ---------------------------------------------------------------------------
def test_a_template_is_filled_for_each_learner_and_one_without_a_value_is_skipped_not_sent() -> None:
    c = Class()
    came, never = c.memberships
    stats_for(came, last_active_at=NOW - timedelta(days=4))
    stats_for(never, last_active_at=None)
    c.opened(came, NOW - timedelta(days=4))
    hello = selectors.template_choice(c.teacher, c.course, "builtin:pick-up")
    assert hello is not None
    sent = services.send_check_ins(
        actor=c.teacher, course=c.course, learners=c.learners, body=hello.body, now=NOW, key="k", template=hello
    )
    (message,) = sent.messages
    assert message.conversation.participants.filter(user=came.user).exists()
    assert "[Why averages mislead](/courses/" in message.body and "Learner0" in message.body
    assert [r.user for r in sent.skipped] == [never.user]
    assert sent.skipped[0].filled.reasons == ("{last_item}: has not opened any item yet",)
    (log,) = CheckInLog.objects.all()
    assert (log.learner, log.source, log.template_key, log.template_title) == (
        came.user, "template", "builtin:pick-up", hello.title,
    )  # fmt: skip
    assert log.outcome == Outcome.WAITING and log.sent_at == NOW


def test_overdue_titles_are_the_learners_own_and_stay_text() -> None:
    c = Class(learners=1)
    stats_for(c.memberships[0], last_active_at=NOW - timedelta(days=4))
    (message,) = _send(c, "Waiting: {overdue}").messages
    assert message.body == f"Waiting: [Essay \\<1\\>](/courses/{c.course.slug}/items/{c.essay.pk}/)"


def test_an_unknown_placeholder_is_refused_and_nothing_is_sent() -> None:
    c = Class()
    with pytest.raises(InvalidInput, match=r"Unknown placeholder \{frist_name\}"):
        _send(c, "Hi {frist_name}")
    assert not Message.objects.exists() and not CheckInLog.objects.exists()


def test_when_every_learner_would_be_skipped_nothing_is_sent_and_the_teacher_is_told() -> None:
    c = Class()
    with pytest.raises(InvalidInput, match="for every chosen learner a placeholder has no value"):
        _send(c, "You stopped at {last_item}")
    assert not Message.objects.exists()


def test_every_check_in_path_is_logged_and_audited_once() -> None:
    c = Class(learners=1)
    learner = c.learners[0]
    for _ in range(2):  # a retried form: the same key sends and logs once
        messaging_services.send_check_in(
            actor=c.teacher, course=c.course, learner=learner, body="Hi", now=NOW, key="same"
        )
    (log,) = CheckInLog.objects.all()
    assert (log.source, log.sender, log.rule) == ("manual", c.teacher, None)
    assert AuditEntry.objects.filter(verb="check_in", data__source="manual").count() == 1


# --- Automated rules -----------------------------------------------------------------------------------------
def _rule(c: Class, **fields: object) -> CheckInRule:
    values: dict[str, object] = {
        "name": "Gone quiet", "trigger": "inactive", "days": 5, "template_key": "builtin:quiet", "period_days": 14,
        "confirm_over": 10, "enabled": True, "sender": c.teacher, "updated_at": NOW,
    }  # fmt: skip
    return CheckInRule.objects.create(course=c.course, **(values | fields))


def test_an_inactivity_rule_reaches_each_quiet_learner_once_per_period_with_the_real_gap() -> None:
    c = Class()
    quiet, busy = c.memberships
    stats_for(quiet, last_active_at=NOW - timedelta(days=9))
    stats_for(busy, last_active_at=NOW - timedelta(minutes=10))
    rule = _rule(c)
    assert services.run_rule(rule=rule, now=NOW) == services.RunResult(sent=1)
    (message,) = Message.objects.all()
    assert "not been active in Evidence for 9 days" in message.body
    assert CheckInLog.objects.get().rule == rule
    assert services.run_rule(rule=rule, now=NOW + timedelta(hours=1)).sent == 0  # once per period
    stats_for(busy, last_active_at=NOW + timedelta(days=15))
    assert services.run_rule(rule=rule, now=NOW + timedelta(days=15)).sent == 1  # the next period


def test_a_rule_defers_a_learner_in_quiet_hours_and_reaches_them_when_they_end() -> None:
    c = Class(learners=1)
    stats_for(c.memberships[0], last_active_at=NOW - timedelta(days=9))
    night = NOW.replace(hour=23)
    assert services.run_rule(rule=_rule(c), now=night) == services.RunResult(deferred=1)
    assert not Message.objects.exists()
    preview = list(selectors.rule_recipients(_rule(c, name="again"), "Hi {first_name}", now=night))
    assert preview[0].quiet_until == (night + timedelta(days=1)).replace(hour=7)
    assert services.run_rule(rule=CheckInRule.objects.get(name="Gone quiet"), now=night + timedelta(hours=9)).sent == 1


def test_a_run_that_would_reach_more_than_allowed_is_held_until_a_teacher_confirms() -> None:
    c = Class(learners=3)
    for m in c.memberships:
        stats_for(m, last_active_at=NOW - timedelta(days=9))
    rule = _rule(c, confirm_over=2)
    assert services.run_rule(rule=rule, now=NOW) == services.RunResult(held=True)
    rule.refresh_from_db()
    assert rule.held_at == NOW and rule.held_count == 3 and not Message.objects.exists()
    told = Notification.objects.get(recipient=c.teacher, kind=Kind.CHECK_IN)
    assert "would reach 3 learners at once" in told.title
    assert services.run_all_rules(now=NOW + timedelta(hours=1)) == 0  # still held: nothing
    result = services.confirm_rule(actor=c.teacher, rule=rule, now=NOW + timedelta(hours=2))
    assert result.sent == 3 and Message.objects.count() == 3
    rule.refresh_from_db()
    assert rule.held_at is None
    assert AuditEntry.objects.filter(verb="insights.check_in_rule_confirmed").exists()


def test_switching_on_a_rule_that_would_reach_more_than_allowed_holds_it() -> None:
    c = Class(learners=3)
    for m in c.memberships:
        stats_for(m, last_active_at=NOW - timedelta(days=9))
    data = services.RuleInput(
        name="Quiet",
        spec=check_ins.RuleSpec("inactive", 5, "", None, period_days=14, confirm_over=2),
        template_key="builtin:quiet",
        enabled=True,
    )
    rule = services.save_rule(actor=c.teacher, course=c.course, data=data, now=NOW)
    assert rule.held_at == NOW and rule.held_count == 3
    assert AuditEntry.objects.filter(verb="insights.check_in_rule_saved", data__held=True).exists()


def test_an_overdue_rule_counts_days_from_the_learners_own_deadline() -> None:
    c = Class(learners=1)
    stats_for(c.memberships[0], last_active_at=NOW, overdue_count=1)
    assert (
        services.run_rule(rule=_rule(c, trigger="overdue", days=5, template_key="builtin:overdue"), now=NOW).sent == 0
    )
    rule = _rule(c, name="Two days", trigger="overdue", days=2, template_key="builtin:overdue")
    (recipient,) = selectors.rule_recipients(rule, "{overdue}", now=NOW)
    assert recipient.reason == "an item overdue for 3 days"


def test_a_risk_rule_reaches_that_level_and_higher() -> None:
    c = Class(learners=3)
    for m, level in zip(c.memberships, ("low", "medium", "high"), strict=True):
        stats_for(m, risk_level=level, last_active_at=NOW)
    rule = _rule(c, trigger="risk", days=None, risk_level="medium", template_key="builtin:hello")
    assert {r.user for r in selectors.rule_recipients(rule, "Hi", now=NOW)} == set(c.learners[1:])


def test_rule_settings_out_of_range_are_refused_with_the_reason() -> None:
    c = Class(learners=0)
    spec = check_ins.RuleSpec("not_started", 0, "", None, period_days=0, confirm_over=-1)
    data = services.RuleInput(name="", spec=spec, template_key="course:999", enabled=True)
    with pytest.raises(InvalidInput) as raised:
        services.save_rule(actor=c.teacher, course=c.course, data=data, now=NOW)
    for field in ("days", "module", "period_days", "confirm_over", "name", "template_key"):
        assert f"{field}:" in raised.value.message
    assert not CheckInRule.objects.exists()


# --- The log and its effect --------------------------------------------------------------------------------------
def test_the_log_says_who_came_back_within_7_days_and_waits_until_then() -> None:
    c = Class(learners=3)
    back, away, waiting = c.memberships
    for m in c.memberships:
        stats_for(m, last_active_at=NOW - timedelta(days=20))
    _send(c, "Hi {first_name}")
    stats_for(back, last_active_at=NOW + timedelta(days=2))
    stats_for(away, last_active_at=NOW + timedelta(days=8))  # came back, but too late to count
    assert checkins_log.refresh_outcomes(now=NOW + timedelta(days=3)) == 1
    assert CheckInLog.objects.get(learner=back.user).outcome == Outcome.CAME_BACK
    assert CheckInLog.objects.get(learner=waiting.user).outcome == Outcome.WAITING
    assert checkins_log.refresh_outcomes(now=NOW + timedelta(days=8)) == 2
    assert CheckInLog.objects.get(learner=away.user).outcome == Outcome.NOT_BACK
    assert CheckInLog.objects.get(learner=waiting.user).outcome == Outcome.NOT_BACK
    (effect,) = selectors.effect_by_template(c.teacher, c.course) or [None]
    assert effect is None  # written by hand: no template
    assert CheckInLog.objects.get(learner=back.user).came_back_at == NOW + timedelta(days=2)


def test_effect_per_rule_and_per_template_counts_sent_came_back_and_waiting() -> None:
    c = Class(learners=2)
    for m in c.memberships:
        stats_for(m, last_active_at=NOW - timedelta(days=9))
    rule = _rule(c)
    services.run_rule(rule=rule, now=NOW)
    stats_for(c.memberships[0], last_active_at=NOW + timedelta(days=1))
    checkins_log.refresh_outcomes(now=NOW + timedelta(days=1))
    (by_rule,) = selectors.effect_by_rule(c.teacher, c.course)
    assert (by_rule.label, by_rule.sent, by_rule.came_back, by_rule.waiting, by_rule.rate) == (
        "Gone quiet",
        2,
        1,
        1,
        100,
    )
    (by_template,) = selectors.effect_by_template(c.teacher, c.course)
    assert by_template.label == "Gone quiet" or by_template.label.startswith("Gone")  # the built-in's title
    assert by_template.sent == 2


# --- A TA limited to groups ---------------------------------------------------------------------------------------
def test_a_ta_limited_to_groups_checks_in_with_and_sees_the_log_of_only_their_groups_learners() -> None:
    c = Class(learners=2)
    red = GroupFactory(course=c.course, name="Red")
    mine, other = c.memberships
    mine.groups.add(red)
    ta = UserFactory(display_name="Tam")
    MembershipFactory(course=c.course, user=ta, role=Role.TA).groups.add(red)
    for m in c.memberships:
        stats_for(m, last_active_at=NOW - timedelta(days=9))
    with pytest.raises(InvalidInput):
        services.send_check_ins(actor=ta, course=c.course, learners=[other.user], body="Hi", now=NOW, key="a")
    _send(c, "Hi {first_name}")  # the teacher reaches both
    assert {r.learner for r in selectors.visible_log(ta, c.course)} == {mine.user}
    assert {r.learner for r in selectors.visible_log(c.teacher, c.course)} == {mine.user, other.user}


# --- Pages -------------------------------------------------------------------------------------------------------
def _compose_url(c: Class) -> str:
    return reverse("insights:check-in-compose", args=[c.course.slug])


@pytest.mark.parametrize("learners", [2, 6])
def test_the_composer_previews_each_learner_in_a_fixed_number_of_queries(
    client: Client, learners: int, django_assert_max_num_queries: object
) -> None:
    c = Class(learners=learners)
    for m in c.memberships:
        stats_for(m, last_active_at=NOW - timedelta(days=9))
    c.opened(c.memberships[0], timezone.now())
    client.force_login(c.teacher)
    ids = ",".join(str(u.pk) for u in c.learners)
    with django_assert_max_num_queries(24):  # type: ignore[operator]  # pytest-django's fixture is a context manager factory
        response = client.post(
            _compose_url(c), {"learners": ids, "template": "builtin:pick-up", "action": "template", "body": "x"}
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Why averages mislead</a>" in page
    assert page.count("has not opened any item yet") == learners - 1
    assert "learners are skipped" in page or learners - 1 == 1


def test_the_composer_sends_and_shows_the_log(client: Client) -> None:
    c = Class(learners=2)
    for m in c.memberships:
        stats_for(m, last_active_at=NOW - timedelta(days=9))
    client.force_login(c.teacher)
    ids = ",".join(str(u.pk) for u in c.learners)
    response = client.post(
        _compose_url(c), {"learners": ids, "template": "", "action": "send", "body": "Hi {first_name}", "key": "abc"},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0] == reverse("insights:check-in-log", args=[c.course.slug])
    assert "Check-in sent to 2 learners." in response.content.decode()
    assert set(Message.objects.values_list("body", flat=True)) == {"Hi Learner0", "Hi Learner1"}


def test_the_composer_reports_an_unknown_placeholder_next_to_the_text(client: Client) -> None:
    c = Class(learners=1)
    client.force_login(c.teacher)
    response = client.post(
        _compose_url(c), {"learners": str(c.learners[0].pk), "action": "send", "body": "Hi {name}", "key": "x"}
    )
    assert response.status_code == 400
    assert "Unknown placeholder {name}" in response.content.decode()
    assert not Message.objects.exists()


def test_a_template_with_an_unknown_placeholder_is_a_form_error(client: Client) -> None:
    c = Class(learners=0)
    client.force_login(c.teacher)
    url = reverse("insights:check-in-templates", args=[c.course.slug])
    response = client.post(url, {"title": "Nudge", "body": "Hi {firstname}"})
    assert response.status_code == 400 and "Unknown placeholder {firstname}" in response.content.decode()
    assert client.post(url, {"title": "Nudge", "body": "Hi {first_name}"}).status_code == 302
    template = CheckInTemplate.objects.get()
    assert (template.course, template.created_by) == (c.course, c.teacher)


def test_another_courses_templates_and_rules_are_not_found(client: Client) -> None:
    mine, theirs = Class(learners=0), Class(learners=0)
    template = CheckInTemplate.objects.create(course=theirs.course, title="T", body="Hi", updated_at=NOW)
    rule = _rule(theirs)
    client.force_login(mine.teacher)
    assert client.get(reverse("insights:check-in-template", args=[mine.course.slug, template.pk])).status_code == 404
    assert client.get(reverse("insights:check-in-rule", args=[mine.course.slug, rule.pk])).status_code == 404
    assert client.get(reverse("insights:check-in-log", args=[theirs.course.slug])).status_code == 403


@pytest.mark.parametrize("learners", [2, 8])
def test_the_log_page_costs_the_same_for_few_and_many_check_ins(
    client: Client, learners: int, django_assert_max_num_queries: object
) -> None:
    c = Class(learners=learners)
    for m in c.memberships:
        stats_for(m, last_active_at=NOW - timedelta(days=9))
    services.run_rule(rule=_rule(c, confirm_over=100), now=NOW)
    _send(c, "Hi {first_name}")
    client.force_login(c.teacher)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        response = client.get(reverse("insights:check-in-log", args=[c.course.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Waiting</td>") == 2 * learners and "Gone quiet" in page


@pytest.mark.parametrize("learners", [2, 8])
def test_the_rule_page_shows_who_it_would_reach_and_why_in_a_fixed_number_of_queries(
    client: Client, learners: int, django_assert_max_num_queries: object
) -> None:
    c = Class(learners=learners)
    for m in c.memberships:
        stats_for(m, last_active_at=timezone.now() - timedelta(days=9))
    rule = _rule(c)
    client.force_login(c.teacher)
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        response = client.get(reverse("insights:check-in-rule", args=[c.course.slug, rule.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("no activity for 9 days") == learners


def test_quiet_hours_are_each_learners_own(client: Client) -> None:
    c = Class(learners=1)
    learner = c.learners[0]
    notification_services.set_preferences(
        user=learner, timings={}, email_enabled=True, quiet_start=dt.time(9), quiet_end=dt.time(17),
        digest_time=dt.time(18), weekly_day=4,
    )  # fmt: skip
    stats_for(c.memberships[0], last_active_at=NOW - timedelta(days=9))
    assert services.run_rule(rule=_rule(c), now=NOW) == services.RunResult(deferred=1)
