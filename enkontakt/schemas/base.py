"""Building blocks shared by every contract model: the base class and the time types.

Times follow RFC 3339 with an explicit offset (``Z`` allowed); calendar dates are
written ``YYYY-MM-DD``. Both are checked here rather than by pydantic's lax
parsing, which would also accept numbers and other ISO 8601 forms.

The patterns are written for JSON Schema, where ``$`` ends the text; Python's
``$`` also matches before a final line feed, so they are used with ``fullmatch``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

FIRST_YEAR = 1970
LAST_YEAR = 2099
_YEARS = r"(19[7-9][0-9]|20[0-9]{2})"  # FIRST_YEAR to LAST_YEAR
_CLOCK = r"[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
RFC3339_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}" + _CLOCK
EVENT_TIME_PATTERN = rf"^{_YEARS}-[0-9]{{2}}-[0-9]{{2}}" + _CLOCK
DATE_PATTERN = rf"^{_YEARS}-[0-9]{{2}}-[0-9]{{2}}$"
ORGNR_PATTERN = r"^[0-9]{9}$"
UNIT_PATTERN = r"^[0-9]{4}$"

_RFC3339 = re.compile(RFC3339_PATTERN)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEARS_MESSAGE = f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}"
_DATES_MESSAGE = f"must lie in {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"


class ContractModel(BaseModel):
    """Base of every contract model: immutable, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def parse_rfc3339(text: str) -> datetime | None:
    """Return the instant written in ``text``, or None unless it is RFC 3339 with an offset."""
    if _RFC3339.fullmatch(text) is None:
        return None
    if text[-1] == "z":
        text = text[:-1] + "Z"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def in_years(moment: date) -> bool:
    """True when the year of ``moment``, as written (a time in its own offset), lies in
    FIRST_YEAR to LAST_YEAR: the years the system computes with (the holiday calendar,
    a day after the last one)."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def _instant(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and (parsed := parse_rfc3339(value)) is not None:
        return parsed
    raise ValueError("must be an RFC 3339 time with an offset")


def _event_time(value: object) -> object:
    time = _instant(value)
    if isinstance(time, datetime) and not in_years(time):
        raise ValueError(_YEARS_MESSAGE)
    return time


def _calendar_date(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _DATE.fullmatch(value):
        if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            raise ValueError(_DATES_MESSAGE)
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a date that exists, written YYYY-MM-DD") from None
    else:
        raise ValueError("must be a date written YYYY-MM-DD")
    if not in_years(day):
        raise ValueError(_DATES_MESSAGE)
    return day


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": RFC3339_PATTERN}),
]
"""An instant written in RFC 3339 with an explicit offset, e.g. ``2026-10-05T09:30:00+02:00``."""

EventTime = Annotated[
    AwareDatetime,
    BeforeValidator(_event_time),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": EVENT_TIME_PATTERN}),
]
"""The time of an input event: an ``Instant`` whose year, as written, lies in 1970 to 2099."""

CalendarDate = Annotated[
    date,
    BeforeValidator(_calendar_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
"""A calendar date ``YYYY-MM-DD`` in 1970 to 2099 (read in Europe/Oslo where it bounds a period)."""


def accepts_null(schema: dict[str, Any]) -> None:
    """JSON Schema hook for a field with a default: ``null`` is accepted and means absent."""
    inner = {key: schema.pop(key) for key in ("type", "enum", "const", "pattern") if key in schema}
    schema["anyOf"] = [inner, {"type": "null"}]
