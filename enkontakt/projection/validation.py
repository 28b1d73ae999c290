"""Which documents the projection stores, and the rows that hold them.

A document is stored only when

* it is a valid output of CONTRACT §3 and §4: the models of
  :mod:`enkontakt.schemas.outputs`, strictly (a number is not a text, a
  ``true`` is not a count);
* every instant in it can be shown in any time zone (``0001-01-01T00:30:00+01:00``
  is valid RFC 3339, but has no UTC value);
* no text in it, key or value, holds a NUL character or an unpaired
  surrogate, which PostgreSQL can store neither in a column nor in ``jsonb``;
* its columns fit the table: texts within their length, counts within a
  32-bit integer.

Anything else raises :class:`InvalidDocument`, whose ``reason`` names the
failed check and never repeats the document's content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Integer, String, Table

from enkontakt.projection import documents
from enkontakt.projection.models import Base
from enkontakt.schemas.outputs import Alert, EmployerNotice, View

INT32 = range(-(2**31), 2**31)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An instant this far from the ends of the calendar can be shown in any time zone.
SHOWABLE = (
    datetime.min.replace(tzinfo=UTC) + timedelta(days=1),
    datetime.max.replace(tzinfo=UTC) - timedelta(days=1),
)

RowBuilder = Callable[[dict[str, Any], datetime], dict[str, Any]]
KINDS: Mapping[str, tuple[type[BaseModel], RowBuilder, Table]] = {
    "views": (View, documents.view_row, Base.metadata.tables["employer_views"]),
    "alerts": (Alert, documents.alert_row, Base.metadata.tables["alerts"]),
    "notices": (EmployerNotice, documents.notice_row, Base.metadata.tables["employer_notices"]),
}


class InvalidDocument(ValueError):
    """A document the projection does not store; ``reason`` is the failed check's error class."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnstorableText(ValueError):
    """A text holding a NUL character or an unpaired surrogate."""


class InstantOutOfRange(ValueError):
    """An instant too close to the ends of the calendar to be shown in every time zone."""


class ColumnOverflow(ValueError):
    """A value longer or larger than its column holds."""


def check_document(kind: str, document: Any) -> None:
    """Raise :class:`InvalidDocument` unless ``document`` is a valid, storable one of ``kind``."""
    row_of(kind, document, EPOCH)


def row_of(kind: str, document: Any, written_at: datetime) -> dict[str, Any]:
    """The row that stores ``document`` of ``kind``; :class:`InvalidDocument` if there is none."""
    model, build, table = KINDS[kind]
    try:
        if not isinstance(document, dict):
            raise TypeError("a document is a JSON object")
        valid = model.model_validate(document, strict=True)
        _check_texts(document)
        _check_instants(valid.model_dump())
        row = build(document, written_at)
        _check_columns(table, row)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise InvalidDocument(type(exc).__name__) from exc
    return row


def _check_texts(value: Any) -> None:
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_texts(item)
    elif isinstance(value, list):
        for item in value:
            _check_texts(item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise UnstorableText("a text holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnstorableText("a text holds an unpaired surrogate") from None


def _check_instants(value: Any) -> None:
    if isinstance(value, datetime):
        if not SHOWABLE[0] <= value <= SHOWABLE[1]:
            raise InstantOutOfRange("an instant lies at the end of the calendar")
    elif isinstance(value, dict):
        for item in value.values():
            _check_instants(item)
    elif isinstance(value, list):
        for item in value:
            _check_instants(item)


def _check_columns(table: Table, row: Mapping[str, Any]) -> None:
    for name, value in row.items():
        kind = table.c[name].type
        if isinstance(kind, String) and kind.length is not None and isinstance(value, str):
            if len(value) > kind.length:
                raise ColumnOverflow(f"{table.name}.{name} holds at most {kind.length} characters")
        elif isinstance(kind, Integer) and isinstance(value, int) and value not in INT32:
            raise ColumnOverflow(f"{table.name}.{name} holds a 32-bit integer")
