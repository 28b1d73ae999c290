"""The streaming benchmark's framework floor: a faust worker that only takes the
input topic, and one that also stores each message in a table as the services
store each event."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from bench import bench_streaming
from enkontakt.settings import KafkaSettings
from tests.streaming.kafka_io import Outputs, Producer

pytestmark = pytest.mark.integration

MESSAGES = 300

Record = tuple[int, bytes | None, bytes | None]


async def produce(settings: KafkaSettings, values: list[bytes]) -> None:
    async with Producer(settings.brokers[0]) as producer:
        for n, value in enumerate(values):
            await producer.send(settings.topic_events, value, key=b"%d" % (n % 7))


async def changelog(settings: KafkaSettings, mode: str, wait: float) -> Counter[Record]:
    """Every record on the changelog of a floor's table (its worker has stopped)."""
    topic = f"{settings.faust_id}-floor-{mode}-floor-changelog"
    async with Outputs(settings.brokers[0], settings, topic) as outputs:
        await outputs.until(lambda: len(outputs.records[topic]) >= MESSAGES, timeout=wait)
        await outputs.settle(1.0)
        return Counter((r.partition, r.key, r.value) for r in outputs.records[topic])


def test_the_floor_takes_every_message_and_stores_each_once(
    settings: KafkaSettings, tmp_path: Path
) -> None:
    values = [b'{"n": %d}' % n for n in range(MESSAGES)]
    asyncio.run(produce(settings, values))

    floors = [
        bench_streaming.faust_floor(settings, mode, MESSAGES, tmp_path, timeout=120)
        for mode in ("take", "store")
    ]

    for floor in floors:
        assert floor.events == MESSAGES
        assert floor.seconds > 0 and floor.cpu_seconds > 0
        rate, _, cpu = floor.row()[1].partition(" events/s ")
        assert float(rate.replace(",", "")) == pytest.approx(MESSAGES / floor.seconds, abs=1)
        assert cpu.startswith("(") and cpu.endswith(" µs CPU per event)")
    # Only ``store`` writes its table: one changelog record per message, on the
    # message's own partition, under a key of its own.
    assert not asyncio.run(changelog(settings, "take", 2))
    stored = asyncio.run(changelog(settings, "store", 30))
    assert Counter(value for _, _, value in stored.elements()) == Counter(values)
    assert all(key.startswith(b'"%d/' % partition) for partition, key, _ in stored)
    assert len({key for _, key, _ in stored}) == MESSAGES
