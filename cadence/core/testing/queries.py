"""Counting and reading the SQL a request runs: the one helper every query-budget test uses."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# A statement that changes data (SAVEPOINT and RELEASE are bookkeeping, not writes).
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|TRUNCATE)\b", re.IGNORECASE)
_TABLE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+\"?(\w+)\"?", re.I)


@dataclass(frozen=True)
class Served:
    """A response with the SQL that served it."""

    response: Any  # the test client's response (an HttpResponse with the client's extras)
    sql: list[str]

    @property
    def count(self) -> int:
        return len(self.sql)

    @property
    def writes(self) -> list[str]:
        return writes(self.sql)


def writes(statements: Sequence[str]) -> list[str]:
    """The statements that change data."""
    return [s for s in statements if _WRITE.match(s)]


def written_table(statement: str) -> str:
    """The table a write statement changes ("" when it cannot tell)."""
    match = _TABLE.match(statement)
    return match.group(1) if match else ""


def serve(
    client: Client, url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None, status: int | None = 200
) -> Served:
    """Request `url` and capture its SQL; checks the status unless `status` is None."""
    with CaptureQueriesContext(connection) as captured:
        if method == "GET":
            response = client.get(url, headers=dict(headers or {}))
        else:
            response = client.generic(method, url, headers=dict(headers or {}))
    if status is not None:
        assert response.status_code == status, (url, response.status_code)
    return Served(response, [q["sql"] for q in captured.captured_queries])


def count_queries(client: Client, url: str, *, headers: Mapping[str, str] | None = None, status: int = 200) -> int:
    """How many queries a GET of `url` runs (asserting its status)."""
    return serve(client, url, headers=headers, status=status).count
