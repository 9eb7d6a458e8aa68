from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cadence.core import work


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


@login_not_required
@never_cache
@require_GET
def session_state(request: HttpRequest) -> JsonResponse:
    """Who is signed in here, and a CSRF token for this browser's current session.

    Pages that keep work (autosave) ask this after signing in again from a dialog: signing in rotates the
    CSRF token, and the page must not send one person's work to another person's account."""
    user = request.user
    return JsonResponse(
        {
            "signed_in": user.is_authenticated,
            "user": user.pk if user.is_authenticated else None,
            "csrf_token": get_token(request),
        }
    )


@never_cache
@require_GET
def work_resume(request: HttpRequest, token: str) -> HttpResponse:
    """Work that arrived after the session had ended (a plain form POST), shown back with a button that
    sends it where it was going. Only the account that wrote it sees it; reading it changes nothing."""
    entry = work.pending(request, token, now=timezone.now())
    if entry is None:
        return render(request, "core/work_resume_missing.html", status=404)
    fields = work.fields_of(entry)
    return render(
        request,
        "core/work_resume.html",
        {
            "entry": entry,
            "token": token,
            "fields": fields,
            "texts": [f for f in fields if f.is_text and f.value.strip()],
            "file_fields": sorted({name for name, _filename in entry["files"]}),
            "resume_field": work.RESUME,
        },
    )
