"""The projection's write side: idempotent upserts that never regress.

Each write is one transaction of ``INSERT … ON CONFLICT``: a row is replaced
only by a version that is at least as new (see
:mod:`enkontakt.projection.documents` for the order). Writing the same
documents again changes nothing, so the Kafka projector can be at-least-once
and ``enkontakt replay --database-url`` can write over a projection.

A document that is not a valid one (:mod:`enkontakt.projection.validation`)
is logged by kind and reason, never by content, and skipped; so is a row the
database still refuses. One bad document never holds back the others, and
the engine never puts statement parameters into its errors.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DataError
from sqlalchemy.pool import ConnectionPoolEntry

from enkontakt.logging import get_logger
from enkontakt.projection import documents
from enkontakt.projection.models import Base
from enkontakt.projection.validation import InvalidDocument, row_of

log = get_logger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
VIEWS = Base.metadata.tables["employer_views"]
ALERTS = Base.metadata.tables["alerts"]
NOTICES = Base.metadata.tables["employer_notices"]
Clock = Callable[[], datetime]


def default_database_url(data_dir: str | Path) -> str:
    """The embedded default: an SQLite file in the data directory."""
    return f"sqlite:///{Path(data_dir)}/enkontakt.sqlite"


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; SQLite files get WAL mode and a busy timeout.

    Its errors never show statement parameters: they hold names, e-mails and phones.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if (database := sqlite_file(url)) is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True)
    event.listen(engine, "connect", _tune_sqlite)
    return engine


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite database, or None for another backend or an in-memory one."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


@contextmanager
def migration_lock(url: URL) -> Iterator[None]:
    """Let processes that migrate one SQLite file take turns.

    An exclusive ``flock`` on a lock file beside the database; other databases
    need none here (PostgreSQL takes an advisory lock in the migration itself).
    """
    database = sqlite_file(url)
    if database is None:
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    with database.with_name(f"{database.name}.migration-lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


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
        with migration_lock(self.engine.url), self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def write_views(self, views: Iterable[dict[str, Any]]) -> int:
        """Store views; an older ``updated_at`` never replaces a newer one.

        Returns how many were skipped as invalid, or refused by the database.
        """
        rows, skipped = self._rows("views", views)
        rows = documents.newest_per_key(rows, "orgnr", "updated_at")
        return skipped + self._upsert(VIEWS, rows, "orgnr", "updated_at")

    def write_alerts(self, alerts: Iterable[dict[str, Any]]) -> int:
        """Store alerts; resolved beats firing, a later ``ends_at`` beats an earlier.

        Returns how many were skipped as invalid, or refused by the database.
        """
        rows, skipped = self._rows("alerts", alerts)
        rows = documents.newest_per_key(rows, "alert_id", "revision")
        return skipped + self._upsert(ALERTS, rows, "alert_id", "revision")

    def write_notices(self, notices: Iterable[dict[str, Any]]) -> int:
        """Store notices, each distinct document once.

        Returns how many were skipped as invalid, or refused by the database.
        """
        rows, skipped = self._rows("notices", notices)
        stmt = self._insert(NOTICES).on_conflict_do_nothing(index_elements=["digest"])
        return skipped + self._execute(NOTICES, stmt, rows, "digest")

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def _insert(self, table: Table) -> Any:
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _rows(
        self, kind: str, documents: Iterable[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], int]:
        """The rows of the valid documents, and how many others were skipped."""
        now = self._clock()
        rows: list[dict[str, Any]] = []
        skipped = 0
        for document in documents:
            try:
                rows.append(row_of(kind, document, now))
            except InvalidDocument as exc:
                skipped += 1
                log.warning("document_skipped", kind=kind, error=exc.reason)
        return rows, skipped

    def _upsert(self, table: Table, rows: list[dict[str, Any]], key: str, order: str) -> int:
        if not rows:
            return 0
        stmt = self._insert(table)
        replaced = {name: stmt.excluded[name] for name in rows[0] if name != key}
        stmt = stmt.on_conflict_do_update(
            index_elements=[key],
            set_=replaced,
            where=stmt.excluded[order] >= table.c[order],
        )
        return self._execute(table, stmt, rows, key)

    def _execute(self, table: Table, stmt: Any, rows: list[dict[str, Any]], key: str) -> int:
        """Write ``rows`` in one transaction; if the database refuses a value, each
        row in its own, skipping the ones it refuses. Returns how many were skipped."""
        if not rows:
            return 0
        try:
            with self.engine.begin() as connection:
                connection.execute(stmt, rows)
            return 0
        except DataError:
            pass
        skipped = 0
        for row in rows:
            try:
                with self.engine.begin() as connection:
                    connection.execute(stmt, [row])
            except DataError as exc:
                skipped += 1
                error = type(exc.orig).__name__
                log.warning("row_refused", table=table.name, key=row[key], error=error)
        return skipped
