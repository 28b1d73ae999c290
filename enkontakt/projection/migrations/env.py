"""Alembic environment: migrations run on the connection handed over by
:meth:`enkontakt.projection.store.Projection.upgrade`, or on a URL given as the
``sqlalchemy.url`` option when run from the ``alembic`` command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, text

from enkontakt.projection.models import Base

# Held while PostgreSQL migrates, so that processes starting together take turns.
MIGRATION_LOCK_ID = 0x656E6B6F


def run_on(connection: Connection) -> None:
    """Run the pending migrations on one connection, in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()


def main() -> None:
    """Entry point Alembic calls when it loads this module."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as own:
        run_on(own)
    engine.dispose()


main()
