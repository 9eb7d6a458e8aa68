from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth import middleware
from django.http import HttpRequest, HttpResponseBase
from django.middleware import gzip
from django.utils import timezone

from cadence.core import work


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Every page is private unless marked @login_not_required. The API answers 401 itself instead.

    A signed-out request from a page's script gets a machine-readable 401, not the sign-in page; a
    signed-out plain POST of learner work keeps that work for after sign-in (`cadence.core.work`)."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        if not request.user.is_authenticated and getattr(view_func, "login_required", True):
            if work.wants_json(request):
                return work.signed_out_response(request)
            if request.method == "POST" and getattr(view_func, "keeps_work", False):
                kept = work.keep_and_sign_in(request)
                if kept is not None:
                    return kept
        return super().process_view(request, view_func, view_args, view_kwargs)


class GZipMiddleware(gzip.GZipMiddleware):
    """Compress text, never media: images and videos are compressed already, and a compressed byte
    range (206) would no longer be the range the browser asked for."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        content_type = response.get("Content-Type", "")
        if response.status_code == 206 or content_type.startswith(("image/", "video/", "audio/")):
            return response
        return super().process_response(request, response)


class RequestArrivalMiddleware:
    """Stamps `request.arrived_at` before anything else runs: the time of record of an answer or a
    submission is when its request arrived, never when processing finished (a slow server or a queue
    of requests must not make work late)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.arrived_at = timezone.now()  # type: ignore[attr-defined]
        return self.get_response(request)


def arrival_time(request: HttpRequest) -> datetime:
    """When the request arrived (now, for requests that did not pass the middleware, as in some tests)."""
    arrived = getattr(request, "arrived_at", None)
    return arrived if isinstance(arrived, datetime) else timezone.now()


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in person (a session, or an API token, which authenticates inside the
    view) says `Cache-Control: no-store, private`: a shared computer's browser cache must not give the
    next person a pupil's messages or grades, not even with the back button after signing out. Anything
    a view said about caching is replaced; static files are answered before this runs and keep theirs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            response["Cache-Control"] = "no-store, private"
            if "Expires" in response:
                del response["Expires"]
        return response
