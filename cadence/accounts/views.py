from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_signin_failures
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence import policy
from cadence.accounts import auth_events, services
from cadence.accounts.forms import ProfileForm, SignUpForm, TokenForm
from cadence.accounts.models import ApiToken, SignupMode, SiteSettings, User
from cadence.accounts.throttle import RESET_PER_ADDRESS, RESET_PER_RECIPIENT
from cadence.core.errors import DomainError, InvalidInput
from cadence.core.rate import client_address
from cadence.courses import services as course_services
from cadence.courses.models import Course


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    site = SiteSettings.current()
    invitation_token = request.GET.get("invitation") or request.POST.get("invitation") or ""
    invitation = None
    if invitation_token:
        try:
            invitation = course_services.invitation_for_token(invitation_token, now=timezone.now())
        except DomainError as exc:
            messages.error(request, exc.message)
            invitation_token = ""
    initial = {"email": invitation.email, "display_name": invitation.display_name} if invitation else {}
    form = SignUpForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code_course, code_error = _course_for_signup_code(request, data["code"])
        if code_error is not None:
            form.add_error("code", code_error.message)
            status = 429 if code_error.status_code == 429 else status
        elif site.signup_mode == SignupMode.INVITE and invitation is None and code_course is None:
            form.add_error("code", _("Sign-up on this site needs an enrolment code or an invitation from a teacher."))
        elif invitation is not None and data["email"] != invitation.email:
            form.add_error(
                "email",
                _("This invitation was sent to %(email)s; sign up with that address.") % {"email": invitation.email},
            )
        else:
            try:
                user = services.register_user(
                    email=data["email"],
                    password=data["password1"],
                    display_name=data["display_name"],
                    time_zone=data["time_zone"],
                    language=data["language"],
                )
            except DomainError as exc:
                form.add_error("email", exc.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return _after_signup(request, user, code=data["code"], invitation_token=invitation_token)
    return render(
        request,
        "accounts/signup.html",
        {
            "form": form,
            "invitation": invitation,
            "invitation_token": invitation_token,
            "invite_only": site.signup_mode == SignupMode.INVITE,
        },
        status=status,
    )


def _course_for_signup_code(request: HttpRequest, code: str) -> tuple[Course | None, DomainError | None]:
    """The course a code typed at sign-up opens; wrong codes count against the client's address."""
    if not code:
        return None, None
    now, address = timezone.now(), client_address(request)
    try:
        course_services.check_code_attempts(user_id=None, address=address, now=now)
    except DomainError as exc:
        return None, exc
    course = course_services.course_for_code(code)
    if course is None:
        course_services.count_wrong_code(user_id=None, address=address, now=now)
        return None, InvalidInput(_("No open course uses that enrolment code. Check it and try again."))
    return course, None


def _after_signup(request: HttpRequest, user: User, *, code: str, invitation_token: str) -> HttpResponse:
    try:
        if invitation_token:
            membership = course_services.accept_invitation(user=user, token=invitation_token, now=timezone.now())
        elif code:
            membership = course_services.join_with_code(
                user=user, code=code, address=client_address(request), now=timezone.now()
            )
        else:
            messages.success(request, _("Welcome to Cadence, %(name)s.") % {"name": user.display_name})
            return redirect("home")
    except DomainError as exc:
        messages.warning(request, exc.message)
        return redirect("home")
    messages.success(request, _("Welcome! You have joined %(course)s.") % {"course": membership.course.title})
    return redirect("courses:course-detail", slug=membership.course.slug)


def profile(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.changed_data}
        services.update_profile(user=request.user, data=data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def token_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    courses = policy.scope(request.user, "view", Course.objects.all()).order_by("title", "id")
    form = TokenForm(request.POST or None, courses=courses)
    issued = None
    now = timezone.now()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.create_api_token(
                user=request.user,
                name=data["name"],
                expires_in_days=data["expires_in_days"],
                access=data["access"],
                course=data["course"],
                now=now,
                address=client_address(request),
            )
        except DomainError as exc:
            form.add_error("name", exc.message)
        else:
            form = TokenForm(courses=courses)
    tokens = policy.scope(request.user, "manage", ApiToken.objects.select_related("course"))
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": tokens, "issued": issued, "now": now},
        status=400 if form.errors else 200,
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    token = get_object_or_404(policy.scope(request.user, "manage", ApiToken.objects.all()), pk=pk)
    services.revoke_api_token(actor=request.user, token=token, now=timezone.now(), address=client_address(request))
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect(reverse("accounts:token-list"))


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link, throttled per client address (a page saying so: it reveals nothing about
    accounts) and per recipient (silently: the page answers as usual and no email is sent, for known and
    unknown addresses alike, so neither the answer nor the throttle tells whether an account exists)."""

    def form_valid(self, form: Any) -> HttpResponse:
        now = timezone.now()
        address = client_address(self.request)
        if RESET_PER_ADDRESS.reached(address, now):
            response = render(self.request, "accounts/password_reset_throttled.html", {"minutes": 60}, status=429)
            response["Retry-After"] = str(RESET_PER_ADDRESS.retry_after(now))
            return response
        RESET_PER_ADDRESS.hit(address, now)
        email = str(form.cleaned_data["email"]).strip().lower()
        throttled = RESET_PER_RECIPIENT.reached(email, now)
        RESET_PER_RECIPIENT.hit(email, now)
        auth_events.record(
            "password_reset.requested",
            request=self.request,
            user_id=auth_events.account_id(email),
            throttled=throttled,
        )
        if throttled:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing the new password: audited, and the account's sign-in failures are forgotten (whoever holds
    the mailbox may sign in again at once)."""

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        user = self.user  # set by the parent's dispatch from the link
        auth_events.record("password_reset.completed", request=self.request, user_id=user.pk, actor=user)
        reset_signin_failures(username=user.email.lower())
        return response
