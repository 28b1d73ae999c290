"""Publishing keeps the order in which the messages were computed, across the
concurrent agents, timers and feeds of one service, and a batch of input sends
its person records in one message."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any, cast

import faust
import orjson

from enkontakt.services.coordinator.worker import Out, intake, people_message
from enkontakt.services.streaming import Topics
from tests import builders as b


@dataclass
class SlowProducer:
    """faust's producer as far as ``Topics.send`` uses it: a send that may wait."""

    rng: random.Random
    sent: list[bytes] = field(default_factory=list)

    async def send(self, topic: str, key: Any, value: bytes, *rest: Any) -> None:
        for _ in range(self.rng.randrange(3)):
            await asyncio.sleep(0)  # e.g. waiting for room in the producer's buffer
        self.sent.append(value)


@dataclass
class FakeTopic:
    app: Any
    name: str

    def get_topic_name(self) -> str:
        return self.name


async def compute_and_send(topics: Topics, clock: list[int], count: int) -> None:
    """Like an agent: compute a few messages from the shared state, then send them."""
    for _ in range(count):
        outs = []
        for _ in range(3):
            clock[0] += 1
            outs.append(Out("alerts", b"k", str(clock[0]).encode()))
        await topics.send(outs)
        await asyncio.sleep(0)


def test_messages_go_out_in_the_order_they_were_computed() -> None:
    producer = SlowProducer(random.Random(7))
    app = type("App", (), {"producer": producer})()
    topic = cast(faust.TopicT, FakeTopic(app, "alerts"))

    async def main() -> Topics:
        topics = Topics({"alerts": topic})
        clock = [0]
        await asyncio.gather(*(compute_and_send(topics, clock, 20) for _ in range(4)))
        return topics

    asyncio.run(main())

    numbers = [int(v) for v in producer.sent]
    assert len(numbers) == 4 * 20 * 3
    assert numbers == sorted(numbers)


def test_a_batch_sends_the_person_records_of_all_its_events_in_one_message() -> None:
    lines = b.lines(
        b.contact("2026-10-01 08:00", b.person(1)),
        b.assign("2026-10-01 09:00", b.person(2), deputy=b.person(3)),
    )
    results = [intake(None, line.encode(), ()) for line in lines]

    message = people_message([m for r in results for m in r.mentions])

    assert message is not None and message.topic == "people"
    records = orjson.loads(message.value)
    assert records["kind"] == "mentions"
    idents = [r["idents"][0] for r in records["mentions"]]
    assert idents == ["id:1902:Z000001", "id:1902:Z000002", "id:1902:Z000003"]
    assert message.key == b"id:1902:Z000001"
    assert people_message([]) is None
