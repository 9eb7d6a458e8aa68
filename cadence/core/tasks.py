"""Background tasks that know no domain: sending email."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import send_mail
from huey.contrib.djhuey import task


@task(retries=3, retry_delay=60)  # type: ignore[untyped-decorator]  # huey ships no type hints
def send_email(*, subject: str, body: str, to: Sequence[str]) -> int:
    return send_mail(subject=subject, message=body, from_email=None, recipient_list=list(to))
