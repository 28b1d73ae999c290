"""The projector over the embedded broker: Kafka topics → the SQL projection.

Records arrive out of order, twice and partly malformed; the projection ends
at the newest version of everything, and a full re-read changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.projection import projector
from enkontakt.projection.models import Alert, EmployerNotice, EmployerView
from enkontakt.projection.settings import ProjectorSettings
from enkontakt.projection.store import Projection
from enkontakt.settings import KafkaSettings, aiokafka_client_kwargs
from tests.projection import samples as s
from tests.projection.databases import sqlite_url

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def kafka() -> Iterator[KafkaSettings]:
    with EmbeddedBroker() as broker:
        yield KafkaSettings(
            KAFKA_BROKERS=broker.bootstrap,
            ENKONTAKT_PROFILE="embedded",
            ENKONTAKT_PARTITIONS=2,
            ENKONTAKT_TOPIC_VIEWS=f"views-{uuid.uuid4().hex[:6]}",
            ENKONTAKT_TOPIC_ALERTS=f"alerts-{uuid.uuid4().hex[:6]}",
            ENKONTAKT_TOPIC_NOTICES=f"notices-{uuid.uuid4().hex[:6]}",
        )


@pytest.fixture
def projection(tmp_path: Path) -> Iterator[Projection]:
    projection = Projection(sqlite_url(tmp_path))
    projection.upgrade()
    yield projection
    projection.close()


async def produce(kafka: KafkaSettings, records: list[tuple[str, str, bytes]]) -> None:
    producer = AIOKafkaProducer(
        **aiokafka_client_kwargs(kafka)
    )
    await producer.start()
    try:
        for topic, key, value in records:
            # One partition per topic: the order of the records below is the order read.
            await producer.send_and_wait(topic, value, key=key.encode(), partition=0)
    finally:
        await producer.stop()


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def snapshot(projection: Projection) -> dict[str, list[Any]]:
    """Everything the projection holds, except when it was written."""
    queries = {
        "views": select(EmployerView.orgnr, EmployerView.document).order_by(EmployerView.orgnr),
        "alerts": select(Alert.alert_id, Alert.document).order_by(Alert.alert_id),
        "notices": select(EmployerNotice.document).order_by(EmployerNotice.at),
    }
    with projection.engine.connect() as connection:
        return {name: list(connection.execute(query).all()) for name, query in queries.items()}


async def project_until(
    kafka: KafkaSettings, projection: Projection, group: str, done: Any, batch_size: int = 500
) -> None:
    """Run the projector until ``done(snapshot)`` holds, and a few more polls; then stop it."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        projector.run(
            kafka, ProjectorSettings(group_id=group, batch_size=batch_size), projection, stop
        )
    )
    try:
        for _ in range(300):
            if task.done():
                task.result()
            if done(snapshot(projection)):
                await asyncio.sleep(1.5)  # records after the awaited one get their chance
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"projection incomplete: {snapshot(projection)}")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def test_topics_are_projected_idempotently(kafka: KafkaSettings, projection: Projection) -> None:
    newest_view = s.view(updated_at="2026-10-12T08:00:00+02:00", name="Newest")
    resolved = s.alert(status="resolved", ends_at="2026-10-13T08:00:00+02:00")
    first, second = s.notice(), s.notice(at="2026-10-19T00:00:00+02:00")
    records = [
        (kafka.topic_views, s.ORGNR_A, encoded(newest_view)),
        (kafka.topic_views, s.ORGNR_A, encoded(s.view(updated_at="2026-10-01T08:00:00+02:00"))),
        (kafka.topic_views, s.ORGNR_B, b"{not json"),
        (kafka.topic_views, s.ORGNR_B, encoded({"orgnr": s.ORGNR_B})),
        (kafka.topic_alerts, "response-overdue", encoded(s.alert())),
        (kafka.topic_alerts, "response-overdue", encoded(resolved)),
        (kafka.topic_alerts, "response-overdue", encoded(s.alert())),
        (kafka.topic_notices, s.ORGNR_A, encoded(first)),
        (kafka.topic_notices, s.ORGNR_A, encoded(second)),
        (kafka.topic_notices, s.ORGNR_A, encoded(first)),
        (kafka.topic_views, s.ORGNR_C, encoded(s.view(s.ORGNR_C))),  # the last record
    ]
    asyncio.run(produce(kafka, records))

    def complete(found: dict[str, list[Any]]) -> bool:
        return {orgnr for orgnr, _ in found["views"]} == {s.ORGNR_A, s.ORGNR_C} and len(
            found["notices"]
        ) == 2

    # One record per transaction: the database, not the batch, must keep the newest.
    asyncio.run(project_until(kafka, projection, "projector-a", complete, batch_size=1))
    expected = {
        "views": sorted([(s.ORGNR_A, newest_view), (s.ORGNR_C, s.view(s.ORGNR_C))]),
        "alerts": [("alert-1", resolved)],
        "notices": [(first,), (second,)],
    }
    assert snapshot(projection) == expected

    # Another group re-reads every topic from the start, up to a new marker record:
    # apart from the marker, the projection stays as it was.
    marker = s.view("999999999", unit="0301")
    asyncio.run(produce(kafka, [(kafka.topic_views, "999999999", encoded(marker))]))

    def read_to_the_marker(found: dict[str, list[Any]]) -> bool:
        return any(orgnr == "999999999" for orgnr, _ in found["views"])

    asyncio.run(project_until(kafka, projection, "projector-b", read_to_the_marker))
    after = snapshot(projection)
    after["views"] = [row for row in after["views"] if row[0] != "999999999"]
    assert after == expected


def test_the_project_command_runs_until_stopped(kafka: KafkaSettings, tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    env = os.environ | {
        "KAFKA_BROKERS": ",".join(kafka.brokers),
        "ENKONTAKT_PROFILE": "embedded",
        "ENKONTAKT_PARTITIONS": "2",
        "ENKONTAKT_TOPIC_VIEWS": kafka.topic_views,
        "ENKONTAKT_TOPIC_ALERTS": kafka.topic_alerts,
        "ENKONTAKT_TOPIC_NOTICES": kafka.topic_notices,
        "ENKONTAKT_PROJECTOR_GROUP_ID": "projector-command",
    }
    command = [sys.executable, "-m", "enkontakt.cli", "project", "--database-url", url]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        marker = s.view("912345718", name="From the command")
        asyncio.run(produce(kafka, [(kafka.topic_views, "912345718", encoded(marker))]))
        projection = Projection(url)
        try:
            for _ in range(300):
                assert process.poll() is None, "the projector stopped"
                if (record := _view(projection, "912345718")) is not None:
                    break
                time.sleep(0.1)
            assert record == marker
        finally:
            projection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert b"projector_started" in output


def _view(projection: Projection, orgnr: str) -> dict[str, Any] | None:
    try:
        with projection.engine.connect() as connection:
            found: dict[str, Any] | None = connection.scalar(
                select(EmployerView.document).where(EmployerView.orgnr == orgnr)
            )
            return found
    except OperationalError:  # the command has not created the tables yet
        return None
