"""Fixtures for the streaming services on the embedded broker.

One broker serves the folder. Each test gets its own application id and its own
contract topic names, so consumer groups, internal topics and outputs never mix;
the topics are created before the services start, as a platform declares them.
When a test fails, the tail of every service log it started is added to the report.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.kafka.topics import ensure_topics
from enkontakt.settings import KafkaSettings
from tests.streaming.processes import Services
from tests.streaming.runs import StandardRun, run_standard

PARTITIONS = 4

_LOG_TAILS = pytest.StashKey[list[Services]]()


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """An embedded tansu broker for the whole folder."""
    log_path = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log_path=log_path) as running:
        yield running


def streaming_settings(broker: EmbeddedBroker, directory: Path) -> KafkaSettings:
    """Embedded-profile settings with an app id and topic names of their own, topics created."""
    unique = uuid.uuid4().hex[:8]
    settings = KafkaSettings(
        KAFKA_BROKERS=broker.bootstrap,
        ENKONTAKT_PROFILE="embedded",
        ENKONTAKT_APP_ID=f"st-{unique}",
        ENKONTAKT_PARTITIONS=PARTITIONS,
        ENKONTAKT_TOPIC_EVENTS=f"s{unique}.contact-events.v1",
        ENKONTAKT_TOPIC_DLQ=f"s{unique}.contact-events.dlq.v1",
        ENKONTAKT_TOPIC_ALERTS=f"s{unique}.alerts.v1",
        ENKONTAKT_TOPIC_VIEWS=f"s{unique}.employer-views.v1",
        ENKONTAKT_TOPIC_NOTICES=f"s{unique}.employer-notices.v1",
        ENKONTAKT_DATA_DIR=str(directory / "data"),
    )
    asyncio.run(ensure_topics(settings))
    return settings


@pytest.fixture
def settings(broker: EmbeddedBroker, tmp_path: Path) -> KafkaSettings:
    """Settings of this test's services."""
    return streaming_settings(broker, tmp_path)


@pytest.fixture
def services(
    settings: KafkaSettings, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Services]:
    """Start services for this test; every one of them is stopped afterwards."""
    started = Services(settings, tmp_path)
    request.node.stash.setdefault(_LOG_TAILS, []).append(started)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture(scope="session")
def standard_run_once(
    broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StandardRun]:
    """The standard run (see ``runs.py``), done once for the tests that check it."""
    directory = tmp_path_factory.mktemp("standard-run")
    started = Services(streaming_settings(broker, directory), directory)
    try:
        try:
            run = run_standard(broker.bootstrap, started, directory)
        except Exception as error:
            raise RuntimeError(f"the standard run failed\n{started.log_tails()}") from error
        yield run
    finally:
        started.stop_all()


@pytest.fixture
def standard_run(standard_run_once: StandardRun, request: pytest.FixtureRequest) -> StandardRun:
    """The standard run, its service logs shown if this test fails."""
    request.node.stash.setdefault(_LOG_TAILS, []).append(standard_run_once.services)
    return standard_run_once


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """Add the tails of the service logs to the report of a failed test."""
    report = yield
    if report.failed:
        for started in item.stash.get(_LOG_TAILS, []):
            report.sections.append(("service logs", started.log_tails()))
    return report
