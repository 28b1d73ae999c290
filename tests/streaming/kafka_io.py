"""Plain aiokafka clients for the tests: ``Producer`` writes the input topic,
``Outputs`` reads the output topics from the beginning and keeps what the tests
compare (the latest view per orgnr, the latest message per alert).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeAlias

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord, TopicPartition

from enkontakt.settings import KafkaSettings
from tests.streaming.compare import firing

Record: TypeAlias = ConsumerRecord[bytes, bytes]
Headers = list[tuple[str, bytes]]


class Producer:
    """An aiokafka producer."""

    def __init__(self, bootstrap: str) -> None:
        self.client = AIOKafkaProducer(
            bootstrap_servers=bootstrap
        )
        self.pending: list[asyncio.Future[Any]] = []

    async def __aenter__(self) -> Producer:
        await self.client.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.flush()
        await self.client.stop()

    async def send(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        partition: int | None = None,
        headers: Headers | None = None,
    ) -> None:
        """Queue one record (``flush`` waits for the acknowledgements)."""
        future = await self.client.send(
            topic, value, key=key, partition=partition, headers=headers or None
        )
        self.pending.append(future)

    async def flush(self) -> None:
        """Wait until every queued record is acknowledged."""
        pending, self.pending = self.pending, []
        await asyncio.gather(*pending)


class Outputs:
    """Reads topics from the beginning, all partitions, and keeps what the tests need:
    the latest view per orgnr, the latest message per alert id (with the wall time it
    was read), and every other record per topic."""

    def __init__(self, bootstrap: str, settings: KafkaSettings, *extra: str) -> None:
        self.settings = settings
        self.topics = [settings.topic_views, settings.topic_alerts, settings.topic_dlq, *extra]
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.views: dict[str, dict[str, Any]] = {}
        self.view_messages = 0
        self.alerts: dict[str, dict[str, Any]] = {}
        self.alert_arrivals: list[tuple[float, dict[str, Any]]] = []
        self.records: dict[str, list[Record]] = {topic: [] for topic in self.topics}

    async def __aenter__(self) -> Outputs:
        await self.consumer.start()
        partitions = await self._partitions()
        self.consumer.assign(partitions)
        await self.consumer.seek_to_beginning(*partitions)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def _partitions(self, timeout: float = 30.0) -> list[TopicPartition]:
        deadline = time.monotonic() + timeout
        while True:
            await self.consumer.topics()
            found = {t: self.consumer.partitions_for_topic(t) for t in self.topics}
            if all(found.values()):
                return [TopicPartition(t, p) for t, ps in found.items() for p in sorted(ps or ())]
            if time.monotonic() > deadline:
                missing = [t for t, ps in found.items() if not ps]
                raise TimeoutError(f"topics missing: {missing}")
            await asyncio.sleep(0.2)

    async def poll(self, timeout: float = 0.2) -> int:
        """Read what has arrived; returns the number of records read."""
        batches = await self.consumer.getmany(timeout_ms=int(timeout * 1000), max_records=5000)
        now = time.time()
        count = 0
        for tp, records in batches.items():
            for record in records:
                count += 1
                self._take(tp.topic, record, now)
        return count

    def _take(self, topic: str, record: Record, now: float) -> None:
        if topic == self.settings.topic_views and record.value is not None:
            view = orjson.loads(record.value)
            self.views[view["orgnr"]] = view
            self.view_messages += 1
        elif topic == self.settings.topic_alerts and record.value is not None:
            alert = orjson.loads(record.value)
            self.alerts[alert["alert_id"]] = alert
            self.alert_arrivals.append((now, alert))
        else:
            self.records[topic].append(record)

    async def until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Keep reading until ``done()`` holds or ``timeout`` seconds have passed."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                return False
            await self.poll()
        return True

    async def settle(self, seconds: float) -> None:
        """Keep reading for ``seconds``, to catch anything published late."""
        await self.until(lambda: False, seconds)

    def firing(self) -> set[tuple[str, str, datetime]]:
        """The alerts whose latest message says firing, as (rule, key, starts_at)."""
        return firing(self.alerts.values())


def header(record: Record, name: str) -> bytes | None:
    """The value of a record's header, or None."""
    return next((value for key, value in record.headers if key == name), None)
