"""Assessment: the course question bank, and quizzes with their attempts.

A question's content lives in `definition` (a `QuestionDef` as JSON): one shape for the bank, GIFT,
grading and attempts. An attempt copies each question's definition when it starts, so editing or
archiving a bank question never changes an attempt already begun, nor its grade.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadence.assessment.domain import scores
from cadence.assessment.domain.definitions import QuestionDef, QuestionType
from cadence.courses.models import Course, Item


class QuestionCategory(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="question_category_unique")]

    def __str__(self) -> str:
        return self.name


class Concept(models.Model):
    """An idea a question practises ("median", "tidy data"); names are lower-case, unique in a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="concept_unique_in_course")]

    def __str__(self) -> str:
        return self.name


QTYPE_CHOICES = [
    (QuestionType.SINGLE.value, _("Single choice")),
    (QuestionType.MULTIPLE.value, _("Multiple response")),
    (QuestionType.TRUE_FALSE.value, _("True or false")),
    (QuestionType.SHORT.value, _("Short answer")),
    (QuestionType.NUMERIC.value, _("Numeric")),
    (QuestionType.MATCHING.value, _("Matching")),
    (QuestionType.ORDERING.value, _("Ordering")),
    (QuestionType.ESSAY.value, _("Essay (graded by hand)")),
]


class Question(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        QuestionCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    concepts = models.ManyToManyField(Concept, blank=True, related_name="questions")
    qtype = models.CharField(_("type"), max_length=16, choices=QTYPE_CHOICES)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("question"))  # copied from the definition, for lists and search
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, default=Decimal(1))
    definition = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["course", "is_archived", "category"], name="question_course_cat_idx")]

    def __str__(self) -> str:
        return self.title or self.text[:60]

    def as_def(self) -> QuestionDef:
        return QuestionDef.from_json(self.definition)


# --- Quizzes -------------------------------------------------------------------------------------------
class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")
    AVERAGE = "average", _("Average of attempts")
    FIRST = "first", _("First attempt")


class FeedbackTiming(models.TextChoices):
    IMMEDIATE = "immediate", _("Straight after each answer")
    AFTER_SUBMIT = "after_submit", _("After the attempt is submitted")
    AFTER_DUE = "after_due", _("After the due date")


