"""The projection's write side: idempotent upserts that never regress.

Each write is one transaction of ``INSERT … ON CONFLICT``: a row is replaced
only by a version that is at least as new (see
:mod:`enkontakt.projection.documents` for the order). Writing the same
documents again changes nothing, so the Kafka projector can be at-least-once
and ``enkontakt replay --database-url`` can write over a projection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry

from enkontakt.projection import documents
from enkontakt.projection.models import Base

MIGRATIONS = Path(__file__).parent / "migrations"
VIEWS = Base.metadata.tables["employer_views"]
ALERTS = Base.metadata.tables["alerts"]
NOTICES = Base.metadata.tables["employer_notices"]
Clock = Callable[[], datetime]


def default_database_url(data_dir: str | Path) -> str:
    """The embedded default: an SQLite file in the data directory."""
    return f"sqlite:///{Path(data_dir)}/enkontakt.sqlite"


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; SQLite files get WAL mode and a busy timeout."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Projection:
    """Views, alerts and employer notices in one SQL database."""

    def __init__(self, database_url: str, *, clock: Clock | None = None) -> None:
        """Create the engine; call :meth:`upgrade` before the first write."""
        self.engine = make_engine(database_url)
        self._clock: Clock = clock or (lambda: datetime.now(UTC))

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (``alembic upgrade head``)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def write_views(self, views: Iterable[dict[str, Any]]) -> None:
        """Store views; an older ``updated_at`` never replaces a newer one."""
        now = self._clock()
        rows = [documents.view_row(view, now) for view in views]
        rows = documents.newest_per_key(rows, "orgnr", "updated_at")
        self._upsert(VIEWS, rows, "orgnr", "updated_at")

    def write_alerts(self, alerts: Iterable[dict[str, Any]]) -> None:
        """Store alerts; resolved beats firing, a later ``ends_at`` beats an earlier."""
        now = self._clock()
        rows = [documents.alert_row(alert, now) for alert in alerts]
        rows = documents.newest_per_key(rows, "alert_id", "revision")
        self._upsert(ALERTS, rows, "alert_id", "revision")

    def write_notices(self, notices: Iterable[dict[str, Any]]) -> None:
        """Store notices, each distinct document once."""
        now = self._clock()
        rows = [documents.notice_row(notice, now) for notice in notices]
        if not rows:
            return
        stmt = self._insert(NOTICES).on_conflict_do_nothing(index_elements=["digest"])
        with self.engine.begin() as connection:
            connection.execute(stmt, rows)

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def _insert(self, table: Table) -> Any:
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _upsert(self, table: Table, rows: list[dict[str, Any]], key: str, order: str) -> None:
        if not rows:
            return
        stmt = self._insert(table)
        replaced = {name: stmt.excluded[name] for name in rows[0] if name != key}
        stmt = stmt.on_conflict_do_update(
            index_elements=[key],
            set_=replaced,
            where=stmt.excluded[order] >= table.c[order],
        )
        with self.engine.begin() as connection:
            connection.execute(stmt, rows)
