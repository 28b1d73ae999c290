"""Where a message is handled: the producer's partitioner, the partitions held
by this worker, and whether an input event is applied where it was read."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import murmur2

from enkontakt.logging import get_logger
from enkontakt.settings import KafkaSettings, aiokafka_client_kwargs

log = get_logger("enkontakt.streaming")


def partition_of(key: str, partitions: int) -> int:
    """The partition the producer's default partitioner gives a key (murmur2, as in
    the Java client and aiokafka)."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def held_here(app: faust.App, topic: str, table: Any) -> list[str]:
    """The orgnrs stored in the table for the partitions of ``topic`` assigned to
    this worker. Every stored employer has its snapshot under its orgnr (the
    events since go under ``orgnr/slot``), so only those keys are looked at.

    The memory store keeps standby copies and the data of revoked partitions in
    the same dictionary; only the active partitions' employers are ours."""
    assigned = {tp.partition for tp in app.consumer.assignment() if tp.topic == topic}
    partitions = app.conf.topic_partitions
    orgnrs = [key for key in list(table.keys()) if "/" not in key]
    return sorted(o for o in orgnrs if partition_of(o, partitions) in assigned)


@dataclass(slots=True)
class Routing:
    """Whether an input message can be applied where it was read.

    It can when it came in on the partition that holds its employer: the input
    topic has as many partitions as the accepted topic (faust then assigns
    partition p of both to the same worker) and the producer's key led the event
    to its orgnr's partition. Otherwise it takes the detour through ``accepted``.
    The decision depends only on the message and the input topic's partition
    count, read from the broker once before any input is handled, so the
    coordinator and the notifier decide alike: every event reaches each service's
    employers once, from the input or from ``accepted``.
    """

    settings: KafkaSettings
    direct: bool | None = None
    known: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Read the input topic's partition count (a task at service start)."""
        count = len(await topic_partitions(self.settings, self.settings.topic_events))
        self.direct = count == self.settings.partitions
        if not self.direct:
            log.warning(
                "input partitions differ: every event goes through the accepted topic",
                input_partitions=count,
                partitions=self.settings.partitions,
            )
        else:
            log.info("input partitions known", input_partitions=count)
        self.known.set()

    def held_as_read(self, orgnr: str, partition: int) -> bool:
        """True when the event of ``orgnr`` read on ``partition`` is held here."""
        if self.direct is None:
            raise RuntimeError("the input topic's partitions are not known yet")
        return self.direct and partition_of(orgnr, self.settings.partitions) == partition


async def topic_partitions(settings: KafkaSettings, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic``, waiting up to a minute for it to exist."""
    consumer = AIOKafkaConsumer(enable_auto_commit=False, **aiokafka_client_kwargs(settings))
    await consumer.start()
    try:
        # Metadata of every topic; it also lets the consumer's background tasks
        # start, without which stop() raises CancelledError (aiokafka 0.14).
        await consumer.topics()
        return await partitions_of(consumer, topic)
    finally:
        await consumer.stop()


async def partitions_of(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic``, waiting up to a minute for it to exist."""
    for _ in range(120):
        found = consumer.partitions_for_topic(topic)
        if found:
            return [TopicPartition(topic, p) for p in sorted(found)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.5)
    raise RuntimeError(f"topic {topic} does not exist")
