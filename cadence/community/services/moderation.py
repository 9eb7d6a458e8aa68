"""Staff moderation (pin, lock, hide, endorse, reports) and marking questions answered. Each action is audited."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from cadence import policy
from cadence.accounts.models import User
from cadence.community.models import Post, Report, ReportStatus, Thread
from cadence.community.services import common
from cadence.community.services.posting import thread_url
from cadence.core.audit import record
from cadence.core.errors import Conflict, InvalidInput
from cadence.courses import selectors as course_selectors
from cadence.notifications.models import Kind
from cadence.notifications.services import notify


@transaction.atomic
def set_pinned(*, actor: User, thread: Thread, pinned: bool) -> Thread:
    policy.require(actor, "moderate", thread)
    if thread.is_pinned != pinned:
        thread.is_pinned = pinned
        thread.save(update_fields=["is_pinned"])
        record(actor=actor, verb="community.thread_pinned" if pinned else "community.thread_unpinned", obj=thread,
               course_id=thread.course_id)  # fmt: skip
    return thread


@transaction.atomic
def set_locked(*, actor: User, thread: Thread, locked: bool) -> Thread:
    policy.require(actor, "moderate", thread)
    if thread.is_locked != locked:
        thread.is_locked = locked
        thread.save(update_fields=["is_locked"])
        record(actor=actor, verb="community.thread_locked" if locked else "community.thread_unlocked", obj=thread,
               course_id=thread.course_id)  # fmt: skip
    return thread


@transaction.atomic
def set_hidden(*, actor: User, post: Post, hidden: bool, now: datetime, reason: str = "") -> Post:
    policy.require(actor, "moderate", post)
    if post.is_hidden != hidden:
        post.hidden_at = now if hidden else None
        post.save(update_fields=["hidden_at"])
        record(actor=actor, verb="community.post_hidden" if hidden else "community.post_restored", obj=post,
               course_id=post.course_id, reason=reason[:300])  # fmt: skip
    return post


@transaction.atomic
def set_endorsed(*, actor: User, post: Post, endorsed: bool, now: datetime) -> Post:
    policy.require(actor, "moderate", post)
    thread = post.thread
    if not thread.forum.is_qa:
        raise Conflict(_("Only answers in a Q&A forum can be endorsed."))
    if post.is_opening:
        raise Conflict(_("Endorse an answer, not the question."))
    if post.is_deleted:
        raise Conflict(_("This post was deleted."))
    if post.is_endorsed == endorsed:
        return post
    post.is_endorsed = endorsed
    post.save(update_fields=["is_endorsed"])
    record(actor=actor, verb="community.answer_endorsed" if endorsed else "community.answer_unendorsed", obj=post,
           course_id=post.course_id)  # fmt: skip
    if endorsed:
        notify(recipients=policy.audience("view", post, [post.author_id]), kind=Kind.ENDORSED,
               title=_("Your answer in “%(title)s” was endorsed") % {"title": thread.title},
               url=thread_url(thread, post), key=f"post:{post.pk}:endorsed", actor=actor, course=thread.course,
               now=now)  # fmt: skip
        if thread.author_id != post.author_id:  # the asker learns that their question has an endorsed answer
            notify(recipients=policy.audience("view", post, [thread.author_id]), kind=Kind.ENDORSED,
                   title=_("An answer to your question “%(title)s” was endorsed") % {"title": thread.title},
                   url=thread_url(thread, post), key=f"post:{post.pk}:endorsed:asker", actor=actor,
                   course=thread.course, body=common.excerpt(post.body), now=now)  # fmt: skip
    return post


@transaction.atomic
def set_answered(*, actor: User, thread: Thread, answered: bool, now: datetime) -> Thread:
    policy.require(actor, "mark_answered", thread)
    if not thread.forum.is_qa:
        raise Conflict(_("Only questions in a Q&A forum can be marked answered."))
    if thread.is_answered == answered:
        return thread
    thread.is_answered = answered
    thread.save(update_fields=["is_answered"])
    if actor.pk != thread.author_id:
        record(actor=actor, verb="community.question_answered" if answered else "community.question_reopened",
               obj=thread, course_id=thread.course_id)  # fmt: skip
    if answered:
        notify(recipients=policy.audience("view", thread, [thread.author_id]), kind=Kind.ENDORSED,
               title=_("Your question “%(title)s” was marked answered") % {"title": thread.title},
               url=thread_url(thread), key=f"thread:{thread.pk}:answered", actor=actor, course=thread.course,
               now=now)  # fmt: skip
    return thread


@transaction.atomic
def report_post(*, actor: User, post: Post, reason: str, now: datetime) -> Report:
    policy.require(actor, "report", post)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why you are reporting this post."))
    if len(reason) > common.REASON_MAX:
        raise InvalidInput(_("The reason can be at most %(max)s characters.") % {"max": common.REASON_MAX})
    if Report.objects.filter(post=post, reporter=actor, status=ReportStatus.OPEN).exists():
        raise Conflict(_("You have already reported this post; the staff will look at it."))
    report = Report.objects.create(post=post, course=post.course, reporter=actor, reason=reason, created_at=now)
    notify(recipients=policy.audience("moderate", post, course_selectors.staff_ids(post.course)), kind=Kind.REPORT,
           title=_("A post in “%(title)s” was reported") % {"title": post.thread.title},
           url=reverse("community:report-list", args=[post.course.slug]), key=f"report:{report.pk}", actor=actor,
           course=post.course, body=common.excerpt(reason), now=now)  # fmt: skip
    return report


@transaction.atomic
def handle_report(*, actor: User, report: Report, status: str, now: datetime) -> Report:
    policy.require(actor, "moderate", report.course)
    if status not in (ReportStatus.RESOLVED, ReportStatus.DISMISSED):
        raise InvalidInput(_("Choose “resolved” or “dismissed”."))
    if report.status != ReportStatus.OPEN:
        raise Conflict(_("This report was already handled."))
    report.status, report.handled_by, report.handled_at = status, actor, now
    report.save(update_fields=["status", "handled_by", "handled_at"])
    record(actor=actor, verb=f"community.report_{status}", obj=report, course_id=report.course_id,
           post_id=report.post_id)  # fmt: skip
    return report
