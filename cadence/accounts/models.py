from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadence.core.timezones import validate_time_zone


def validate_birth_date(value: date) -> None:
    if value > timezone.localdate() or value.year < 1900:
        raise ValidationError(_("Give a date of birth between 1900 and today."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; `is_staff` is the only site-wide role (site administrator)."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("site administrator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Optional, private (shown to its owner and site administrators only): it decides whether a linked
    # observer (a parent) may ask for a copy of a learner's data, which the law allows below 16.
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_birth_date],
        help_text=_("Optional. Seen only by you and the site administrators."),
    )  # fmt: skip
    # The *Can add course* permission (own or through a group), kept current by `accounts.course_creators`.
    may_create_courses = models.BooleanField(default=False, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class TokenAccess(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A personal token for the REST API. Only a SHA-256 digest is stored; the secret is shown once.

    Every token expires (chosen at creation, at most a year), may be read-only, and may be limited to one
    course; the policy enforces the limits on every API request made with it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    access = models.CharField(_("access"), max_length=8, choices=TokenAccess.choices, default=TokenAccess.READ)
    # A token limited to a course goes with it: it must never widen to every course.
    course = models.ForeignKey(
        "courses.Course", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("course")
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def read_only(self) -> bool:
        return self.access == TokenAccess.READ

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class SignupMode(models.TextChoices):
    OPEN = "open", _("Anyone may create an account")
    INVITE = "invite", _("Only with an invitation or enrolment code")


class SiteSettings(models.Model):
    """Site-wide settings editable by administrators. There is one row (pk=1)."""

    signup_mode = models.CharField(_("sign-up"), max_length=16, choices=SignupMode.choices, default=SignupMode.OPEN)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(_("Site settings"))

    @classmethod
    def current(cls) -> SiteSettings:
        """The settings, or the defaults unsaved until an administrator saves them (a page view never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
