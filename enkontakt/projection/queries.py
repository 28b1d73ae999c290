"""The projection's read side, as the API and the dashboard need it.

Every query that lists things takes the NAV units the caller may see; an
employer or alert outside them is never returned.

Only valid documents are written (:mod:`enkontakt.projection.validation`), but
a database may hold one stored before that check existed. Such a document is
left out of lists and not found on its own, with a log line naming its key.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, Select, select, text, update

from enkontakt.logging import get_logger
from enkontakt.projection.models import Alert, EmployerNotice, EmployerView
from enkontakt.projection.validation import InvalidDocument, check_document

log = get_logger(__name__)


class EmployerSort(StrEnum):
    """Orders of a supervisor's employer list (always descending, ties by orgnr)."""

    CONTACT_PERSONS_30D = "contact_persons_30d"
    OPEN_INQUIRIES = "open_inquiries"


@dataclass(frozen=True, slots=True)
class ViewRecord:
    """A stored view and the unit it belongs to."""

    document: dict[str, Any]
    unit: str | None


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A stored alert with its acknowledgement."""

    document: dict[str, Any]
    unit: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Optional narrowing of an alert list."""

    status: str | None = None
    rule: str | None = None
    unit: str | None = None
    orgnr: str | None = None


class ProjectionQueries:
    """Read-only queries (and the one acknowledgement update) over the projection."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine``, which must already hold the migrated schema."""
        self._engine = engine

    def ping(self) -> bool:
        """True when the database answers and holds the schema."""
        with self._engine.connect() as connection:
            connection.execute(text("SELECT 1 FROM alerts WHERE 1 = 0"))
        return True

    def view(self, orgnr: str) -> ViewRecord | None:
        """The view of one employer, if any."""
        stmt = select(EmployerView.document, EmployerView.unit).where(EmployerView.orgnr == orgnr)
        with self._engine.connect() as connection:
            row = connection.execute(stmt).first()
        if row is None or not readable("views", orgnr, row[0]):
            return None
        return ViewRecord(document=row[0], unit=row[1])

    def views(
        self,
        units: Collection[str],
        sort: EmployerSort,
        limit: int,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Views of employers in ``units``, most contact persons or inquiries first."""
        column = getattr(EmployerView, sort.value)
        stmt = (
            select(EmployerView.orgnr, EmployerView.document)
            .where(EmployerView.unit.in_(sorted(units)))
            .order_by(column.desc(), EmployerView.orgnr)
            .limit(limit)
            .offset(offset)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(stmt).all()
        return [document for orgnr, document in rows if readable("views", orgnr, document)]

    def notices(self, orgnr: str, limit: int = 20) -> list[dict[str, Any]]:
        """An employer's notices, latest change first."""
        stmt = (
            select(EmployerNotice.digest, EmployerNotice.document)
            .where(EmployerNotice.orgnr == orgnr)
            .order_by(EmployerNotice.at.desc(), EmployerNotice.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(stmt).all()
        return [document for digest, document in rows if readable("notices", digest, document)]

    def alerts(self, units: Collection[str], where: AlertFilter, limit: int) -> list[AlertRecord]:
        """Alerts of ``units``, newest first."""
        stmt = _alert_select().where(Alert.unit.in_(sorted(units)))
        for column, value in (
            (Alert.status, where.status),
            (Alert.rule, where.rule),
            (Alert.unit, where.unit),
            (Alert.orgnr, where.orgnr),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        stmt = stmt.order_by(Alert.starts_at.desc(), Alert.alert_id).limit(limit)
        with self._engine.connect() as connection:
            rows = connection.execute(stmt).all()
        return [_alert_record(row) for row in rows if readable("alerts", row[4], row[0])]

    def alert(self, alert_id: str) -> AlertRecord | None:
        """One alert, if any."""
        with self._engine.connect() as connection:
            row = connection.execute(_alert_select().where(Alert.alert_id == alert_id)).first()
        if row is None or not readable("alerts", alert_id, row[0]):
            return None
        return _alert_record(row)

    def acknowledge(self, alert_id: str, by: str, at: datetime) -> AlertRecord | None:
        """Record who acknowledged an alert and when; the first acknowledgement stays."""
        stmt = (
            update(Alert)
            .where(Alert.alert_id == alert_id, Alert.acknowledged_at.is_(None))
            .values(acknowledged_by=by, acknowledged_at=at)
        )
        with self._engine.begin() as connection:
            connection.execute(stmt)
        return self.alert(alert_id)


def readable(kind: str, key: str, document: Any) -> bool:
    """True for a valid document; a stored one that is not is logged by its key."""
    try:
        check_document(kind, document)
    except InvalidDocument as exc:
        log.warning("stored_document_skipped", kind=kind, key=key, error=exc.reason)
        return False
    return True


def _alert_select() -> Select[Any]:
    return select(
        Alert.document, Alert.unit, Alert.acknowledged_by, Alert.acknowledged_at, Alert.alert_id
    )


def _alert_record(row: Sequence[Any]) -> AlertRecord:
    return AlertRecord(document=row[0], unit=row[1], acknowledged_by=row[2], acknowledged_at=row[3])
