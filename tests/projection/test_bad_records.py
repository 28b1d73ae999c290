"""Bad records never stop the projector: each is logged by position and skipped.

One abstract class, run against SQLite and PostgreSQL, drives the projector's
loop with a hand-written consumer: the batch holds records that are not valid
documents beside valid ones, and must be written and committed all the same.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import structlog
from aiokafka import ConsumerRecord, TopicPartition

from enkontakt.projection import projector
from enkontakt.projection.queries import AlertFilter, ProjectionQueries
from enkontakt.projection.store import Projection
from tests.projection import samples as s
from tests.projection.databases import postgres_url, sqlite_url

KINDS = {"views": "views", "alerts": "alerts", "notices": "notices"}
NAME = "Bakeri Hemmelig AS"  # content that must never reach a log
BAD_VIEWS = [
    s.view(s.ORGNR_B, updated_at="0001-01-01T00:30:00+01:00"),
    s.view(s.ORGNR_B, updated_at="9999-12-31T23:30:00-01:00"),
    s.view(s.ORGNR_B, open_inquiries={}),
    s.view(s.ORGNR_B, name=NAME.replace(" ", "\x00")),
    s.view(s.ORGNR_B, name=NAME * 20),
    s.view(s.ORGNR_B, unit="19020"),
    s.view(s.ORGNR_B, contact_persons_30d=2**40),
]
BAD_ALERTS = [
    s.alert("x" * 201),
    s.alert("bad", severity="s" * 17),
    {key: value for key, value in s.alert("bad").items() if key != "summary"},
]


@contextmanager
def captured_logs() -> Iterator[list[MutableMapping[str, Any]]]:
    """Log lines written inside the block, with the message ids bound to them."""
    capture = structlog.testing.LogCapture()
    before = structlog.get_config()
    structlog.configure(processors=[structlog.contextvars.merge_contextvars, capture])
    try:
        yield capture.entries
    finally:
        structlog.configure(**before)


def record(topic: str, offset: int, value: bytes | None) -> ConsumerRecord[bytes, bytes]:
    size = 0 if value is None else len(value)
    return ConsumerRecord(topic, 0, offset, 0, 0, None, value, None, 0, size, ())


class OneBatch:
    """A consumer whose first poll returns ``records``; it then asks the loop to stop."""

    def __init__(self, records: list[ConsumerRecord[bytes, bytes]], stop: asyncio.Event) -> None:
        self.records = records
        self.stop = stop
        self.commits = 0

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
        if not self.records:
            self.stop.set()
            return {}
        polled, self.records = self.records, []
        return {TopicPartition("views", 0): polled}

    async def commit(self) -> None:
        self.commits += 1


class BadRecordSuite:
    """Behaviour the projector shows on every backend of the projection."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        raise NotImplementedError

    @pytest.fixture
    def projection(self, database_url: str) -> Iterator[Projection]:
        projection = Projection(database_url)
        projection.upgrade()
        yield projection
        projection.close()

    def test_bad_records_are_skipped_and_the_batch_committed(self, projection: Projection) -> None:
        documents: list[tuple[str, Any]] = [
            *(("views", view) for view in BAD_VIEWS),
            *(("alerts", alert) for alert in BAD_ALERTS),
            ("views", s.view()),
            ("alerts", s.alert()),
            ("notices", s.notice()),
        ]
        records = [record("views", 0, None), record("views", 1, b"[" * 100_000)] + [
            record(topic, offset, json.dumps(document).encode())
            for offset, (topic, document) in enumerate(documents, start=2)
        ]
        stop = asyncio.Event()
        consumer = OneBatch(records, stop)
        with captured_logs() as logs:
            asyncio.run(projector.project(consumer, projection, KINDS, stop))

        assert consumer.commits == 1
        queries = ProjectionQueries(projection.engine)
        assert queries.view(s.ORGNR_A) is not None
        assert queries.view(s.ORGNR_B) is None
        assert [r.document for r in queries.alerts({"1902"}, AlertFilter(), 9)] == [s.alert()]
        assert queries.notices(s.ORGNR_A) == [s.notice()]
        skipped = [line for line in logs if line["event"] == "record_skipped"]
        assert [line["offset"] for line in skipped] == list(range(2 + len(BAD_VIEWS + BAD_ALERTS)))
        assert {line["topic"] for line in skipped} == {"views", "alerts"}
        assert all(
            set(line) == {"event", "log_level", "topic", "partition", "offset", "error"}
            for line in skipped
        )
        assert "Bakeri" not in repr(logs)


class TestSQLite(BadRecordSuite):
    """The embedded default."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        yield sqlite_url(tmp_path)


@pytest.mark.integration
class TestPostgreSQL(BadRecordSuite):
    """Production's database, in a schema of this test's own."""

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> Iterator[str]:
        with postgres_url() as url:
            yield url
