"""Plain-text helpers that know no domain."""

from __future__ import annotations

from django.utils.text import Truncator


def one_line(text: str) -> str:
    """The text on one line: runs of whitespace (newlines included) become one space."""
    return " ".join(text.split())


def excerpt(text: str, limit: int) -> str:
    """The text on one line, cut by Django's `Truncator` to at most `limit` characters with an ellipsis.

    Every excerpt (notification bodies, item-analysis titles, GIFT import messages) comes from here, so
    a cut never splits a combining character from its letter and never exceeds its length."""
    return Truncator(one_line(text)).chars(limit)
