"""htmx helpers: one view serves the whole page, and the fragment htmx asks for.

A response that differs by the `HX-Request` header must say so (`Vary: HX-Request`), or a cache, or the
browser's back button, can serve the fragment as if it were the page. `render_page_or_fragment` always sets it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

VARY = "HX-Request"
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx sent the request (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """Mark a response as depending on whether htmx asked (for views that answer htmx differently)."""
    patch_vary_headers(response, (VARY,))
    return response


def render_page_or_fragment(
    request: HttpRequest,
    template: str,
    partial: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """`template` for a plain request, its named partial (`template#partial`) for htmx; always `Vary: HX-Request`."""
    name = f"{template}#{partial}" if is_htmx(request) else template
    return vary_on_htmx(render(request, name, dict(context), status=status))


def varies_with_htmx(view: ViewFunc) -> ViewFunc:
    """For views whose htmx answer differs by more than the template (a redirect, another context)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return vary_on_htmx(view(request, *args, **kwargs))

    return cast(ViewFunc, wrapped)
