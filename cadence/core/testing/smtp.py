"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), keeping every message it receives."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class _Inbox:
    messages: list[Received] = field(default_factory=list)
    refuse: int = 0  # refuse this many next messages with a temporary failure (to test retries)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """Started and stopped by the `smtp_server` fixture; Django's settings point at it meanwhile."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Received]:
        return self.inbox.messages

    def refuse_next(self, count: int) -> None:
        self.inbox.refuse = count

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
