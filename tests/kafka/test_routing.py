"""Where an input event is applied: both services decide alike from the message
and the input topic's partition count, read from the broker."""

from __future__ import annotations

import asyncio

import pytest

from enkontakt.kafka.broker import EmbeddedBroker
from enkontakt.kafka.topics import ensure_topics
from enkontakt.services.routing import Routing, partition_of
from enkontakt.settings import KafkaSettings

pytestmark = pytest.mark.integration

ORGNRS = [f"9100000{n:02d}" for n in range(40)]


def started(settings: KafkaSettings) -> Routing:
    routing = Routing(settings)

    async def start() -> None:
        await routing.start()
        await asyncio.wait_for(routing.known.wait(), 1)

    asyncio.run(start())
    return routing


def test_an_event_read_on_its_orgnrs_partition_is_applied_there(
    broker: EmbeddedBroker, kafka_settings: KafkaSettings
) -> None:
    asyncio.run(ensure_topics(kafka_settings))
    routing = started(kafka_settings)
    n = kafka_settings.partitions

    assert routing.direct is True
    for orgnr in ORGNRS:
        held = partition_of(orgnr, n)
        assert routing.held_as_read(orgnr, held)
        assert not any(routing.held_as_read(orgnr, p) for p in range(n) if p != held)


def test_an_input_topic_partitioned_otherwise_sends_everything_through_accepted(
    broker: EmbeddedBroker, kafka_settings: KafkaSettings
) -> None:
    asyncio.run(ensure_topics(kafka_settings))
    more = kafka_settings.model_copy(update={"partitions": kafka_settings.partitions + 2})
    routing = started(more)

    assert routing.direct is False
    assert not any(
        routing.held_as_read(orgnr, p) for orgnr in ORGNRS for p in range(more.partitions)
    )


def test_nothing_is_decided_before_the_partitions_are_known(kafka_settings: KafkaSettings) -> None:
    with pytest.raises(RuntimeError, match="not known"):
        Routing(kafka_settings).held_as_read(ORGNRS[0], 0)
