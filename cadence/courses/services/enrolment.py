"""Who is in a course: joining, invitations, adding people, roles, groups. (Observers are linked to learners
by `cadence.families.services`.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.email import queue_email
from cadence.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from cadence.core.rate import Limit
from cadence.core.tokens import digest, new_secret
from cadence.courses.models import (
    Course,
    EnrolmentMode,
    Group,
    Invitation,
    Membership,
    Role,
    Visibility,
)
from cadence.insights import services as insights_services


class InvitationInvalid(DomainError):
    status_code = 410


class TooManyAttempts(DomainError):
    status_code = 429


# Wrong enrolment codes are counted per user and per client address (in the shared cache, outside any
# transaction, so a refused join still counts). Right codes are never counted: a whole class joins from
# one school address at once.
CODE_FAILURES_PER_USER = Limit("courses:code:user", "ENROLMENT_CODE_FAILURES_PER_USER_HOURLY")
CODE_FAILURES_PER_ADDRESS = Limit("courses:code:address", "ENROLMENT_CODE_FAILURES_PER_ADDRESS_HOURLY")


def _code_counters(user_id: int | None, address: str) -> list[tuple[Limit, str]]:
    counters = []
    if user_id is not None:
        counters.append((CODE_FAILURES_PER_USER, str(user_id)))
    if address:
        counters.append((CODE_FAILURES_PER_ADDRESS, address))
    return counters


def check_code_attempts(*, user_id: int | None, address: str, now: datetime) -> None:
    """Refuse (429) before a code is even looked at once this user or address has tried too many wrong ones."""
    if any(limit.reached(subject, now) for limit, subject in _code_counters(user_id, address)):
        raise TooManyAttempts(
            _("Too many wrong enrolment codes have been tried. Wait an hour and try again, or ask your teacher.")
        )


def count_wrong_code(*, user_id: int | None, address: str, now: datetime) -> None:
    for limit, subject in _code_counters(user_id, address):
        limit.hit(subject, now)


def _valid_email(email: str) -> str:
    cleaned = email.strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError as exc:
        raise InvalidInput(_("“%(email)s” is not an email address.") % {"email": email[:100]}) from exc
    return cleaned


def _add_membership(
    *, actor: User | None, course: Course, user: User, role: str, groups: Sequence[Group] = ()
) -> Membership:
    if role not in Role.values:
        raise InvalidInput(_("“%(role)s” is not a role.") % {"role": role})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, course=course, role=role)
    except IntegrityError as exc:
        raise Conflict(_("%(name)s is already in this course.") % {"name": user.display_name}) from exc
    if groups:
        membership.groups.add(*groups)
    policy.forget_roles(user)
    audit.record(actor=actor or user, verb="membership.added", obj=membership, course_id=course.pk, role=role)
    insights_services.learner_changed(course_id=course.pk, user_id=user.pk)
    return membership


@transaction.atomic
def join_course(
    *, user: User, course: Course, code: str = "", address: str = "", now: datetime | None = None
) -> Membership:
    """A learner joins a published course that is open, or by code with the right code (wrong codes are
    throttled per user and per `address`, the client's)."""
    if not policy.can(user, "join", course):
        if policy.role_in(user, course.pk) is not None:
            raise Conflict(_("You are already in this course."))
        raise NotAllowed(_("This course is not open for joining."))
    if course.enrolment == EnrolmentMode.INVITATION:
        raise NotAllowed(_("This course is by invitation only."))
    if course.enrolment == EnrolmentMode.CODE:
        now = now or timezone.now()
        check_code_attempts(user_id=user.pk, address=address, now=now)
        if code.strip().upper() != course.enrolment_code.upper():
            count_wrong_code(user_id=user.pk, address=address, now=now)
            raise InvalidInput(_("That enrolment code is not right for this course."))
    return _add_membership(actor=user, course=course, user=user, role=Role.LEARNER)


def course_for_code(code: str) -> Course | None:
    """The published course that uses this enrolment code, if any."""
    cleaned = code.strip().upper()
    if not cleaned:
        return None
    return Course.objects.filter(
        enrolment_code__iexact=cleaned, enrolment=EnrolmentMode.CODE, visibility=Visibility.PUBLISHED
    ).first()


@transaction.atomic
def join_with_code(*, user: User, code: str, address: str = "", now: datetime | None = None) -> Membership:
    now = now or timezone.now()
    check_code_attempts(user_id=user.pk, address=address, now=now)
    course = course_for_code(code)
    if course is None:
        count_wrong_code(user_id=user.pk, address=address, now=now)
        raise InvalidInput(_("No open course uses that enrolment code. Check it and try again."))
    return join_course(user=user, course=course, code=code, address=address, now=now)


def _send_invitation(invitation: Invitation, token: str) -> None:
    link = f"{settings.SITE_URL}/invitations/{token}/"
    queue_email(
        to=invitation.email,
        subject=_("You are invited to %(course)s on Cadence") % {"course": invitation.course.title},
        template="courses/email/invitation.txt",
        context={"invitation": invitation, "link": link},
    )


@transaction.atomic
def invite(
    *,
    actor: User,
    course: Course,
    email: str,
    role: str = Role.LEARNER,
    display_name: str = "",
    group: Group | None = None,
    now: datetime,
) -> Invitation:
    policy.require(actor, "manage_people", course)
    if role not in Role.values:
        raise InvalidInput(_("“%(role)s” is not a role.") % {"role": role})
    email = _valid_email(email)
    token = new_secret()
    invitation = Invitation.objects.create(
        course=course,
        email=email,
        display_name=display_name,
        role=role,
        group=group,
        digest=digest(token),
        invited_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
    )
    audit.record(actor=actor, verb="invitation.sent", obj=invitation, course_id=course.pk, email=invitation.email)
    _send_invitation(invitation, token)
    return invitation


def _check_pending(invitation: Invitation, *, now: datetime) -> Invitation:
    if invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation has already been used."))
    if invitation.declined_at is not None:
        raise InvitationInvalid(_("This invitation was declined. Ask your teacher to send a new one."))
    if invitation.expires_at <= now:
        raise InvitationInvalid(_("This invitation has expired. Ask your teacher to send a new one."))
    if invitation.course.visibility == Visibility.ARCHIVED:
        raise InvitationInvalid(_("This course has been archived."))
    return invitation


def invitation_for_token(token: str, *, now: datetime) -> Invitation:
    """The pending invitation behind a token, or InvitationInvalid with the reason."""
    invitation = Invitation.objects.select_related("course").filter(digest=digest(token)).first()
    if invitation is None:
        raise InvitationInvalid(_("This invitation link is not valid. Ask your teacher for a new one."))
    return _check_pending(invitation, now=now)


def _locked_pending(invitation: Invitation, *, user: User, now: datetime) -> Invitation:
    invitation = _check_pending(
        Invitation.objects.select_for_update().select_related("course").get(pk=invitation.pk), now=now
    )
    if not policy.can(user, "respond", invitation):
        raise NotAllowed(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    return invitation


def _accept(*, user: User, invitation: Invitation, now: datetime) -> Membership:
    invitation = _locked_pending(invitation, user=user, now=now)
    groups = [invitation.group] if invitation.group else []
    membership = _add_membership(actor=user, course=invitation.course, user=user, role=invitation.role, groups=groups)
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def accept_invitation(*, user: User, token: str, now: datetime) -> Membership:
    """Accept through the emailed link."""
    return _accept(user=user, invitation=invitation_for_token(token, now=now), now=now)


@transaction.atomic
def accept_my_invitation(*, user: User, invitation: Invitation, now: datetime) -> Membership:
    """Accept in the app: a pending invitation addressed to the user's own email, listed on their home page."""
    return _accept(user=user, invitation=invitation, now=now)


@transaction.atomic
def decline_invitation(*, user: User, invitation: Invitation, now: datetime) -> Invitation:
    """The invitee says no: the invitation stops working and leaves their home page; the teacher sees it declined."""
    invitation = _locked_pending(invitation, user=user, now=now)
    invitation.declined_at = now
    invitation.save(update_fields=["declined_at"])
    audit.record(actor=user, verb="invitation.declined", obj=invitation, course_id=invitation.course_id)
    return invitation


@transaction.atomic
def add_person(
    *, actor: User, course: Course, email: str, role: str, display_name: str = "", now: datetime
) -> Invitation:
    """Add someone by email: they get an invitation to accept, whether or not they have an account yet (an
    account is never added without its owner's say, and the answer never tells whether the address has
    one). Someone already in the course is refused: the teacher sees the roster anyway."""
    policy.require(actor, "manage_people", course)
    email = _valid_email(email)
    member = Membership.objects.filter(course=course, user__email__iexact=email).select_related("user").first()
    if member is not None:
        raise Conflict(_("%(name)s is already in this course.") % {"name": member.user.display_name})
    return invite(actor=actor, course=course, email=email, role=role, display_name=display_name, now=now)


def _teacher_count(course: Course) -> int:
    return Membership.objects.filter(course=course, role=Role.TEACHER).count()


@transaction.atomic
def change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    policy.require(actor, "edit", membership)
    if role not in Role.values:
        raise InvalidInput(_("“%(role)s” is not a role.") % {"role": role})
    membership = Membership.objects.select_for_update().select_related("course").get(pk=membership.pk)
    if membership.role == Role.TEACHER and role != Role.TEACHER and _teacher_count(membership.course) <= 1:
        raise Conflict(_("A course needs at least one teacher. Add another teacher first."))
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        actor=actor, verb="membership.role_changed", obj=membership, course_id=membership.course_id, old=old, new=role
    )
    insights_services.learner_changed(course_id=membership.course_id, user_id=membership.user_id)
    return membership


@transaction.atomic
def remove_member(*, actor: User, membership: Membership) -> None:
    policy.require(actor, "edit", membership)
    membership = Membership.objects.select_for_update().select_related("course", "user").get(pk=membership.pk)
    if membership.role == Role.TEACHER and _teacher_count(membership.course) <= 1:
        raise Conflict(_("A course needs at least one teacher. Add another teacher first."))
    audit.record(
        actor=actor,
        verb="membership.removed",
        obj=membership,
        course_id=membership.course_id,
        user_id=membership.user_id,
        role=membership.role,
    )
    membership.delete()
    policy.forget_roles(membership.user)


@transaction.atomic
def create_group(*, actor: User, course: Course, name: str) -> Group:
    policy.require(actor, "manage_people", course)
    name = name.strip()
    if not name:
        raise InvalidInput(_("A group needs a name."))
    if len(name) > 100:
        raise InvalidInput(_("A group name can be at most 100 characters."))
    try:
        with transaction.atomic():
            group = Group.objects.create(course=course, name=name)
    except IntegrityError as exc:
        raise Conflict(_("This course already has a group called “%(name)s”.") % {"name": name}) from exc
    audit.record(actor=actor, verb="group.created", obj=group, course_id=course.pk)
    return group


@transaction.atomic
def set_groups(*, actor: User, membership: Membership, groups: Sequence[Group]) -> Membership:
    policy.require(actor, "edit", membership)
    if any(g.course_id != membership.course_id for g in groups):
        raise InvalidInput(_("Groups must belong to the same course."))
    membership.groups.set(groups)
    audit.record(
        actor=actor,
        verb="membership.groups_changed",
        obj=membership,
        course_id=membership.course_id,
        groups=[g.pk for g in groups],
    )
    return membership
