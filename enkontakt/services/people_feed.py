"""The people feed: every person record and absence, read by every worker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer

from enkontakt.kafka.offsets import end_offsets
from enkontakt.kafka.profiles import tuning_for
from enkontakt.logging import get_logger
from enkontakt.services.routing import partitions_of
from enkontakt.settings import KafkaSettings, ssl_context

log = get_logger("enkontakt.streaming")


@dataclass(slots=True)
class PeopleFeed:
    """Reads the people topic in full (no consumer group) into this worker.

    Every worker needs every person record; records are idempotent and
    commutative, so reading from the beginning after a restart is correct.
    ``caught_up`` turns true, and ``read`` is set, once the records present at
    start-up are read: a worker derives nothing before, as a partial directory
    would publish views without details and alerts that never held.
    """

    settings: KafkaSettings
    handle: Callable[[bytes], Awaitable[None]]
    caught_up: bool = False
    read: asyncio.Event = field(default_factory=asyncio.Event)
    consumer: AIOKafkaConsumer | None = None

    async def run(self) -> None:
        """Consume until cancelled."""
        topic = self.settings.internal_topic("people")
        context = ssl_context(self.settings)
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=list(self.settings.brokers),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            security_protocol="SSL" if context is not None else "PLAINTEXT",
            ssl_context=context,
            **tuning_for(self.settings).aiokafka_consumer_kwargs(),
        )
        await self.consumer.start()
        try:
            partitions = await partitions_of(self.consumer, topic)
            self.consumer.assign(partitions)
            await self.consumer.seek_to_beginning(*partitions)
            ends = await end_offsets(self.consumer, self.settings, partitions)
            # A partition whose records have all expired holds nothing to wait for.
            starts = await self.consumer.beginning_offsets(partitions)
            pending = {tp for tp, end in ends.items() if end > starts.get(tp, 0)}
            if not pending:
                self._caught_up()
            while True:
                batches = await self.consumer.getmany(timeout_ms=500, max_records=500)
                for tp, records in batches.items():
                    for record in records:
                        if record.value is not None:
                            await self._handle(tp.partition, record.offset, record.value)
                    if tp in pending and records and records[-1].offset + 1 >= ends[tp]:
                        pending.discard(tp)
                if not self.caught_up and not pending:
                    self._caught_up()
        finally:
            await self.consumer.stop()

    def _caught_up(self) -> None:
        self.caught_up = True
        self.read.set()
        log.info("people feed caught up")

    async def _handle(self, partition: int, offset: int, value: bytes) -> None:
        try:
            await self.handle(value)
        except (ValueError, KeyError, TypeError):
            # Written by our own coordinator, so this is a bug or a foreign writer:
            # skip the record, say where it is, never its content.
            log.exception("people record skipped", partition=partition, offset=offset)
