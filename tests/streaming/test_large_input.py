"""Input as large as a broker takes by default never stops the coordinator: an
event over the contract's size goes to the DLQ with its original bytes, and the
events behind it are applied."""

from __future__ import annotations

import asyncio

import pytest

from enkontakt.kafka.broker import EmbeddedBroker
from tests import builders as b
from tests.streaming import stream
from tests.streaming.kafka_io import Outputs, Producer, header
from tests.streaming.processes import Services
from tests.streaming.runs import send

pytestmark = pytest.mark.integration


def test_an_event_of_a_megabyte_goes_to_the_dlq_and_the_next_one_is_applied(
    broker: EmbeddedBroker, services: Services
) -> None:
    settings = services.settings
    coordinator = services.start("coordinator")
    services.wait_ready(coordinator)
    orgnr = stream.crafted_orgnr(301)
    big = b.contact("2026-11-20 10:00", b.person(1), orgnr=orgnr, id="big-1")
    big["padding"] = "x" * 1_010_000  # an extension attribute: valid, but too large
    big_line = stream.line(big)
    after = b.contact("2026-11-20 11:00", b.person(2), orgnr=orgnr, id="after-1")

    async def scenario() -> Outputs:
        async with (
            Producer(broker.bootstrap) as producer,
            Outputs(broker.bootstrap, settings) as outputs,
        ):
            await send(
                producer,
                settings.topic_events,
                [stream.keyed(big_line), stream.keyed(stream.line(after))],
            )
            await producer.flush()
            applied = lambda: orgnr in outputs.views and bool(outputs.records[settings.topic_dlq])  # noqa: E731
            assert await outputs.until(applied, 60)
            return outputs

    outputs = asyncio.run(scenario())

    assert coordinator.running
    [rejected] = outputs.records[settings.topic_dlq]
    assert rejected.value == big_line
    assert header(rejected, "enkontakt-error") == b"not-cloudevent"
    assert outputs.views[orgnr]["contacts_total"] == 1
