"""Instants as the projection stores them: timezone-aware, normalised to UTC.

Documents arrive with RFC 3339 strings carrying any offset. Columns used to
order versions hold UTC, so that PostgreSQL (``timestamptz``) and SQLite (a
fixed-width text) compare them the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

REVISION_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def parse_instant(text: str) -> datetime:
    """Parse an RFC 3339 time with an offset into an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"time without offset: {text!r}")
    return value.astimezone(UTC)


def parse_optional_instant(text: str | None) -> datetime | None:
    """Like :func:`parse_instant`, passing ``None`` through."""
    return None if text is None else parse_instant(text)


def sortable(value: datetime) -> str:
    """A fixed-width UTC text of an instant that sorts like the instant itself."""
    return value.astimezone(UTC).strftime(REVISION_FORMAT)


def to_rfc3339(value: datetime) -> str:
    """Format an aware instant as RFC 3339 in UTC with a ``Z`` suffix."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp column that accepts only aware datetimes and returns UTC ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("UtcDateTime needs a timezone-aware datetime")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
