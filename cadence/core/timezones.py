"""IANA time zones, validated against the system's tz database."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@lru_cache(maxsize=1)
def all_time_zones() -> tuple[str, ...]:
    zones = {z for z in available_timezones() if "/" in z or z == "UTC"}
    # Drop legacy aliases such as "US/Eastern" and "Etc/GMT+5" whose names mislead.
    return tuple(sorted(z for z in zones if not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))))


def time_zone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in all_time_zones()]


def validate_time_zone(value: str) -> None:
    if value not in all_time_zones():
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value}, code="time_zone")
