"""The notification centre, preferences and the one-click unsubscribe page (which needs no sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cadence.access import signed_in
from cadence.accounts.models import User
from cadence.core.errors import DomainError
from cadence.notifications import selectors, services, unsubscribe
from cadence.notifications.forms import PreferencesForm
from cadence.notifications.models import Kind, Notification

PER_PAGE = 30


def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.notifications_for(user, unread_only=unread_only), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/notification_list.html", {"page": page, "unread_only": unread_only})


def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    user = signed_in(request)
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is None:
        raise Http404
    services.mark_read(user=user, notification_ids=[notification.pk])
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:list"
    return redirect(target)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if request.POST.get("all") == "1":
        count = services.mark_read(user=user, now=timezone.now())
        messages.success(request, _("All notifications marked read."))
    else:
        ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
        count = services.mark_read(user=user, notification_ids=ids, now=timezone.now())
    if not count and request.POST.get("all") != "1":
        messages.error(request, _("There was nothing unread to mark."))
    return _back(request)


@require_POST
def notification_mark_unread(request: HttpRequest, notification_id: int) -> HttpResponse:
    user = signed_in(request)
    if not services.mark_unread(user=user, notification_id=notification_id):
        raise Http404
    return _back(request)


def preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    current = selectors.delivery_settings_of(user)
    timings = services.preferences_of(user)
    initial = {
        "email_enabled": current.email_enabled,
        "quiet_start": current.quiet_start,
        "quiet_end": current.quiet_end,
        "digest_time": current.digest_time,
        "weekly_day": current.weekly_day,
    } | {f"kind_{kind}": timing for kind, timing in timings.items()}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_preferences(
                user=user,
                timings=form.timings(),
                email_enabled=data["email_enabled"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                digest_time=data["digest_time"],
                weekly_day=data["weekly_day"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Notification preferences saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "zone": user.time_zone})


@login_not_required
@csrf_exempt  # RFC 8058: mail systems POST "List-Unsubscribe=One-Click" without a session or CSRF token
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link does and a button; POST (the button, or a mail system) does it."""
    link = unsubscribe.read_token(token)
    user = User.objects.filter(pk=link.user_id, is_active=True).first() if link is not None else None
    if link is None or user is None or (link.kind != unsubscribe.ALL and link.kind not in Kind.values):
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    label = _("all email from Cadence") if link.kind == unsubscribe.ALL else Kind(link.kind).label
    done = False
    if request.method == "POST":
        services.unsubscribe(user=user, kind=None if link.kind == unsubscribe.ALL else link.kind)
        done = True
    return render(request, "notifications/unsubscribe.html", {"label": label, "done": done})
