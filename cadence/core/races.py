"""Retried writes that race their twin: the second of two identical requests finds the first one's rows."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import IntegrityError

P = ParamSpec("P")
R = TypeVar("R")


def second_try_on_race(write: Callable[P, R]) -> Callable[P, R]:
    """Run an atomic write again if a concurrent twin won a unique constraint (the same idempotency key):
    the loser's transaction has rolled back, and its second run finds the winner's rows.

    Put it outside `@transaction.atomic`, so that each try is its own transaction (or savepoint).
    """

    @functools.wraps(write)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return write(*args, **kwargs)
        except IntegrityError:
            return write(*args, **kwargs)

    return run
