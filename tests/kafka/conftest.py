"""Fixtures for tests against the embedded Kafka broker.

One broker serves the whole session; each test isolates itself with its own
topic names and application id (see ``kafka_settings``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord, TopicPartition

from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.settings import KafkaSettings


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """An embedded tansu broker for the whole test session."""
    log_path = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log_path=log_path) as running:
        yield running


@pytest.fixture
def kafka_settings(broker: EmbeddedBroker, tmp_path: Path) -> KafkaSettings:
    """Embedded-profile settings with topic names and an app id unique to this test."""
    unique = uuid.uuid4().hex[:8]
    return KafkaSettings(
        KAFKA_BROKERS=broker.bootstrap,
        ENKONTAKT_PROFILE="embedded",
        ENKONTAKT_APP_ID=f"test-{unique}",
        ENKONTAKT_PARTITIONS=3,
        ENKONTAKT_TOPIC_EVENTS=f"t{unique}.events",
        ENKONTAKT_TOPIC_DLQ=f"t{unique}.dlq",
        ENKONTAKT_TOPIC_ALERTS=f"t{unique}.alerts",
        ENKONTAKT_TOPIC_VIEWS=f"t{unique}.views",
        ENKONTAKT_TOPIC_NOTICES=f"t{unique}.notices",
        ENKONTAKT_DATA_DIR=str(tmp_path / "data"),
    )


class KafkaIO:
    """Plain aiokafka producing and reading for assertions, against one broker."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap

    async def produce(self, topic: str, records: list[tuple[bytes, bytes]]) -> None:
        """Send key/value records."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap
        )
        await producer.start()
        try:
            for key, value in records:
                await producer.send_and_wait(topic, value, key=key)
        finally:
            await producer.stop()

    async def read(
        self, topic: str, *, count: int, timeout: float = 30.0
    ) -> list[ConsumerRecord[bytes, bytes]]:
        """Read all partitions of ``topic`` from the start until ``count`` records or timeout."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            await consumer.topics()  # fetches metadata for every topic
            numbers = sorted(consumer.partitions_for_topic(topic) or ())
            partitions = [TopicPartition(topic, number) for number in numbers]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            records: list[ConsumerRecord[bytes, bytes]] = []
            deadline = time.monotonic() + timeout
            while len(records) < count and time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=200)
                for batch in batches.values():
                    records.extend(batch)
            return records
        finally:
            await consumer.stop()


@pytest.fixture
def kafka_io(broker: EmbeddedBroker) -> KafkaIO:
    """Produce to and read from the session broker."""
    return KafkaIO(broker.bootstrap)
