"""The projector: Kafka topics of views, alerts and notices → the SQL projection.

At-least-once: a batch is written (idempotently) before its offsets are
committed, so a crash between the two only repeats writes that change nothing.
A record that is not a valid document (:mod:`enkontakt.projection.validation`)
is logged by position and the reason's class, never by content, and skipped:
it can never succeed, and holding the partition back for it would stall the
rest.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from enkontakt.kafka.profiles import tuning_for
from enkontakt.kafka.topics import ensure_topics
from enkontakt.logging import bound_message, get_logger
from enkontakt.projection.settings import ProjectorSettings
from enkontakt.projection.store import Projection
from enkontakt.projection.validation import InvalidDocument, check_document
from enkontakt.settings import KafkaSettings, aiokafka_client_kwargs

log = get_logger(__name__)


@dataclass
class Batch:
    """The decoded documents of one poll, per kind, in arrival order."""

    views: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0

    def add(self, kind: str, document: dict[str, Any]) -> None:
        """Append a document of ``kind`` (``views``, ``alerts`` or ``notices``)."""
        getattr(self, kind).append(document)


def decode(record: ConsumerRecord[bytes, bytes], kind: str) -> dict[str, Any] | None:
    """The record's document when it is a valid one of ``kind``, else ``None`` (logged)."""
    try:
        if record.value is None:
            raise InvalidDocument("Tombstone")
        document: dict[str, Any] = json.loads(record.value)
        check_document(kind, document)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, or an InvalidDocument
        error = exc.reason if isinstance(exc, InvalidDocument) else type(exc).__name__
        with bound_message(topic=record.topic, partition=record.partition, offset=record.offset):
            log.warning("record_skipped", error=error)
        return None
    return document


def collect(records: Iterable[ConsumerRecord[bytes, bytes]], kinds: Mapping[str, str]) -> Batch:
    """Decode records into a batch, by the kind of topic they came from."""
    batch = Batch()
    for record in records:
        kind = kinds[record.topic]
        document = decode(record, kind)
        if document is None:
            batch.skipped += 1
        else:
            batch.add(kind, document)
    return batch


def apply(projection: Projection, batch: Batch) -> int:
    """Write one batch to the projection; return how many rows the database refused."""
    return (
        projection.write_views(batch.views)
        + projection.write_alerts(batch.alerts)
        + projection.write_notices(batch.notices)
    )


class Consumer(Protocol):
    """The part of :class:`aiokafka.AIOKafkaConsumer` the projector uses."""

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = ..., max_records: int | None = ...
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]: ...

    async def commit(self) -> None: ...


async def project(
    consumer: Consumer,
    projection: Projection,
    kinds: Mapping[str, str],
    stop: asyncio.Event,
    max_records: int = 500,
) -> None:
    """Poll, write and commit until ``stop`` is set."""
    while not stop.is_set():
        polled = await consumer.getmany(timeout_ms=500, max_records=max_records)
        if not polled:
            continue
        batch = collect((r for records in polled.values() for r in records), kinds)
        batch.skipped += await asyncio.to_thread(apply, projection, batch)
        await consumer.commit()
        log.info(
            "batch_projected",
            views=len(batch.views),
            alerts=len(batch.alerts),
            notices=len(batch.notices),
            skipped=batch.skipped,
        )


def topic_kinds(kafka: KafkaSettings) -> dict[str, str]:
    """Which kind of document each configured topic carries."""
    return {
        kafka.topic_views: "views",
        kafka.topic_alerts: "alerts",
        kafka.topic_notices: "notices",
    }


def consumer_kwargs(kafka: KafkaSettings, settings: ProjectorSettings) -> dict[str, Any]:
    """Keyword arguments of the projector's consumer, with the profile's group tuning."""
    tuning = tuning_for(kafka)
    group = {
        "session_timeout_ms": tuning.session_timeout,
        "rebalance_timeout_ms": tuning.rebalance_timeout,
        "heartbeat_interval_ms": tuning.heartbeat_interval,
    }
    return (
        aiokafka_client_kwargs(kafka)
        | {
            "group_id": settings.group_id,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
        }
        | {key: int(seconds * 1000) for key, seconds in group.items() if seconds is not None}
        | tuning.aiokafka_consumer_kwargs()
    )


async def run(
    kafka: KafkaSettings,
    settings: ProjectorSettings,
    projection: Projection,
    stop: asyncio.Event,
) -> None:
    """Run the projector with a real consumer until ``stop`` is set."""
    if kafka.create_topics:
        await ensure_topics(kafka)
    kinds = topic_kinds(kafka)
    consumer = AIOKafkaConsumer(*kinds, **consumer_kwargs(kafka, settings))
    await consumer.start()
    log.info("projector_started", topics=sorted(kinds), group=settings.group_id)
    try:
        await project(consumer, projection, kinds, stop, settings.batch_size)
    finally:
        await consumer.stop()
