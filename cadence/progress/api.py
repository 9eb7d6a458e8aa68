"""The activity beacon: batched client events (video progress, heartbeats), stored once each."""

from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field, model_validator

from cadence.accounts.models import User
from cadence.core.api_types import DateTimeIn, IdIn, errors
from cadence.progress import services

router = Router(tags=["progress"])

Seconds = Annotated[float, Field(ge=0, le=86400, strict=True)]


class BeaconEventIn(Schema):
    id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", description="Idempotency key")
    verb: Literal["started", "progressed", "paused", "heartbeat"]
    item: IdIn
    timestamp: DateTimeIn | None = None
    position: float | None = Field(default=None, ge=0, le=86400, strict=True)
    duration: float | None = Field(default=None, gt=0, le=86400, strict=True)
    watched: tuple[Seconds, Seconds] | None = Field(default=None, description="A stretch watched, [from, to] seconds")

    @model_validator(mode="after")
    def _watched_in_order(self) -> "BeaconEventIn":
        if self.watched is not None and not (0 <= self.watched[0] <= self.watched[1] <= 86400):
            raise ValueError("watched must be [from, to] with 0 ≤ from ≤ to")
        return self


class BeaconIn(Schema):
    events: list[BeaconEventIn] = Field(min_length=1, max_length=100)


class BeaconOut(Schema):
    stored: int
    duplicates: int


@router.post(
    "/progress/events",
    response={202: BeaconOut, **errors(400, 403, 422)},
    summary="Send a batch of activity events; a batch sent twice is stored once",
)
def post_events(request: HttpRequest, payload: BeaconIn) -> Status[BeaconOut]:
    assert isinstance(request.user, User)
    events = [
        services.BeaconEvent(
            key=e.id,
            verb=e.verb,
            item_id=e.item,
            timestamp=e.timestamp,
            position=e.position,
            duration=e.duration,
            watched_from=e.watched[0] if e.watched else None,
            watched_to=e.watched[1] if e.watched else None,
        )
        for e in payload.events
    ]
    result = services.ingest_beacon(user=request.user, events=events, now=timezone.now())
    return Status(202, BeaconOut(stored=result.stored, duplicates=result.duplicates))
