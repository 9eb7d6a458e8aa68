"""Catalogue, course home, creating and editing courses, joining, invitations, preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence import policy
from cadence.access import (
    PREVIEW_SESSION_KEY,
    get_course,
    get_module,
    in_preview,
    shows_hidden,
    signed_in,
)
from cadence.accounts.models import User
from cadence.core.errors import DomainError
from cadence.core.htmx import render_page_or_fragment, vary_on_htmx
from cadence.core.rate import client_address
from cadence.courses import outline_cache, selectors, services
from cadence.courses.forms import CourseForm, JoinCodeForm
from cadence.courses.models import Course, Invitation, Item
from cadence.families import selectors as family_selectors
from cadence.progress import selectors as progress_selectors


@login_not_required
def catalogue(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    courses = selectors.catalogue(request.user, query=query)[:100]
    return render_page_or_fragment(
        request, "courses/catalogue.html", "catalogue-results", {"courses": courses, "query": query}
    )


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: continue where you left off, what is due, progress per course, recent activity, time this week."""
    user = signed_in(request)
    everything = selectors.my_courses(user, include_removed=True)
    memberships = [m for m in everything if m.course.removed_at is None]
    learning = [m.course_id for m in memberships if policy.learns_in(user, m.course_id)]
    last_course_id = progress_selectors.last_course_viewed(user, learning) or (learning[0] if learning else None)
    last_course = next((m.course for m in memberships if m.course_id == last_course_id), None)
    # Deleted courses are restored by their teachers (and site administrators); others are spared the query.
    may_restore = policy.is_admin(user) or any(
        m.course.removed_at is not None and policy.can(user, "restore", m.course) for m in everything
    )
    return render(
        request,
        "courses/home.html",
        {
            "memberships": memberships,
            "course_progress": progress_selectors.progress_by_course(user, learning),
            "continue_course": last_course,
            "next_step": progress_selectors.next_step(user, last_course) if last_course else None,
            "recent": progress_selectors.recent_activity(user) if learning else [],
            "due": progress_selectors.due_items(user, learning, now=timezone.now()) if learning else None,
            "week_minutes": progress_selectors.seconds_studied_this_week(user, now=timezone.now()) // 60,
            "is_learner": bool(learning),
            "join_form": JoinCodeForm(),
            "may_create": policy.can(user, "create_course"),
            "invitations": list(selectors.invitations_for(user, now=timezone.now())),
            "removed_courses": list(selectors.removed_courses(user)[:50]) if may_restore else [],
            # Families: an observer's way to the family page; a learner under 16 is told who follows them.
            "observes": any(policy.can(user, "follow", m.course) for m in memberships),
            "followers_notice": family_selectors.followers_notice(user, timezone.localdate()),
        },
    )


def course_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not policy.can(user, "create_course"):
        raise PermissionDenied
    form = CourseForm(request.POST or None, initial={"time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            course = services.create_course(actor=user, data=form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The course has been created. Add a first module."))
            return redirect("courses:course-detail", slug=course.slug)
    return render(request, "courses/course_form.html", {"form": form, "course": None})


def course_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "edit")
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        try:
            course = services.update_course(actor=user, course=course, data=data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The course has been saved."))
            return redirect("courses:course-detail", slug=course.slug)
    return render(request, "courses/course_form.html", {"form": form, "course": course})


@login_not_required
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "discover")
    if not policy.can(request.user, "view", course):
        # The same address answers htmx with the outline for members: say so to caches here too.
        return vary_on_htmx(
            render(
                request,
                "courses/course_about.html",
                {"course": course, "may_join": policy.can(request.user, "join", course), "join_form": JoinCodeForm()},
            )
        )
    include_hidden = shows_hidden(request, course)
    context: dict[str, object] = {
        "course": course,
        "may_edit": policy.can(request.user, "edit", course) and include_hidden,
        "may_preview": policy.can(request.user, "preview", course),
        "previewing": in_preview(request, course),
        "may_view_people": policy.can(request.user, "view_people", course) and include_hidden,
        "course_url": reverse("courses:course-detail", args=[course.slug]),
    }
    if include_hidden:  # staff editing: every entry, hidden ones too, with their tools
        outline = selectors.course_outline(course, include_hidden=True)
        context |= {"outline": outline, **_learner_context(request, course, outline)}
    else:  # what learners see, from the cached outline of this version and the viewer's overlay
        parts = outline_cache.learner_outline(course)
        learner, overlay = _outline_overlay(request, course, parts)
        context |= {
            "outline": parts,
            "module_rows": {m.pk: outline_cache.rows(m, overlay) for m in parts.modules},
            **learner,
        }
    return render_page_or_fragment(request, "courses/course_detail.html", "course-outline", context)


def _outline_overlay(
    request: HttpRequest, course: Course, parts: outline_cache.LearnerOutline
) -> tuple[dict[str, object], outline_cache.Overlay]:
    """The learner's progress, locks, deadlines and next step over the cached outline (a teacher previewing
    or an observer gets none, and sees how each deadline is set)."""
    user = request.user
    if not isinstance(user, User) or not policy.learns_in(user, course.pk):
        return {"progress": None, "availability": None, "next_step": None}, outline_cache.Overlay()
    progress = progress_selectors.course_progress(user, course, parts.learner_items())
    availability = progress_selectors.availability(
        user, course, completed_item_ids=progress.completed_item_ids, now=timezone.now()
    )
    overlay = outline_cache.Overlay(
        marks=True,
        completed=progress.completed_item_ids,
        review=progress.review_item_ids,
        item_locks=availability.item_locks,
        module_locks=availability.module_locks,
        deadlines=selectors.deadlines_for(user, parts.with_deadline()),
    )
    next_step = progress_selectors.next_step(user, course, progress, availability)
    return {"progress": progress, "availability": availability, "next_step": next_step}, overlay


