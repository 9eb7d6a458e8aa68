"""Insights' own tables: per-learner-per-course aggregates, each course's risk settings, course health snapshots,
weekly risk observations and each course's statistical risk model.

`LearnerStats` is derived data (recomputed from other apps' rows at any time), not learner work: it
follows its membership. Pages read it and nothing else; the services in `insights.services` keep it
current.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cadence.courses.models import Course, Membership, Module
from cadence.insights.domain import risk, risk_model
from cadence.insights.domain.stats import PaceStatus


class PaceChoice(models.TextChoices):
    AHEAD = PaceStatus.AHEAD.value, _("Ahead")
    ON_TRACK = PaceStatus.ON_TRACK.value, _("On track")
    BEHIND = PaceStatus.BEHIND.value, _("Behind")
    UNKNOWN = PaceStatus.UNKNOWN.value, _("No schedule")


class RiskLevel(models.TextChoices):
    LOW = risk.Level.LOW.value, _("Low")
    MEDIUM = risk.Level.MEDIUM.value, _("Medium")
    HIGH = risk.Level.HIGH.value, _("High")


class LearnerStats(models.Model):
    """One learner's figures in one course (one row per learner membership)."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="insight_stats")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(max_length=150, blank=True)  # copied for sorting without a join
    last_active_at = models.DateTimeField(null=True, blank=True)
    required_count = models.PositiveIntegerField(default=0)
    required_done = models.PositiveIntegerField(default=0)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    active_seconds_7d = models.PositiveIntegerField(default=0)
    # the latest whole weeks since joining (7 days each, ending today in the learner's zone), oldest first
    weekly_minutes = models.JSONField(default=list, blank=True)  # minutes active in each
    weekly_active_days = models.JSONField(default=list, blank=True)  # days active in each
    average_score = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    overdue_count = models.PositiveIntegerField(default=0)
    pace = models.CharField(max_length=16, choices=PaceChoice.choices, default=PaceChoice.UNKNOWN)
    pace_items = models.IntegerField(default=0)  # + ahead, - behind
    pace_days = models.IntegerField(default=0)  # + ahead, - behind (whole days, towards zero)
    posts_14d = models.PositiveIntegerField(default=0)
    questions_14d = models.PositiveIntegerField(default=0)
    last_submission_at = models.DateTimeField(null=True, blank=True)
    # ",3,7," : the modules the learner has opened an item of (filter "not started module X" with LIKE)
    started_modules = models.CharField(max_length=2000, default=",", blank=True)
    risk_score = models.PositiveSmallIntegerField(default=0)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    risk_reasons = models.JSONField(default=list, blank=True)  # plain-word reasons, strongest first
    risk_high_since = models.DateTimeField(null=True, blank=True)  # when the level last rose to high (None: not high)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["course", "display_name"], name="insights_stats_course_name"),
            models.Index(fields=["course", "risk_score"], name="insights_stats_course_risk"),
            models.Index(fields=["course", "last_active_at"], name="insights_stats_course_active"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} in course {self.course_id}"


class RiskSettings(models.Model):
    """A course's weights and thresholds for the rule model (defaults apply to anything not stored), and
    its planned duration for self-paced pacing."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="risk_settings")
    weights = models.JSONField(default=dict, blank=True)
    thresholds = models.JSONField(default=dict, blank=True)
    medium_at = models.PositiveSmallIntegerField(default=risk.DEFAULT_MEDIUM_AT)
    high_at = models.PositiveSmallIntegerField(default=risk.DEFAULT_HIGH_AT)
    planned_weeks = models.PositiveSmallIntegerField(
        _("planned duration (weeks)"),
        null=True,
        blank=True,
        help_text=_("Self-paced courses: how long a learner is expected to take from joining; sets the pace."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Risk settings of course {self.course_id}"

    def rules(self) -> risk.RiskSettings:
        return risk.RiskSettings.from_stored(self.weights, self.thresholds, self.medium_at, self.high_at)


class HealthSnapshot(models.Model):
    """A course's heavy health figures (funnel, weekly activity, video drop-off, revisits) for one scope of
    learners ("all", or a group-limited TA's groups), kept by the hourly refresh so the page reads one row."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=200)
    computed_at = models.DateTimeField()
    figures = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "scope"], name="one_health_snapshot_per_scope")]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.scope}"