class Quiz(models.Model):
    item = models.OneToOneField(Item, on_delete=models.CASCADE, primary_key=True, related_name="quiz")
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 means as many as the learner likes.")
    )
    grading_method = models.CharField(
        _("grade from"), max_length=16, choices=GradingMethod.choices, default=GradingMethod.HIGHEST
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle answers"), default=True)
    feedback_timing = models.CharField(
        _("show feedback"), max_length=16, choices=FeedbackTiming.choices, default=FeedbackTiming.IMMEDIATE
    )
    show_right_answers = models.BooleanField(_("show the right answers with the feedback"), default=True)
    grace_seconds = models.PositiveSmallIntegerField(
        _("grace period (seconds)"),
        default=60,
        validators=[MaxValueValidator(600)],
        help_text=_("Answers already on their way when time runs out are still accepted for this long."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"quiz {self.item_id}"


class QuizSlot(models.Model):
    """One place in a quiz: a fixed question, or `draw` questions drawn at random from a category or concept."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveIntegerField(default=0)
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(QuestionCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    concept = models.ForeignKey(Concept, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    draw = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(50)])

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False) | Q(category__isnull=False) | Q(concept__isnull=False),
                name="slot_has_a_source",
            )
        ]

    def __str__(self) -> str:
        return f"slot {self.position} of {self.quiz_id}"


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class Attempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS)
    started_at = models.DateTimeField()
    # When answers stop being accepted (time limit or the quiz closing), before the grace period.
    ends_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=16, blank=True)  # "learner", or "time" when the server closed it
    score = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    needs_grading = models.BooleanField(default=False)  # an essay waits for a person

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user", "number"], name="attempt_number_unique"),
            # At most one open attempt per learner and quiz, even with two tabs starting at once.
            models.UniqueConstraint(
                fields=["quiz", "user"], condition=Q(state="in_progress"), name="attempt_one_open_per_quiz"
            ),
        ]
        indexes = [models.Index(fields=["state", "ends_at"], name="attempt_state_ends_idx")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.user_id} on {self.quiz_id}"

    @property
    def percent(self) -> Decimal | None:
        """The unrounded percent (`scores.percent`); pages show `shown_percent`."""
        return scores.percent(self.score, self.max_score)

    @property
    def shown_percent(self) -> Decimal | None:
        return scores.shown_or_none(self.percent)


class AttemptQuestion(models.Model):
    """A question as it was when the attempt began, the order its answers were shown in, and the answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    definition = models.JSONField()
    option_order = models.JSONField(default=list)  # shown position → the definition's option index
    points = models.DecimalField(max_digits=7, decimal_places=2)
    response = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)  # when the request carrying the answer arrived
    # The client's counter (microseconds since 1970, so it grows across reloads): an older autosave loses.
    sequence = models.PositiveBigIntegerField(default=0)
    fraction = models.DecimalField(max_digits=6, decimal_places=5, null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    checked = models.BooleanField(default=False)  # the learner asked for immediate feedback: answer locked
    # Essays: graded by a person.
    comment = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="attempt_question_position")]

    def __str__(self) -> str:
        return f"question {self.position} of attempt {self.attempt_id}"

    @property
    def manual_points(self) -> Decimal | None:
        """The points a person gave (essays), for the grading form."""
        if self.graded_at is None:
            return None
        return scores.question_points(self.points, self.fraction)

    def as_def(self) -> QuestionDef:
        return QuestionDef.from_json(self.definition)


# --- Assignments -----------------------------------------------------------------------------------------
class LatePolicy(models.TextChoices):
    FLAG = "flag", _("Accept, marked late")
    PENALTY = "penalty", _("Accept with a penalty per day late")
    CLOSE = "close", _("Close at the due time")


class GradeRelease(models.TextChoices):
    IMMEDIATE = "immediate", _("As soon as each is graded")
    MANUAL = "manual", _("All together, when the teacher releases them")


class Assignment(models.Model):
    item = models.OneToOneField(Item, on_delete=models.CASCADE, primary_key=True, related_name="assignment")
    instructions = models.TextField(_("instructions"), blank=True, max_length=50000)
    accept_text = models.BooleanField(_("text typed in Cadence"), default=True)
    accept_files = models.BooleanField(_("files"), default=True)
    accept_url = models.BooleanField(_("a web address"), default=False)
    max_files = models.PositiveSmallIntegerField(
        _("at most this many files"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    max_file_mb = models.PositiveSmallIntegerField(
        _("largest file (MB)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_("After this moment nothing more is accepted, late or not (extensions do not pass it)."),
    )
    late_policy = models.CharField(_("late work"), max_length=16, choices=LatePolicy.choices, default=LatePolicy.FLAG)
    penalty_percent_per_day = models.DecimalField(
        _("penalty per day late (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    allow_resubmission = models.BooleanField(_("learners may resubmit until the due time"), default=True)
    max_points = models.DecimalField(
        _("points"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    grade_release = models.CharField(
        _("release grades"), max_length=16, choices=GradeRelease.choices, default=GradeRelease.MANUAL
    )
    rubric = models.ForeignKey(
        "Rubric", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("rubric")
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"assignment {self.item_id}"


class AssignmentDraft(models.Model):
    """Text and address a learner is still writing, saved as they type; never graded."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    url = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "user"], name="draft_one_per_learner")]

    def __str__(self) -> str:
        return f"draft of {self.user_id} on {self.assignment_id}"


class Submission(models.Model):
    """One submission (a learner may resubmit: each is kept, numbered). Never changed once stored."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    url = models.CharField(max_length=1000, blank=True)
    submitted_at = models.DateTimeField()  # the time of record: when the request arrived
    deadline_at = models.DateTimeField(null=True, blank=True)  # the learner's deadline then
    late_seconds = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=64)
    text_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["assignment", "user", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user", "number"], name="submission_number_unique"),
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="submission_idempotent"),
        ]
        indexes = [models.Index(fields=["assignment", "submitted_at"], name="submission_assign_time_idx")]

    def __str__(self) -> str:
        return f"submission {self.number} of {self.user_id} on {self.assignment_id}"

    @property
    def is_late(self) -> bool:
        return self.late_seconds > 0


def submission_path(instance: SubmissionFile, filename: str) -> str:
    import uuid
    from pathlib import PurePosixPath

    suffix = PurePosixPath(filename).suffix.lower()[:8]
    course_id = instance.submission.assignment.item.course_id
    return f"submissions/course-{course_id}/{uuid.uuid4().hex}{suffix}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=submission_path, max_length=255)
    filename = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


# --- Rubrics and grades ---------------------------------------------------------------------------------
class Rubric(models.Model):
    """Criteria × levels, reusable across a course's assignments."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    source = models.TextField(_("criteria and levels"), help_text=_("As written in the editor, kept to edit again."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def max_points(self) -> Decimal:
        return sum((c.max_points for c in self.criteria.all()), Decimal(0))


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["rubric", "position"]

    def __str__(self) -> str:
        return self.title

    @property
    def max_points(self) -> Decimal:
        return max((level.points for level in self.levels.all()), default=Decimal(0))


class RubricLevel(models.Model):
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField()
    points = models.DecimalField(max_digits=7, decimal_places=2)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion", "position"]

    def __str__(self) -> str:
        return f"{self.title} ({self.points})"


class Grade(models.Model):
    """A grade and feedback for one submission. Changing it is audited (old and new value)."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="grade")
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    raw_points = models.DecimalField(max_digits=7, decimal_places=2)
    penalty_points = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal(0))
    points = models.DecimalField(max_digits=7, decimal_places=2)  # after the late penalty
    comment = models.TextField(blank=True)
    criteria = models.JSONField(default=dict, blank=True)  # criterion id → {"level": id, "points": "x", "comment": ""}
    graded_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["released_at"], name="grade_released_idx")]

    def __str__(self) -> str:
        return f"grade of submission {self.submission_id}"


def feedback_path(instance: FeedbackFile, filename: str) -> str:
    import uuid
    from pathlib import PurePosixPath

    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"feedback/course-{instance.grade.submission.assignment.item.course_id}/{uuid.uuid4().hex}{suffix}"


class FeedbackFile(models.Model):
    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=feedback_path, max_length=255)
    filename = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return self.filename


# --- Gradebook ------------------------------------------------------------------------------------------
DEFAULT_LETTERS = [[90, "A"], [80, "B"], [70, "C"], [60, "D"], [0, "F"]]


class GradebookSettings(models.Model):
    course = models.OneToOneField(Course, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # [[lowest percent, letter], …] from the highest; a total gets the first letter whose bound it reaches.
    letter_scheme = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"gradebook of {self.course_id}"


class GradeCategory(models.Model):
    """A weighted group of graded items ("Quizzes 30 %"), optionally dropping each learner's lowest."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    drop_lowest = models.PositiveSmallIntegerField(_("drop the lowest"), default=0, validators=[MaxValueValidator(20)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="grade_category_unique")]

    def __str__(self) -> str:
        return self.name


class GradedItem(models.Model):
    """Where a quiz or assignment counts in the gradebook."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, primary_key=True, related_name="gradebook")
    category = models.ForeignKey(GradeCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    # An archived (removed) quiz or assignment stays in the gradebook as an archived column; it counts in
    # categories and totals only when the teacher says so.
    counts_when_archived = models.BooleanField(_("still counts while archived"), default=False)

    def __str__(self) -> str:
        return f"gradebook entry of {self.item_id}"


class GradeOverride(models.Model):
    """A teacher's grade for one learner and item that replaces the computed one, with the reason."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    percent = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="grade_override_once")]

    def __str__(self) -> str:
        return f"override for {self.user_id} on {self.item_id}"
