"""The REST API under /api/v1/: mounts each app's router and maps errors to clear JSON."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cadence.accounts.api import router as accounts_router
from cadence.api_auth import ActiveSessionAuth, TokenAuth
from cadence.community.api import router as community_router
from cadence.core.api_types import ObjectBodyParser, body_error_message, describe_validation_errors
from cadence.core.errors import DomainError
from cadence.courses.api import router as courses_router
from cadence.courses.api_accommodations import router as accommodations_router
from cadence.insights.api import router as insights_router
from cadence.messaging.api import router as messaging_router
from cadence.notifications.api import router as notifications_router
from cadence.progress.api import router as progress_router

api = NinjaAPI(
    title="Cadence API",
    version="1",
    description="Courses, modules, items and memberships. Authenticate with a personal token "
    "(`Authorization: Bearer cdn_…`, created on your profile) or a signed-in session.",
    auth=[TokenAuth(), ActiveSessionAuth()],
    parser=ObjectBodyParser(),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "You do not have permission to do that."}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required: send a personal API token or sign in."}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (an unreadable body, a failed CSRF check), with a clear message."""
    detail = body_error_message(exc.__cause__) if exc.status_code == 400 else exc.message
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def out_of_range(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A value out of range, missing or of the wrong kind: one sentence to show, and the fields."""
    detail, fields = describe_validation_errors(exc.errors)
    return api.create_response(request, {"detail": detail, "errors": fields}, status=422)


@api.exception_handler(DjangoValidationError)
def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=422)


api.add_router("/", accounts_router)
api.add_router("/", courses_router)
api.add_router("/", accommodations_router)
api.add_router("/", progress_router)
api.add_router("/", community_router)
api.add_router("/", messaging_router)
api.add_router("/", insights_router)
api.add_router("/", notifications_router)
