from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadence.core.timezones import validate_time_zone
from cadence.courses.domain import accommodations, deadlines
from cadence.courses.domain.accommodations import MAX_EXTENSION_DAYS as MAX_ACCOMMODATION_DAYS
from cadence.courses.domain.accommodations import MAX_EXTRA_ATTEMPTS, MAX_MULTIPLIER, MIN_MULTIPLIER


class Pacing(models.TextChoices):
    SELF_PACED = "self_paced", _("Self-paced")
    COHORT = "cohort", _("Cohort (shared dates)")


class Visibility(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class EnrolmentMode(models.TextChoices):
    OPEN = "open", _("Open: anyone may join")
    CODE = "code", _("With an enrolment code")
    INVITATION = "invitation", _("By invitation only")


class Role(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    TA = "ta", _("Teaching assistant")
    LEARNER = "learner", _("Learner")
    OBSERVER = "observer", _("Observer")


STAFF_ROLES = frozenset({Role.TEACHER, Role.TA})


# --- Removal: structure is archived, never deleted, while learner work hangs on it ------------------
# A course, module or item that a teacher deletes gets `removed_at` (and `removed_by`): it vanishes from
# every page, list and API answer, and is kept whole, with all learner work, in the course archive until
# restored; only a site administrator purges it, after ARCHIVE_RETENTION_DAYS (cadence.courses.purge).
# This is not `Visibility.ARCHIVED`, which is a finished course its members may still read.
# `objects` lists live rows only (an item also needs a live module and course); `all_objects` lists every
# row and is for the archive, restoring and purging. Foreign keys (`submission.assignment.item`) still
# reach removed rows: the policy answers "no" for them.
class LiveCourseManager(models.Manager["Course"]):
    def get_queryset(self) -> models.QuerySet[Course]:
        return super().get_queryset().filter(removed_at__isnull=True)


class LiveModuleManager(models.Manager["Module"]):
    def get_queryset(self) -> models.QuerySet[Module]:
        return super().get_queryset().filter(removed_at__isnull=True, course__removed_at__isnull=True)


class LiveItemManager(models.Manager["Item"]):
    def get_queryset(self) -> models.QuerySet[Item]:
        return (
            super()
            .get_queryset()
            .filter(removed_at__isnull=True, module__removed_at__isnull=True, course__removed_at__isnull=True)
        )


class Course(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), max_length=20000, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    time_zone = models.CharField(_("course time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    pacing = models.CharField(_("pacing"), max_length=16, choices=Pacing.choices, default=Pacing.SELF_PACED)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.DRAFT, db_index=True
    )
    enrolment = models.CharField(
        _("enrolment"), max_length=16, choices=EnrolmentMode.choices, default=EnrolmentMode.OPEN
    )
    enrolment_code = models.CharField(_("enrolment code"), max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(_("removed (kept in the archive)"), null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised (in the same transaction) by every change to what the cached course-level parts show: the
    # course, its modules and items (`courses.versioning`). Never written by `save()`, which would put back
    # the number it read.
    version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = LiveCourseManager()
    all_objects = models.Manager["Course"]()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="course_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and kwargs.get("update_fields") is None:
            # Every field but the version: `versioning.bump` raises it in the database, and this copy's
            # number may be older than that.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "version"
            ]
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.visibility == Visibility.PUBLISHED


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(_("visible to learners"), default=True)
    removed_at = models.DateTimeField(_("removed (kept in the archive)"), null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    objects = LiveModuleManager()
    all_objects = models.Manager["Module"]()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["course", "position"], name="module_course_pos_idx")]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    LESSON = "lesson", _("Lesson")
    VIDEO = "video", _("Video")
    FILE = "file", _("File")
    LINK = "link", _("Link")
    QUIZ = "quiz", _("Quiz")
    ASSIGNMENT = "assignment", _("Assignment")
    DISCUSSION = "discussion", _("Discussion")
    CHECKLIST = "checklist", _("Checklist")


class CompletionRule(models.TextChoices):
    VIEWED = "viewed", _("Viewed")
    WATCHED = "watched", _("Watched at least a share of the video")
    CHECKLIST = "checklist", _("Every checklist step ticked")
    MARKED_DONE = "marked_done", _("Marked done by the learner")
    SUBMITTED = "submitted", _("Submitted")
    PASSED = "passed", _("Passed")


# Reading speed and fallbacks used to estimate an item's duration when the teacher gives none.
DEFAULT_MINUTES = {
    "lesson": 5, "video": 10, "file": 10, "link": 5, "quiz": 15,
    "assignment": 30, "discussion": 10, "checklist": 5,
}  # fmt: skip


class Item(models.Model):
    """The common base of everything a module holds. Item types add a one-to-one detail model."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="items")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("type"), max_length=16, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), max_length=20000, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(_("visible to learners"), default=True)
    is_required = models.BooleanField(
        _("counts towards progress"), default=True, help_text=_("Optional items do not count in the progress bar.")
    )
    completion_rule = models.CharField(
        _("complete when"), max_length=16, choices=CompletionRule.choices, default=CompletionRule.VIEWED
    )
    completion_threshold = models.PositiveSmallIntegerField(
        _("threshold (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("For “watched”: the share of the video; for “passed”: the lowest passing score."),
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1440)],
        help_text=_("Leave empty to estimate from the content (reading speed or running time)."),
    )
    # A deadline is one of three kinds (at most one is set; see cadence.courses.domain.deadlines).
    due_at = models.DateTimeField(
        _("due at a fixed moment"),
        null=True,
        blank=True,
        help_text=_("The same instant for everyone, typed in your time zone; each learner sees it in theirs."),
    )
    due_date = models.DateField(
        _("or due at the end of this day in each learner's own time zone"),
        null=True,
        blank=True,
    )
    due_after_days = models.PositiveSmallIntegerField(
        _("or due this many days after the learner joins"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text=_("For self-paced courses: at the end of that day in the learner's time zone."),
    )
    # Filled in by the item type from its content (words read, running time); used when the teacher gives none.
    derived_minutes = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(_("removed (kept in the archive)"), null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    objects = LiveItemManager()
    all_objects = models.Manager["Item"]()

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["module", "position"], name="item_module_pos_idx"),
            models.Index(fields=["course", "due_at"], name="item_course_due_idx", condition=Q(due_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        kinds = [v for v in (self.due_at, self.due_date, self.due_after_days) if v is not None]
        if len(kinds) > 1:
            raise ValidationError(_("Give one kind of deadline: a moment, a day, or a number of days after joining."))

    @property
    def has_deadline(self) -> bool:
        return self.due_at is not None or self.due_date is not None or self.due_after_days is not None

    @property
    def minutes(self) -> int:
        """The duration shown to learners and used for pacing."""
        return self.estimated_minutes or self.derived_minutes or DEFAULT_MINUTES.get(self.kind, 5)


class Group(models.Model):
    """A cohort or section inside a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="group_name_unique_in_course")]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def with_accommodations(self) -> MembershipQuerySet:
        """Each membership with its own accommodation and its groups' (for `effective_accommodation`):
        no query of its own, one for the groups."""
        groups = Group.objects.select_related("accommodation")
        return self.select_related("accommodation").prefetch_related(models.Prefetch("groups", queryset=groups))


class Membership(models.Model):
    """A person's role in one course."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.LEARNER)
    groups = models.ManyToManyField(Group, blank=True, related_name="memberships")
    # Observers (parents, mentors) see only the learners they are linked to.
    observed = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="observers")
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["course", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="membership_unique_per_course")]
        indexes = [models.Index(fields=["course", "role"], name="membership_course_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.course} · {self.get_role_display()}"

    @property
    def effective_accommodation(self) -> accommodations.Effective:
        """What applies to this learner: their own accommodation, else their groups' (load them with
        `Membership.objects.with_accommodations()`)."""
        own: Accommodation | None = getattr(self, "accommodation", None)  # reverse one-to-one: None if absent
        in_groups = [a for a in (getattr(g, "accommodation", None) for g in self.groups.all()) if a is not None]
        return accommodations.combine(own, in_groups)


class Invitation(models.Model):
    """An emailed invitation to join a course. The token is stored as a digest only."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    display_name = models.CharField(_("name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.LEARNER)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "accepted_at"], name="invitation_email_idx")]

    def __str__(self) -> str:
        return f"{self.email} → {self.course}"


