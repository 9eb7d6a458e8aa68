"""The People page: roster, adding and inviting, CSV import, roles, groups, observers."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence import policy
from cadence.access import get_course, signed_in
from cadence.core.errors import DomainError
from cadence.courses import selectors, services
from cadence.courses.forms import AddPersonForm, GroupForm, RoleForm, RosterUploadForm
from cadence.courses.models import Course, Group, Membership
from cadence.families import selectors as family_selectors
from cadence.families import services as family_services


def _people_context(request: HttpRequest, course: Course) -> dict[str, object]:
    role = request.GET.get("role", "")
    query = request.GET.get("q", "")[:100]
    return {
        "course": course,
        "members": selectors.roster(course, role=role, query=query),
        "counts": selectors.role_counts(course),
        "groups": selectors.course_groups(course),
        "invitations": selectors.pending_invitations(course),
        "may_manage": policy.can(request.user, "manage_people", course),
        "follow_requests": family_selectors.pending_requests_in(course, signed_in(request)),
        # Who this person may write to or check in on, by membership id: the policy's scopes, one query each.
        "may_message": selectors.membership_ids_allowed(request.user, course, "message"),
        "may_check_in": selectors.membership_ids_allowed(request.user, course, "check_in"),
        # Beside each learner, for staff who may see it (a group-limited TA: their groups'), never classmates.
        "accommodations": selectors.accommodations_by_learner(request.user, course),
        "may_see_accommodations": policy.can(request.user, "view_accommodations", course),
        "role_filter": role,
        "query": query,
        "add_form": AddPersonForm(),
        "group_form": GroupForm(),
        "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]  # ChoiceField
    }


def people(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_course(request, slug, "view_people")
    context = _people_context(request, course)
    if context["may_manage"]:
        # Families: the course's observers and learners (rosters are data), to link one to another.
        context["observers"], context["learners"] = selectors.observers_and_learners(course)
    return render(request, "courses/people.html", context)


def _membership(course: Course, membership_id: int) -> Membership:
    membership = selectors.membership_in_course(course, membership_id)
    if membership is None:
        raise Http404
    return membership


@require_POST
def people_add(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "manage_people")
    form = AddPersonForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.add_person(actor=user, course=course, now=timezone.now(), **form.cleaned_data)
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            # The same answer whether or not the address has an account: the invitee accepts either way.
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("courses:people", slug=course.slug)
    context = _people_context(request, course) | {"add_form": form}
    return render(request, "courses/people.html", context, status=400)


def roster_import(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "manage_people")
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    errors: list[services.RosterError] = []
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_roster(actor=user, course=course, data=upload.read(), now=timezone.now())
        except services.RosterInvalid as exc:
            errors = exc.errors
            form.add_error("file", exc.message)
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "courses/roster_import.html",
        {"course": course, "form": form, "errors": errors, "result": result},
        status=status,
    )


@require_POST
def membership_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "manage_people")
    membership = _membership(course, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
    else:
        try:
            services.change_role(actor=user, membership=membership, role=form.cleaned_data["role"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(name)s's role has been changed.") % {"name": membership.user.display_name})
    return redirect("courses:people", slug=course.slug)


@require_POST
def membership_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "manage_people")
    membership = _membership(course, membership_id)
    try:
        services.remove_member(actor=user, membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(name)s has been removed from the course.") % {"name": membership.user.display_name}
        )
    return redirect("courses:people", slug=course.slug)


@require_POST
def membership_groups(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "manage_people")
    membership = _membership(course, membership_id)
    ids = [int(v) for v in request.POST.getlist("groups") if v.isdigit()]
    groups = list(Group.objects.filter(course=course, pk__in=ids))
    try:
        services.set_groups(actor=user, membership=membership, groups=groups)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Groups saved for %(name)s.") % {"name": membership.user.display_name})
    return redirect("courses:people", slug=course.slug)


@require_POST
def observer_link(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "manage_people")
    observer = _membership(course, membership_id)
    learner_id = request.POST.get("learner", "")
    learner = _membership(course, int(learner_id)) if learner_id.isdigit() else None
    if learner is None:
        messages.error(request, _("Choose a learner to link."))
    else:
        try:
            family_services.link_observer(actor=user, observer=observer, learner=learner, now=timezone.now())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(observer)s now follows %(learner)s.")
                % {"observer": observer.user.display_name, "learner": learner.user.display_name},
            )
    return redirect("courses:people", slug=course.slug)


@require_POST
def group_create(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "manage_people")
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            services.create_group(actor=user, course=course, name=form.cleaned_data["name"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Group created."))
    else:
        messages.error(request, _("A group needs a name of at most 100 characters."))
    return redirect("courses:people", slug=course.slug)


@require_POST
def code_regenerate(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in(request)
    course = get_course(request, slug, "manage_people")
    services.regenerate_enrolment_code(actor=user, course=course)
    messages.success(request, _("A new enrolment code has been made; the old one no longer works."))
    return redirect("courses:people", slug=course.slug)
