"""API authentication: personal tokens (Authorization: Bearer cdn_…) and the browser session."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from cadence import policy
from cadence.accounts.services import token_for_secret


class TokenAuth(HttpBearer):
    """A personal token: unknown, revoked or expired answers 401; a request beyond the token's access or
    course answers 403 here (read-only tokens on unsafe methods) or through the policy, which carries the
    token's limits into every `can` and `scope` of the request."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = token_for_secret(token, now=timezone.now())
        if api_token is None:
            return None
        user = api_token.user
        policy.limit_to_token(user, api_token)
        request.user = user
        if not policy.token_permits_request(api_token, method=request.method or "GET", path=request.path):
            raise PermissionDenied
        return user


class ActiveSessionAuth(SessionAuth):
    """Session auth (with CSRF) for signed-in browsers."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None
