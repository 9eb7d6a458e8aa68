"""The family pages: an observer's view of the learners they follow (read-only), asking to follow, and a
learner's own page of who follows them, where pending requests are confirmed or declined."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cadence import policy
from cadence.access import signed_in
from cadence.accounts.models import User
from cadence.core.errors import DomainError
from cadence.core.middleware import arrival_time
from cadence.courses.models import Course
from cadence.families import selectors, services
from cadence.families.forms import FollowRequestForm


def _follow_form(user: User, data: object = None) -> FollowRequestForm | None:
    courses = list(policy.scope(user, "follow", Course.objects.all()).order_by("title", "pk"))
    return FollowRequestForm(data, courses=courses) if courses else None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Every learner the observer follows, and only them; with one learner, that learner's page itself."""
    user = signed_in(request)
    views = selectors.family_views(user, now=arrival_time(request))
    return render(
        request,
        "families/family.html",
        {"views": views, "learners": [v.learner for v in views], "follow_form": _follow_form(user), "single": None},
    )


@require_GET
def learner(request: HttpRequest, learner_id: int) -> HttpResponse:
    user = signed_in(request)
    person = selectors.followed_learners(user).filter(pk=learner_id).first()
    if person is None:
        raise Http404  # not a learner this observer follows: nothing is revealed
    views = selectors.family_views(user, now=arrival_time(request), learner_ids=[person.pk])
    return render(
        request,
        "families/family.html",
        {"views": views, "learners": list(selectors.followed_learners(user)), "follow_form": None, "single": person},
    )


@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = _follow_form(user, request.POST)
    if form is None:
        raise Http404  # observes in no course
    if form.is_valid() and form.cleaned_data["course"] in form.courses:
        try:
            services.request_follow(
                actor=user,
                course=form.courses[form.cleaned_data["course"]],
                email=form.cleaned_data["email"],
                now=arrival_time(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "If that address belongs to a learner of the course, they have been asked. You will see them "
                    "here once they or a teacher confirm."
                ),
            )
    else:
        messages.error(request, _("Choose one of your courses and give the learner's email address."))
    return redirect("families:home")


@require_GET
def followers(request: HttpRequest) -> HttpResponse:
    """A learner's own page: who follows their work, and requests waiting for their answer."""
    user = signed_in(request)
    return render(
        request,
        "families/followers.html",
        {"followers": selectors.followers_of(user), "requests": selectors.requests_to_decide(user)},
    )


def _decide(request: HttpRequest, pk: int, *, confirm: bool) -> HttpResponse:
    user = signed_in(request)
    follow_request = selectors.request_for(user, pk, "view")
    if follow_request is None:
        raise Http404
    try:
        if confirm:
            services.confirm_request(actor=user, request=follow_request, now=arrival_time(request))
        else:
            services.decline_request(actor=user, request=follow_request, now=arrival_time(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        name = follow_request.observer.user.display_name
        messages.success(
            request,
            (_("%(name)s now follows this work.") if confirm else _("You declined %(name)s's request."))
            % {"name": name},
        )
    if follow_request.learner.user_id == user.pk:
        return redirect("families:followers")
    if policy.can(user, "manage_people", follow_request.learner.course):
        return redirect("courses:people", slug=follow_request.learner.course.slug)
    return redirect("families:home")


@require_POST
def request_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, confirm=True)


@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, confirm=False)
