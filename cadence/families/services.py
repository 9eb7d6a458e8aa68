"""Writes: asking to follow a learner, a teacher linking an observer, confirming and declining requests.

Each runs in one transaction, asks the policy, writes an audit row and tells people through `notify`
(recipients through `policy.audience`). The grant is `Membership.observed`: it is added only when a request
is confirmed, so a pending request grants nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from cadence import policy
from cadence.accounts.models import User
from cadence.core import audit
from cadence.core.errors import Conflict, InvalidInput
from cadence.core.tasks import send_email
from cadence.courses.models import Course, Membership, Role
from cadence.families import selectors
from cadence.families.models import FollowRequest, RequestStatus, SummarySent
from cadence.notifications import selectors as notification_selectors
from cadence.notifications.models import Kind, Timing
from cadence.notifications.services import notify, unsubscribe_url
from cadence.privacy import selectors as privacy_selectors


def _learner_in(course: Course, email: str) -> Membership | None:
    email = email.strip()
    if not email:
        return None
    return (
        Membership.objects.filter(course=course, role=Role.LEARNER, user__email__iexact=email, user__is_active=True)
        .select_related("user", "course")
        .first()
    )


@transaction.atomic
def request_follow(*, actor: User, course: Course, email: str, now: datetime) -> FollowRequest | None:
    """An observer asks to follow the learner of `course` with this email address. The answer is the same
    whether or not such a learner exists (None when nothing was asked), so the form reveals nobody."""
    policy.require(actor, "follow", course)
    if len(email) > 254 or "@" not in email:
        raise InvalidInput(_("Give the learner's email address."))
    learner = _learner_in(course, email)
    observer = Membership.objects.filter(course=course, user=actor, role=Role.OBSERVER).first()
    if learner is None or observer is None:
        return None
    if observer.observed.filter(pk=learner.pk).exists():
        return None  # already following
    pending = FollowRequest.objects.filter(observer=observer, learner=learner, status=RequestStatus.PENDING).first()
    if pending is not None:
        return pending
    request = FollowRequest.objects.create(observer=observer, learner=learner, requested_by=actor, requested_at=now)
    audit.record(actor=actor, verb="follow.requested", obj=request, course_id=course.pk, learner=learner.pk)
    recipients = policy.audience("decide", request, [learner.user_id])
    with override(learner.user.language or None):
        notify(
            recipients=recipients,
            kind=Kind.FOLLOWERS,
            title=_("%(name)s asks to follow your work in %(course)s")
            % {"name": actor.display_name, "course": course.title},
            body=_("Confirm or decline on your followers page."),
            url=reverse("families:followers"),
            key=f"follow-request:{request.pk}",
            actor=actor,
            course=course,
            now=now,
        )
    return request


def _grant(*, actor: User, request: FollowRequest, now: datetime) -> None:
    """Confirm in place: the link is made, the observer told, and a learner under 16 told who follows them."""
    request.status = RequestStatus.CONFIRMED
    request.decided_by = actor
    request.decided_at = now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    request.observer.observed.add(request.learner)
    course = request.learner.course
    audit.record(actor=actor, verb="follow.confirmed", obj=request, course_id=course.pk, learner=request.learner_id)
    learner, observer = request.learner.user, request.observer.user
    if observer.pk != actor.pk:
        with override(observer.language or None):
            notify(
                recipients=policy.audience("view", request, [observer.pk]),
                kind=Kind.FOLLOWERS,
                title=_("You now follow %(name)s in %(course)s")
                % {"name": learner.display_name, "course": course.title},
                url=reverse("families:home"),
                key=f"follow-confirmed:{request.pk}",
                actor=actor,
                course=course,
                now=now,
            )
    if learner.pk != actor.pk and privacy_selectors.is_child(learner, timezone.localdate(now)):
        with override(learner.language or None):
            notify(
                recipients=policy.audience("view", request, [learner.pk]),
                kind=Kind.FOLLOWERS,
                title=_("%(name)s now follows your work in %(course)s")
                % {"name": observer.display_name, "course": course.title},
                body=_("They see your progress, deadlines, released grades and recent activity in this course."),
                url=reverse("families:followers"),
                key=f"follow-told:{request.pk}",
                actor=actor,
                course=course,
                now=now,
            )


def _locked(request: FollowRequest) -> FollowRequest:
    return (
        FollowRequest.objects.select_for_update()
        .select_related("observer__user", "learner__user", "learner__course")
        .get(pk=request.pk)
    )


@transaction.atomic
def confirm_request(*, actor: User, request: FollowRequest, now: datetime) -> FollowRequest:
    """The learner, or a teacher of the course, confirms a pending request: from now on the observer follows."""
    request = _locked(request)
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("This request has already been answered."))
    policy.require(actor, "decide", request)
    _grant(actor=actor, request=request, now=now)
    return request


@transaction.atomic
def decline_request(*, actor: User, request: FollowRequest, now: datetime) -> FollowRequest:
    """The learner, or a teacher of the course, declines a pending request: nothing is granted."""
    request = _locked(request)
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("This request has already been answered."))
    policy.require(actor, "decide", request)
    request.status = RequestStatus.DECLINED
    request.decided_by = actor
    request.decided_at = now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        verb="follow.declined",
        obj=request,
        course_id=request.learner.course_id,
        learner=request.learner_id,
    )
    return request


@transaction.atomic
def link_observer(*, actor: User, observer: Membership, learner: Membership, now: datetime) -> FollowRequest:
    """A teacher links an observer (a parent or mentor) to one learner of the same course: asked and
    confirmed by the teacher at once (a pending request between them is confirmed)."""
    policy.require(actor, "edit", observer)
    if observer.role != Role.OBSERVER or learner.role != Role.LEARNER:
        raise InvalidInput(_("Only an observer can be linked, and only to a learner."))
    if observer.course_id != learner.course_id:
        raise InvalidInput(_("The observer and the learner must be in the same course."))
    if observer.observed.filter(pk=learner.pk).exists():
        raise Conflict(
            _("%(observer)s already follows %(learner)s.")
            % {"observer": observer.user.display_name, "learner": learner.user.display_name}
        )
    request = FollowRequest.objects.filter(observer=observer, learner=learner, status=RequestStatus.PENDING).first()
    if request is None:
        request = FollowRequest.objects.create(observer=observer, learner=learner, requested_by=actor, requested_at=now)
        audit.record(actor=actor, verb="follow.requested", obj=request, course_id=learner.course_id, learner=learner.pk)
    _grant(actor=actor, request=_locked(request), now=now)
    audit.record(actor=actor, verb="observer.linked", obj=observer, course_id=observer.course_id, learner=learner.pk)
    return request


# --- The family summary email ---------------------------------------------------------------------------------
def send_family_summaries(*, now: datetime) -> int:
    """Send each observer whose summary is due (their digest time, weekly by default, in their own zone) one
    email about the learners they follow. Run every quarter hour by a huey task; idempotent per digest time.
    Who hears about a learner is `policy.audience("view_family", learner, ...)`. Returns how many were sent."""
    links = Membership.objects.filter(
        role=Role.OBSERVER, observed__isnull=False, user__is_active=True, course__removed_at__isnull=True
    ).values_list("user_id", "observed__user_id")
    observers_of: dict[int, set[int]] = {}
    for observer_id, learner_id in links:
        observers_of.setdefault(learner_id, set()).add(observer_id)
    learners = User.objects.in_bulk(list(observers_of))
    follows: dict[int, set[int]] = {}
    for learner_id, observer_ids in observers_of.items():
        for observer_id in policy.audience("view_family", learners[learner_id], observer_ids):
            follows.setdefault(observer_id, set()).add(learner_id)
    observers = list(User.objects.filter(pk__in=list(follows), is_active=True).order_by("pk"))
    due = notification_selectors.summaries_due(observers, Kind.FAMILY_SUMMARY, now=now)
    sent = 0
    for observer in observers:
        if observer.pk in due:
            slot, timing = due[observer.pk]
            sent += send_family_summary(
                observer=observer, learner_ids=sorted(follows[observer.pk]), slot=slot, timing=timing, now=now
            )
    return sent


@transaction.atomic
def send_family_summary(
    *, observer: User, learner_ids: Sequence[int], slot: datetime, timing: str, now: datetime
) -> int:
    """One observer's summary for one digest time: sent once (the `SummarySent` row), after commit."""
    if SummarySent.objects.filter(observer=observer, slot=slot).exists():
        return 0
    views = selectors.family_views(observer, now=now, learner_ids=learner_ids)
    if not views:
        return 0
    _, created = SummarySent.objects.get_or_create(
        observer=observer, slot=slot, defaults={"sent_at": now, "learner_count": len(views)}
    )
    if not created:
        return 0  # a second worker got there first
    subject, body = summary_email(observer=observer, views=views, timing=timing, now=now)
    address = observer.email
    transaction.on_commit(lambda: send_email(subject=subject, body=body, to=[address]))
    return 1


