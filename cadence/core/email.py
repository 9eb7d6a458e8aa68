"""Queue an email after the current transaction commits, rendered from templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from cadence.core.tasks import send_email


def queue_email(*, to: str, subject: str, template: str, context: Mapping[str, Any], language: str = "en") -> None:
    with translation.override(language):
        body = render_to_string(template, dict(context))
    transaction.on_commit(lambda: send_email(subject=subject, body=body, to=[to]))