class ExtensionKind(models.TextChoices):
    MOMENT = "moment", _("A fixed moment, in a time zone you choose")
    END_OF_DAY = "end_of_day", _("The end of a day in the learner's own time zone")
    DAYS = "days", _("A number of days added to the learner's own deadline")


class DeadlineExtension(models.Model):
    """A later deadline for one learner or one group. A learner's own extension wins over their groups';
    among groups, the latest applies. Each kind sets its own field (see `courses.domain.deadlines`)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="extensions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ExtensionKind.choices, default=ExtensionKind.MOMENT)
    due_at = models.DateTimeField(_("new deadline"), null=True, blank=True)
    # The zone a fixed moment was typed in, shown beside it ("" for extensions made before it was asked).
    time_zone = models.CharField(_("typed in time zone"), max_length=64, blank=True)
    due_date = models.DateField(_("end of this day in the learner's zone"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(
        _("days added"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, group__isnull=True) | Q(user__isnull=True, group__isnull=False),
                name="extension_for_a_learner_or_a_group",
            ),
            models.CheckConstraint(
                condition=Q(kind="moment", due_at__isnull=False, due_date__isnull=True, days__isnull=True)
                | Q(kind="end_of_day", due_at__isnull=True, due_date__isnull=False, days__isnull=True)
                | Q(kind="days", due_at__isnull=True, due_date__isnull=True, days__gte=1, days__lte=365),
                name="extension_sets_the_field_of_its_kind",
            ),
            models.UniqueConstraint(
                fields=["item", "user"], condition=Q(user__isnull=False), name="extension_one_per_learner"
            ),
            models.UniqueConstraint(
                fields=["item", "group"], condition=Q(group__isnull=False), name="extension_one_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"extension on {self.item_id}"

    def as_extension(self) -> deadlines.Extension:
        return deadlines.Extension(deadlines.ExtensionKind(self.kind), self.due_at, self.due_date, self.days)


class Accommodation(models.Model):
    """Adjustments for a learner with special educational needs, or for every learner of a group: more
    time on timed quizzes, extra attempts, a standing extension of every deadline. Staff see it beside
    the learner; classmates never; the learner only through its effect (see `courses.domain.accommodations`)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="accommodations")
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="accommodation"
    )
    group = models.OneToOneField(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="accommodation")
    time_multiplier = models.DecimalField(
        _("time on timed quizzes ×"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(MIN_MULTIPLIER), MaxValueValidator(MAX_MULTIPLIER)],
    )
    extra_attempts = models.PositiveSmallIntegerField(
        _("extra quiz attempts"), default=0, validators=[MaxValueValidator(MAX_EXTRA_ATTEMPTS)]
    )
    extension_days = models.PositiveSmallIntegerField(
        _("days added to every deadline"), default=0, validators=[MaxValueValidator(MAX_ACCOMMODATION_DAYS)]
    )
    note = models.CharField(_("note for staff"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(membership__isnull=False, group__isnull=True)
                | Q(membership__isnull=True, group__isnull=False),
                name="accommodation_for_a_learner_or_a_group",
            ),
            models.CheckConstraint(
                condition=Q(time_multiplier__gte=MIN_MULTIPLIER, time_multiplier__lte=MAX_MULTIPLIER)
                & Q(extra_attempts__lte=MAX_EXTRA_ATTEMPTS, extension_days__lte=MAX_ACCOMMODATION_DAYS),
                name="accommodation_values_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"accommodation {self.pk} in {self.course_id}"

    @property
    def effective(self) -> accommodations.Effective:
        return accommodations.Effective.of(self)