def summary_email(
    *, observer: User, views: Sequence[selectors.LearnerFamilyView], timing: str, now: datetime
) -> tuple[str, str]:
    """The subject and plain-text body, in the observer's language and time zone: per learner, progress,
    items done in the period, due soon and overdue, grades newly released in the period."""
    period = timedelta(days=7 if timing == Timing.WEEKLY else 1)
    since = now - period
    zone = observer.time_zone or "UTC"
    names = ", ".join(v.learner.display_name for v in views)
    with override(observer.language or settings.LANGUAGE_CODE), timezone.override(ZoneInfo(zone)):
        if timing == Timing.WEEKLY:
            subject = _("Your weekly family summary: %(names)s") % {"names": names}
        else:
            subject = _("Your daily family summary: %(names)s") % {"names": names}
        learners = [
            {
                "view": v,
                "done": [a for a in v.activity if a.verb == "completed" and a.when >= since],
                "new_grades": [g for g in v.grades if g.when >= since],
                "url": settings.SITE_URL + reverse("families:learner", args=[v.learner.pk]),
            }
            for v in views
        ]
        body = render_to_string(
            "families/email/summary.txt",
            {
                "observer": observer,
                "learners": learners,
                "weekly": timing == Timing.WEEKLY,
                "zone": zone,
                "count": len(views),
                "period_days": period.days,
                "unsubscribe_url": unsubscribe_url(observer.pk, Kind.FAMILY_SUMMARY),
                "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
                "heading": ngettext(
                    "How the learner you follow is doing", "How the %(n)d learners you follow are doing", len(views)
                )
                % {"n": len(views)},
            },
        )
    return subject, body
