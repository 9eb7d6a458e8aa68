"""Learner work that arrives after the session has ended is never dropped (issue 11, section 5).

Views that receive work (an autosave, "Save", "Submit") are marked with `@keeps_work`. When such a
request comes from a browser whose session has ended:

- a script's request (autosave, the page's own fetch, htmx) gets a machine-readable 401 instead of a
  redirect to the sign-in page, so the page can keep the work and offer sign-in without leaving;
- a plain form POST (no JavaScript) has its fields kept in this browser's session, bound to the account
  the page was rendered for (the form's `for_user` field), and the sign-in page is asked to continue to
  the resume page, which shows the work and sends it, with the same idempotency key, once the same
  person has signed in. Signing out clears it with the rest of the session.

Every work form carries `for_user`, the id of the account that opened the page: work is never saved to
an account other than that one (a shared computer where someone else signed in meanwhile gets 409 and
the work is shown back to be copied, not stored under the wrong name).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypedDict

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

FOR_USER = "for_user"  # the form field naming the account the page was rendered for
RESUME = "_resume"  # the field a resumed form carries: its stash is forgotten once the view accepts it
SESSION_KEY = "cadence_pending_work"
MAX_ENTRIES = 5  # per browser session; the oldest goes first
MAX_CHARS = 1_000_000  # the fields of one stash, all together
KEEP_FOR = timedelta(days=2)
_NOT_KEPT = frozenset({"csrfmiddlewaretoken", RESUME})

View = Callable[..., HttpResponseBase]


class Pending(TypedDict):
    """One request's work, kept in the session until the person who wrote it has signed in again."""

    user: int
    path: str
    back: str  # the page the work came from (same site only), or ""
    fields: list[list[str]]  # [name, value] pairs in the order the form sent them
    files: list[list[str]]  # [field name, file name]: files cannot be kept; the person chooses them again
    multipart: bool
    at: str  # ISO time it was kept


@dataclass(frozen=True)
class Field:
    name: str
    value: str

    @property
    def is_text(self) -> bool:
        """Free text the person wrote (an essay, a short answer): shown back so they can see it is all there."""
        return self.name == "text" or self.name.endswith("-text")


def keeps_work(view: View) -> View:
    """Mark a view that receives learner work; see the module's docstring."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            claimed = request.POST.get(FOR_USER, "")
            if claimed and claimed != str(request.user.pk):
                return wrong_account(request)
        response = view(request, *args, **kwargs)
        token = request.POST.get(RESUME, "") if request.method == "POST" else ""
        if token and response.status_code < 400:
            forget(request, token)
        return response

    wrapped.keeps_work = True  # type: ignore[attr-defined]  # read by the sign-in middleware
    return wrapped


def wants_json(request: HttpRequest) -> bool:
    """A request from a page's script (autosave, fetch, htmx) rather than a navigation."""
    return (
        request.headers.get("X-Autosave") == "1"
        or request.headers.get("HX-Request") == "true"
        or "application/json" in request.headers.get("Accept", "")
    )


def signed_out_response(request: HttpRequest) -> JsonResponse:
    """The answer to a script whose session has ended: 401, with what to do, never a redirect."""
    return JsonResponse(
        {
            "detail": _("You have been signed out. Sign in again, then try once more: this page stays as it is."),
            "signed_out": True,
            "sign_in_url": reverse("accounts:login"),
        },
        status=401,
    )


def _claimed_user(request: HttpRequest) -> int | None:
    raw = request.POST.get(FOR_USER, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _back(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return ""
    return referer


def _entries(request: HttpRequest, now: datetime) -> dict[str, Pending]:
    entries: dict[str, Pending] = request.session.get(SESSION_KEY, {})
    oldest = (now - KEEP_FOR).isoformat()
    return {token: entry for token, entry in entries.items() if entry.get("at", "") >= oldest}


def keep(request: HttpRequest, *, now: datetime) -> str | None:
    """Keep a signed-out POST's work in the session; its token, or None when it cannot be kept
    (no account named, or too large for a session)."""
    user = _claimed_user(request)
    if user is None:
        return None
    fields = [[name, value] for name, values in request.POST.lists() if name not in _NOT_KEPT for value in values]
    if sum(len(name) + len(value) for name, value in fields) > MAX_CHARS:
        return None
    files = [[name, upload.name or ""] for name, uploads in request.FILES.lists() for upload in uploads]
    entry: Pending = {
        "user": user,
        "path": request.path,
        "back": _back(request),
        "fields": fields,
        "files": files,
        "multipart": request.content_type == "multipart/form-data",
        "at": now.isoformat(),
    }
    entries = _entries(request, now)
    while len(entries) >= MAX_ENTRIES:
        entries.pop(min(entries, key=lambda token: entries[token]["at"]))
    token = secrets.token_urlsafe(16)
    entries[token] = entry
    request.session[SESSION_KEY] = entries
    return token


def pending(request: HttpRequest, token: str, *, now: datetime) -> Pending | None:
    """The kept work for this token, only for the account it was written in."""
    entry = _entries(request, now).get(token)
    if entry is None or entry["user"] != request.user.pk:
        return None
    return entry


def forget(request: HttpRequest, token: str) -> None:
    entries = request.session.get(SESSION_KEY, {})
    if token in entries:
        del entries[token]
        request.session[SESSION_KEY] = entries


def keep_and_sign_in(request: HttpRequest) -> HttpResponseBase | None:
    """For a signed-out plain POST to a work view: keep the work and send the person to sign in, then to
    the page that sends it. None when there is nothing that can be kept (the usual sign-in redirect)."""
    token = keep(request, now=timezone.now())
    if token is None:
        return None
    return redirect_to_login(reverse("core:work-resume", args=[token]))


def fields_of(entry: Pending) -> list[Field]:
    return [Field(name, value) for name, value in entry["fields"]]


def wrong_account(request: HttpRequest) -> HttpResponse:
    """Work written for one account arrived while another is signed in: store nothing, show it back."""
    message = _(
        "This page was opened by another account than the one signed in now, so your work was not saved. "
        "Copy it, sign out, and sign in as the person who wrote it."
    )
    if wants_json(request):
        return JsonResponse({"detail": message, "wrong_account": True}, status=409)
    fields = [Field(name, value) for name, values in request.POST.lists() if name not in _NOT_KEPT for value in values]
    return render(
        request,
        "core/work_wrong_account.html",
        {"message": message, "texts": [f for f in fields if f.is_text and f.value.strip()]},
        status=409,
    )
