"""The people feed tells a worker when it has read every person record present at
start-up: the services handle no event and derive nothing before."""

from __future__ import annotations

import asyncio

import pytest

from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.kafka.topics import TopicSpec, ensure_topics
from enkontakt.services.people_feed import PeopleFeed
from enkontakt.settings import KafkaSettings
from tests.kafka.conftest import KafkaIO

pytestmark = pytest.mark.integration


def handled_when_read(settings: KafkaSettings) -> tuple[int, bool]:
    """How many records the feed had handled when ``read`` was set, and
    whether ``caught_up`` was true then."""
    handled: list[bytes] = []

    async def handle(raw: bytes) -> None:
        handled.append(raw)
        await asyncio.sleep(0)  # give a waiter every chance to run too early

    async def run() -> tuple[int, bool]:
        feed = PeopleFeed(settings, handle)
        task = asyncio.create_task(feed.run())
        try:
            await asyncio.wait_for(feed.read.wait(), 30)
            return len(handled), feed.caught_up
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    return asyncio.run(run())


def people_topic(settings: KafkaSettings) -> str:
    topic = settings.internal_topic("people")
    spec = TopicSpec(topic, settings.partitions, compacted=False, retention_days=None)
    asyncio.run(ensure_topics(settings, (spec,)))
    return topic


def test_the_feed_is_read_only_after_every_record_present_at_start(
    broker: EmbeddedBroker, kafka_settings: KafkaSettings, kafka_io: KafkaIO
) -> None:
    topic = people_topic(kafka_settings)
    records = [(f"k{n}".encode(), b'{"kind": "mentions", "mentions": []}') for n in range(300)]
    asyncio.run(kafka_io.produce(topic, records))

    assert handled_when_read(kafka_settings) == (300, True)


def test_an_empty_feed_is_read_at_once(
    broker: EmbeddedBroker, kafka_settings: KafkaSettings
) -> None:
    people_topic(kafka_settings)

    assert handled_when_read(kafka_settings) == (0, True)