class RiskObservation(models.Model):
    """A learner's rule-model indicator values as they were at one moment: the first refresh of each week
    writes one per learner, so a course keeps a compact history to train its statistical model on."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # the Monday (UTC) of the week observed
    observed_at = models.DateTimeField()
    values = models.JSONField()  # {indicator: value in its threshold's unit}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "week"], name="one_risk_observation_per_week")]
        indexes = [models.Index(fields=["course", "observed_at"], name="insights_obs_course_time")]

    def __str__(self) -> str:
        return f"{self.membership_id}:{self.week}"


class ModelKindChoice(models.TextChoices):
    RULES = risk_model.ModelKind.RULES.value, _("Rules")
    STATISTICAL = risk_model.ModelKind.STATISTICAL.value, _("Statistical")


class RiskModel(models.Model):
    """A course's latest training of its statistical model (or why it was not trained), both models' figures
    on the same held-out learners, and which model scores its learners. Coefficients are plain JSON."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="risk_model")
    trained_at = models.DateTimeField()
    in_use = models.CharField(max_length=12, choices=ModelKindChoice.choices, default=ModelKindChoice.RULES)
    why = models.CharField(max_length=24)  # a risk_model.Why code
    learners_stopped = models.PositiveIntegerField(default=0)
    learners_carried_on = models.PositiveIntegerField(default=0)
    fitted = models.JSONField(default=dict, blank=True)  # risk_model.FittedModel.stored(); {} when not trained
    figures = models.JSONField(default=dict, blank=True)  # {"statistical": …, "rules": …, "held_out_learners": n}

    def __str__(self) -> str:
        return f"risk model of course {self.course_id}: {self.in_use}"

    def model(self) -> risk_model.FittedModel | None:
        """The fitted model when it is the one in use (and readable), else None: the rules score."""
        if self.in_use != ModelKindChoice.STATISTICAL:
            return None
        return risk_model.FittedModel.from_stored(self.fitted)


# --- Check-ins: templates, automated rules and the log of every check-in sent ---------------------------
class CheckInTemplate(models.Model):
    """A course's own check-in text with placeholders (`messaging.domain.check_in_templates`); the built-in
    starting texts are not rows."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "title"], name="insights_check_in_template_title")]

    def __str__(self) -> str:
        return self.title

    @property
    def key(self) -> str:
        return f"course:{self.pk}"


class Trigger(models.TextChoices):
    INACTIVE = "inactive", _("Inactive for at least N days")
    OVERDUE = "overdue", _("An item overdue for at least N days")
    RISK = "risk", _("Risk level reached")
    NOT_STARTED = "not_started", _("Not started a module, N days after joining")


class CheckInRule(models.Model):
    """An automated check-in: who it is for (the trigger), what it says (a template key: `course:<id>` or
    `builtin:<key>`), from whom (the teacher who last saved it), and how often it may reach a learner.

    The hourly run sends nothing while `held_at` is set: it would have reached more than `confirm_over`
    learners at once, and waits for a teacher to confirm."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    trigger = models.CharField(_("when"), max_length=16, choices=Trigger.choices)
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, blank=True)
    module = models.ForeignKey(
        Module, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("module")
    )
    template_key = models.CharField(_("template"), max_length=40)
    period_days = models.PositiveSmallIntegerField(_("reach each learner at most once every (days)"), default=14)
    confirm_over = models.PositiveIntegerField(
        _("ask me to confirm when more than this many learners at once"), default=10
    )
    enabled = models.BooleanField(_("on"), default=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)
    held_count = models.PositiveIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="insights_check_in_rule_name")]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CAME_BACK = "came_back", _("Came back")
    NOT_BACK = "not_back", _("Not back within 7 days")


class Source(models.TextChoices):
    MANUAL = "manual", _("Written by hand")
    TEMPLATE = "template", _("From a template")
    RULE = "rule", _("Automated rule")


class CheckInLog(models.Model):
    """One check-in sent to one learner, and whether they came back (any activity) within 7 days.

    Written by `messaging.services.send_check_in` (through `insights.services.record_check_in`), which every
    path uses; the outcome is kept by the hourly refresh from `LearnerStats.last_active_at`."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message_id = models.PositiveBigIntegerField(unique=True)  # the messaging app's message (no cross-app FK)
    source = models.CharField(max_length=12, choices=Source.choices)
    template_key = models.CharField(max_length=40, blank=True)
    template_title = models.CharField(max_length=120, blank=True)
    rule = models.ForeignKey(CheckInRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.WAITING)
    came_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["course", "-sent_at"], name="insights_checkin_course_sent"),
            models.Index(fields=["rule", "learner", "sent_at"], name="insights_checkin_rule_learner"),
            models.Index(fields=["outcome", "sent_at"], name="insights_checkin_outcome"),
        ]

    def __str__(self) -> str:
        return f"check-in {self.message_id} to {self.learner_id}"
