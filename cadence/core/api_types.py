"""What every API router shares: range-checked integers, the capped pagination, error bodies and statuses.

Every integer a client sends is declared with a range here, so that a number no database column can
hold is refused with 422 before any query runs (a huge `limit`, `offset` or id used to reach the
database and end in a server error). The same ranges appear in the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, cast

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from pydantic import AwareDatetime, BeforeValidator, Field, PlainSerializer, WithJsonSchema

# Primary keys are BigAutoField (PostgreSQL bigint, SQLite's 64-bit integer): 1 ≤ id ≤ 2⁶³ - 1.
MAX_ID = 2**63 - 1
# A 1-based page number or a row offset: far beyond any real list, well inside both databases' integers.
MAX_PAGE = 1_000_000
MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 200
DEFAULT_LIMIT = 100

# In paths and query strings every value is text, so "42" is read as 42.
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="An id (1 to 2⁶³ - 1)")]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description="The page to show, from 1")]

# In JSON bodies a value must have the type the document declares: "42" or true is not an id, "yes" not a
# boolean, 1700000000 not a date. (Pydantic would otherwise convert them, and accept what the document refuses.)
# JSON Schema counts 42.0 as an integer, so it is accepted as 42; 42.5 is refused.


def _number_only(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise ValueError("Give a number, not text or true/false")


IntIn = Annotated[int, BeforeValidator(_number_only)]
IdIn = Annotated[IntIn, Field(ge=1, le=MAX_ID, description="An id (1 to 2⁶³ - 1)")]
BoolIn = Annotated[bool, Field(strict=True)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable(**constraints: Any) -> Any:
    """A field of a PATCH body that may be left out (unchanged) but not sent as null: for non-null columns."""
    return Field(default=None, json_schema_extra=_no_default, **constraints)


def _text_only(value: object) -> object:
    if isinstance(value, str | dt.date | dt.time):  # dt.datetime is a dt.date
        return value
    raise ValueError("Give the date or time as text, such as 2026-03-01 or 2026-03-01T23:59:00+01:00")


DateTimeIn = Annotated[dt.datetime, BeforeValidator(_text_only)]
AwareDateTimeIn = Annotated[AwareDatetime, BeforeValidator(_text_only)]
DateIn = Annotated[dt.date, BeforeValidator(_text_only)]

TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _time_of_day(value: object) -> object:
    if isinstance(value, dt.time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and re.fullmatch(TIME_OF_DAY, value):
        return value
    raise ValueError("Give a time of day as HH:MM or HH:MM:SS, without an offset: it is read in your own time zone")


# A wall-clock time in the person's own zone, such as 21:00 for quiet hours. JSON Schema's `time` format
# means a time *with* an offset (RFC 3339), which this is not, so it is declared as a pattern instead.
TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(_time_of_day),
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TIME_OF_DAY,
            "description": "A time of day in your own time zone, HH:MM or HH:MM:SS, without an offset",
            "examples": ["21:00"],
        }
    ),
]


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` for every list endpoint: `limit` is 1 to 200 (default 100), `offset` 0 to 2³¹ - 1."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many rows, at most {MAX_LIMIT}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many rows to skip")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class ErrorOut(Schema):
    """Every refusal: what went wrong, in words that can be shown to the person."""

    detail: str


class FieldError(Schema):
    loc: list[str | int] = Field(description="Where: the part of the request (path, query, body) and the field")
    msg: str
    type: str


class ValidationErrorOut(ErrorOut):
    """422: the request was understood but a value is out of range, missing or of the wrong kind."""

    errors: list[FieldError] = Field(default_factory=list, description="One entry per field that was refused")


# What each status means for every operation; routers list the ones an operation can return.
ERROR_STATUSES: dict[int, type[Schema]] = {
    400: ErrorOut,  # the body is not JSON
    401: ErrorOut,  # no valid token or session
    403: ErrorOut,  # may see the object but not do this (or a failed CSRF check for a session)
    404: ErrorOut,  # no such object, or not one this person may see
    409: ErrorOut,  # conflicts with the current state (already a member, a locked thread, ...)
    410: ErrorOut,  # gone: an invitation that expired or was used
    422: ValidationErrorOut,  # a value out of range, missing or of the wrong kind
    429: ErrorOut,  # too many requests: wait, then try again
}


class BodyNotAnObject(ValueError):
    pass


def _without_nul(value: Any) -> Any:
    """U+0000 becomes U+FFFD (�) in every text value: PostgreSQL cannot store it (a server error before this);
    the length stays, so every declared length still holds."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value


class ObjectBodyParser(Parser):
    """Every request body of this API is a JSON object: `[null]` or `"text"` is refused, not read as defaults.
    Text in bodies and query strings never carries a NUL character to the database."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise BodyNotAnObject("The request body must be a JSON object.")
        return cast(dict[str, Any], _without_nul(data))

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest) -> Any:
        return _without_nul(super().parse_querydict(data, list_fields, request))


def body_error_message(cause: BaseException | None) -> str:
    """What a 400 for an unreadable body says: ninja wraps the parser's exception as the cause."""
    if isinstance(cause, BodyNotAnObject):
        return str(cause)
    return "The request body is not valid JSON."


def errors(*statuses: int) -> dict[int, type[Schema]]:
    """The error responses of one operation, for `response={200: Out, **errors(403, 404, 422)}`.

    401 is always included: every operation needs a token or a session. An operation with parameters lists
    422, one with a JSON body also 400 (a body that is not JSON); `cadence/tests/test_api_contract.py` checks.
    """
    codes = {401, *statuses}
    unknown = codes - ERROR_STATUSES.keys()
    if unknown:
        raise ValueError(f"No error schema for status {sorted(unknown)}")
    return {code: ERROR_STATUSES[code] for code in sorted(codes)}


def describe_validation_errors(raw: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """One readable sentence and the field list for a 422 from ninja's own validation."""
    fields: list[dict[str, Any]] = []
    parts: list[str] = []
    for error in raw:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        msg = str(error.get("msg", "Invalid value"))
        fields.append({"loc": loc, "msg": msg, "type": str(error.get("type", "value_error"))})
        # ["query", "limit"] reads "limit"; ["body", "payload", "ids", 0] reads "ids.0" (payload: the view's argument).
        named = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        where = ".".join(str(part) for part in named) or (str(loc[0]) if loc else "request")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts) + ".", fields


# The services check a time zone against the system's tz database; the document gives the shape of a name
# (listing all ~400 would make the document, and a fuzzer's every pass over it, much larger).
TimeZoneName = Annotated[
    str,
    Field(
        min_length=3,
        max_length=64,
        pattern=r"^(UTC|[A-Z][A-Za-z_-]+(/[A-Za-z0-9_+-]+){1,2})$",
        description="An IANA time zone, such as Europe/Madrid or America/Argentina/Buenos_Aires",
    ),
]
