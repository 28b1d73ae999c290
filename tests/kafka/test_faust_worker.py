"""A real faust worker on the embedded broker: messages flow, and a table survives a restart.

The worker is tests/kafka/smoke_app.py run as a subprocess, stopped with SIGTERM
as a platform would stop it. Its table lives in memory, so after a restart it
has only what it recovered from the changelog topic: exactly the path where
tansu's end-offset quirk would cut recovery short without the embedded profile.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import pytest

from enkontakt.kafka.topics import ensure_topics
from enkontakt.settings import KafkaSettings, as_environment

if TYPE_CHECKING:
    from conftest import KafkaIO

pytestmark = pytest.mark.integration

SMOKE_APP = Path(__file__).with_name("smoke_app.py")


class WorkerProcess:
    """The smoke worker as a child process, its output in a log file."""

    def __init__(self, settings: KafkaSettings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        environment = {**os.environ, **as_environment(self.settings)}
        command = [sys.executable, str(SMOKE_APP)]
        command += [self.settings.topic_events, self.settings.topic_alerts]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then wait; returns the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _reports(records: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(record.value) for record in records]


def _new_reports(records: list[Any], seen: set[tuple[int, int]]) -> list[dict[str, Any]]:
    """The reports at positions (partition, offset) not in ``seen``."""
    return _reports([r for r in records if (r.partition, r.offset) not in seen])


def _expected_ids(count: int, keys: int) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for n in range(count):
        ids.setdefault(f"k{n % keys}", []).append(f"m{n}")
    return {key: sorted(values) for key, values in ids.items()}


def _latest_ids(reports: list[dict[str, Any]], keys_of: dict[str, str]) -> dict[str, list[str]]:
    latest: dict[str, list[str]] = {}
    for report in reports:
        latest[keys_of[report["id"]]] = report["ids"]
    return latest


def test_worker_processes_messages_and_recovers_its_table_after_restart(
    kafka_settings: KafkaSettings, kafka_io: KafkaIO, tmp_path: Path
) -> None:
    source, sink = kafka_settings.topic_events, kafka_settings.topic_alerts
    asyncio.run(ensure_topics(kafka_settings))
    messages = [(f"k{n % 3}".encode(), f"m{n}".encode()) for n in range(30)]
    keys_of = {value.decode(): key.decode() for key, value in messages}
    log_path = tmp_path / "worker.log"

    try:
        with WorkerProcess(kafka_settings, log_path) as worker:
            asyncio.run(kafka_io.produce(source, messages[:20]))
            first_records = asyncio.run(kafka_io.read(sink, count=20, timeout=30))
            assert worker.stop() == 0
        first = _reports(first_records)

        assert len(first) == 20
        assert all(report["applied"] for report in first)
        assert _latest_ids(first, keys_of) == _expected_ids(20, 3)

        started = time.monotonic()
        with WorkerProcess(kafka_settings, log_path) as worker:
            asyncio.run(kafka_io.produce(source, messages[20:]))
            records = asyncio.run(kafka_io.read(sink, count=30, timeout=30))
            restart_seconds = time.monotonic() - started
            assert worker.stop() == 0
    except BaseException:
        print(log_path.read_text()[-5000:])
        raise

    after_restart = _new_reports(records, {(r.partition, r.offset) for r in first_records})
    # Every id the restarted worker reports as new is one it has not seen before: the
    # table came back from the changelog. A re-read of old input would show up here as
    # reports with applied == False, which idempotent processing makes harmless.
    assert {r["id"] for r in after_restart if r["applied"]} == {f"m{n}" for n in range(20, 30)}
    assert _latest_ids(after_restart, keys_of) == _expected_ids(30, 3)
    assert restart_seconds < 30, f"restart took {restart_seconds:.1f}s"