def _learner_context(
    request: HttpRequest,
    course: Course,
    outline: selectors.Outline | None = None,
    *,
    shown_items: list[Item] | None = None,
) -> dict[str, object]:
    """Progress, release locks and the next step, for learners only (teachers and previews see none)."""
    user = request.user
    if not isinstance(user, User) or not policy.learns_in(user, course.pk):
        return {"progress": None, "availability": None, "next_step": None, "deadlines": None}
    # A learner's outline holds exactly the items progress counts, in order: no need to read them twice.
    items = (
        [(i.pk, m.pk, i.is_required) for m in outline.modules for i in m.items.all()]
        if outline is not None and not outline.include_hidden
        else None
    )
    progress = progress_selectors.course_progress(user, course, items)
    availability = progress_selectors.availability(
        user, course, completed_item_ids=progress.completed_item_ids, now=timezone.now()
    )
    if shown_items is None:
        shown_items = [i for m in outline.modules for i in m.items.all()] if outline is not None else []
    return {
        "progress": progress,
        "availability": availability,
        "next_step": progress_selectors.next_step(user, course, progress, availability),
        "deadlines": selectors.deadlines_for(user, shown_items),
    }


@require_POST
def course_join(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "discover")
    try:
        services.join_course(
            user=user,
            course=course,
            code=request.POST.get("code", ""),
            address=client_address(request),
            now=timezone.now(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("courses:course-detail", slug=course.slug)
    messages.success(request, _("You have joined %(course)s.") % {"course": course.title})
    return redirect("courses:course-detail", slug=course.slug)


def join_with_code(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.join_with_code(
                user=user, code=form.cleaned_data["code"], address=client_address(request), now=timezone.now()
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
            status = 429 if isinstance(exc, services.TooManyAttempts) else 400
        else:
            messages.success(request, _("You have joined %(course)s.") % {"course": membership.course.title})
            return redirect("courses:course-detail", slug=membership.course.slug)
    else:
        status = 400 if form.errors else 200
    return render(request, "courses/join_code.html", {"form": form}, status=status)


@login_not_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token, now=timezone.now())
    except DomainError as exc:
        return render(request, "courses/invitation.html", {"error": exc.message}, status=410)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.accept_invitation(user=signed_in(request), token=token, now=timezone.now())
        except DomainError as exc:
            return render(
                request,
                "courses/invitation.html",
                {"invitation": invitation, "token": token, "error": exc.message},
                status=exc.status_code,
            )
        messages.success(request, _("You have joined %(course)s.") % {"course": membership.course.title})
        return redirect("courses:course-detail", slug=membership.course.slug)
    return render(request, "courses/invitation.html", {"invitation": invitation, "token": token})


def _my_invitation(request: HttpRequest, pk: int) -> Invitation:
    """A pending invitation addressed to the signed-in person: 404 for anyone else's (never saying it exists)."""
    user = signed_in(request)
    invitation = selectors.invitations_for(user, now=timezone.now()).filter(pk=pk).first()
    if invitation is None or not policy.can(user, "respond", invitation):
        raise Http404
    return invitation


@require_POST
def my_invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _my_invitation(request, pk)
    try:
        membership = services.accept_my_invitation(user=signed_in(request), invitation=invitation, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    messages.success(request, _("You have joined %(course)s.") % {"course": membership.course.title})
    return redirect("courses:course-detail", slug=membership.course.slug)


@require_POST
def my_invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _my_invitation(request, pk)
    try:
        services.decline_invitation(user=signed_in(request), invitation=invitation, now=timezone.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You declined the invitation to %(course)s.") % {"course": invitation.course.title})
    return redirect("home")


@require_POST
def course_preview(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "preview")
    previewing: list[int] = list(request.session.get(PREVIEW_SESSION_KEY, []))
    if course.pk in previewing:
        previewing.remove(course.pk)
        messages.info(request, _("Preview ended. You see the course as its teacher again."))
    else:
        previewing.append(course.pk)
        messages.info(request, _("You are previewing the course as a learner sees it."))
    request.session[PREVIEW_SESSION_KEY] = previewing
    return redirect("courses:course-detail", slug=course.slug)


def module_detail(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    """One module on its own page: its items, and for learners their progress and locks."""
    course = get_course(request, slug, "view")
    module = get_module(request, course, module_id, "view")
    include_hidden = shows_hidden(request, course)
    outline = selectors.module_outline(module, include_hidden=include_hidden)
    return render(
        request,
        "courses/module_detail.html",
        {
            "course": course,
            "module": outline,
            "may_edit": policy.can(request.user, "edit", module) and include_hidden,
            "previewing": in_preview(request, course),
            "course_url": reverse("courses:course-detail", args=[course.slug]),
            **_learner_context(request, course, shown_items=list(outline.items.all())),
        },
    )
