"""Throw-away databases for tests: an SQLite file, or a PostgreSQL schema of one's own.

PostgreSQL is the machine's (127.0.0.1:5432, user postgres, database ``test``).
Each use creates a schema with a random name and points the connection's
``search_path`` at it, so parallel runs never see each other's tables; the
schema is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def sqlite_url(directory: Path) -> str:
    """An SQLite file in ``directory``."""
    return f"sqlite:///{directory / 'projection.sqlite'}"


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(POSTGRES_DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable: {exc}")


@contextmanager
def postgres_url() -> Iterator[str]:
    """A URL whose tables live in a fresh schema, dropped on exit."""
    schema = f"enkontakt_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
