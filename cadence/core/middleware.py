from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import middleware
from django.http import HttpRequest, HttpResponseBase


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Every page is private unless marked @login_not_required. The API answers 401 itself instead."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
