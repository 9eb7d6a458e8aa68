"""CSV exports: one writer, streamed, with one guard against formula injection.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (and some also after a tab or
carriage return), so text a person typed (a name, a question, an item title) could run in the teacher's
spreadsheet. Such cells get a leading apostrophe, which spreadsheets show as text; numbers stay numbers;
empty cells (and None) stay empty.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")


def safe_cell(value: object) -> str:
    """A cell's text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


class _Line:
    """One CSV line at a time (RFC 4180 quoting, CRLF endings), reusing one buffer."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def __call__(self, values: Sequence[object]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow([safe_cell(v) for v in values])
        return self._buffer.getvalue()


def csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Rows of values as guarded CSV lines, one at a time (whatever the number of rows)."""
    line = _Line()
    for row in rows:
        yield line(row)


def csv_response(rows: Iterable[Sequence[object]], *, filename: str) -> StreamingHttpResponse:
    """A download of the rows as CSV, streamed as they are computed."""
    response = StreamingHttpResponse(
        (text.encode() for text in csv_lines(rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
