"""Importing a roster from CSV: every bad row is reported by line number; nothing is half-imported."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import DomainError
from cadence.courses.models import Course, Group, Membership, Role
from cadence.courses.services.enrolment import invite

REQUIRED_COLUMNS = ("email", "name", "role", "group")
_ROLE_WORDS = {value: value for value in Role.values} | {
    "teaching assistant": Role.TA,
    "student": Role.LEARNER,
    "parent": Role.OBSERVER,
    "mentor": Role.OBSERVER,
}


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    name: str
    role: str
    group: str


@dataclass(frozen=True)
class RosterError:
    line: int
    message: str


@dataclass
class RosterResult:
    invited: list[str] = field(default_factory=list)
    grouped: list[str] = field(default_factory=list)


class RosterInvalid(DomainError):
    status_code = 422

    def __init__(self, errors: list[RosterError]) -> None:
        super().__init__(_("The roster has %(count)d problem(s); nothing was imported.") % {"count": len(errors)})
        self.errors = errors


def _decode(data: bytes) -> str:
    if len(data) > settings.ROSTER_MAX_BYTES:
        raise RosterInvalid([RosterError(0, _("The file is larger than 1 MB."))])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterInvalid([RosterError(0, _("The file is not a text (CSV) file."))])


def parse_roster(data: bytes) -> list[RosterRow]:
    """Parse and check every row; raise RosterInvalid listing all problems, or return the rows."""
    text = _decode(data)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise RosterInvalid([RosterError(1, _("The header row cannot be read: %(e)s") % {"e": exc})]) from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RosterInvalid(
            [
                RosterError(
                    1,
                    _("Missing column(s): %(cols)s. Expected: email, name, role, group.")
                    % {"cols": ", ".join(missing)},
                )
            ]
        )
    reader.fieldnames = header
    rows: list[RosterRow] = []
    errors: list[RosterError] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= settings.ROSTER_MAX_ROWS:
                errors.append(RosterError(line, _("Too many rows: at most %(n)d.") % {"n": settings.ROSTER_MAX_ROWS}))
                break
            if None in record:
                errors.append(RosterError(line, _("This row has more columns than the header.")))
                continue
            values = {k: (record.get(k) or "").strip() for k in REQUIRED_COLUMNS}
            if not any(values.values()):
                continue  # blank line
            row_errors = _check_row(values, line, seen)
            if row_errors:
                errors.extend(row_errors)
                continue
            seen[values["email"].lower()] = line
            rows.append(
                RosterRow(
                    line,
                    values["email"].lower(),
                    values["name"],
                    _ROLE_WORDS[values["role"].lower() or "learner"],
                    values["group"],
                )
            )
    except csv.Error as exc:
        errors.append(RosterError(reader.line_num, _("This line cannot be read as CSV: %(e)s") % {"e": exc}))
    if errors:
        raise RosterInvalid(errors)
    if not rows:
        raise RosterInvalid([RosterError(0, _("The file has no rows to import."))])
    return rows


def _check_row(values: dict[str, str], line: int, seen: dict[str, int]) -> list[RosterError]:
    errors = []
    try:
        validate_email(values["email"])
    except ValidationError:
        errors.append(RosterError(line, _("“%(v)s” is not an email address.") % {"v": values["email"][:100]}))
    if values["email"].lower() in seen:
        errors.append(
            RosterError(
                line,
                _("%(email)s is already on line %(other)d.")
                % {"email": values["email"], "other": seen[values["email"].lower()]},
            )
        )
    if len(values["name"]) > 100:
        errors.append(RosterError(line, _("The name is longer than 100 characters.")))
    if values["role"] and values["role"].lower() not in _ROLE_WORDS:
        errors.append(
            RosterError(line, _("“%(v)s” is not a role (teacher, ta, learner, observer).") % {"v": values["role"][:50]})
        )
    if len(values["group"]) > 100:
        errors.append(RosterError(line, _("The group name is longer than 100 characters.")))
    return errors


@transaction.atomic
def import_roster(*, actor: User, course: Course, data: bytes, now: datetime) -> RosterResult:
    policy.require(actor, "manage_people", course)
    rows = parse_roster(data)
    users = {u.email.lower(): u for u in User.objects.filter(email__in=[r.email for r in rows])}
    existing = {
        m.user_id: m
        for m in Membership.objects.filter(course=course, user__in=users.values()).prefetch_related("groups")
    }
    conflicts = [
        RosterError(
            row.line,
            _("%(email)s is already in the course as %(role)s; change their role on the People page.")
            % {"email": row.email, "role": existing[users[row.email].pk].get_role_display()},
        )
        for row in rows
        if row.email in users and users[row.email].pk in existing and existing[users[row.email].pk].role != row.role
    ]
    if conflicts:
        raise RosterInvalid(conflicts)

    groups = {g.name.lower(): g for g in Group.objects.filter(course=course)}
    result = RosterResult()
    for row in rows:
        group = None
        if row.group:
            group = groups.get(row.group.lower())
            if group is None:
                group = groups[row.group.lower()] = Group.objects.create(course=course, name=row.group)
        user = users.get(row.email)
        if user is not None and user.pk in existing:
            if group is not None:
                existing[user.pk].groups.add(group)
            result.grouped.append(row.email)
        else:
            # With or without an account, a person joins only by accepting: nobody is added without their say,
            # and the result never tells the teacher which addresses have accounts.
            invite(
                actor=actor, course=course, email=row.email, role=row.role, display_name=row.name, group=group, now=now
            )
            result.invited.append(row.email)
    audit.record(
        actor=actor,
        verb="roster.imported",
        obj=course,
        course_id=course.pk,
        invited=len(result.invited),
        grouped=len(result.grouped),
    )
    return result
