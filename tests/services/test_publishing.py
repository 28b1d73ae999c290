"""Publishing keeps the order in which the messages were computed, across the
concurrent agents, timers and feeds of one service; a batch of input sends its
person records in one message; and a batch's state is stored only after its
messages are delivered; a send that fails stops the worker."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any, cast

import faust
import orjson
import pytest
from aiokafka.errors import MessageSizeTooLargeError
from faust.streams import _current_event

from enkontakt.services.batches import StateWrites
from enkontakt.services.coordinator.intake import Out, intake, people_message
from enkontakt.services.streaming import Topics
from tests import builders as b


@dataclass
class SlowProducer:
    """faust's producer as far as ``Topics.send`` uses it: a send that may wait."""

    rng: random.Random
    sent: list[bytes] = field(default_factory=list)

    async def send(self, topic: str, key: Any, value: bytes, *rest: Any) -> asyncio.Future[None]:
        for _ in range(self.rng.randrange(3)):
            await asyncio.sleep(0)  # e.g. waiting for room in the producer's buffer
        self.sent.append(value)
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        acked.set_result(None)
        return acked


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


@dataclass
class AckingProducer:
    """A producer whose sends are acknowledged by the broker some time later."""

    acks: list[asyncio.Future[None]] = field(default_factory=list)

    async def send(self, topic: str, key: Any, value: bytes, *rest: Any) -> asyncio.Future[None]:
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.acks.append(ack)
        return ack


def test_a_send_waits_for_the_broker_only_when_asked_to() -> None:
    producer = AckingProducer()
    app = type("App", (), {"producer": producer})()
    topics = Topics({"alerts": cast(faust.TopicT, FakeTopic(app, "alerts"))})
    outs = [Out("alerts", b"k", b"1"), Out("alerts", b"k", b"2")]

    async def main() -> tuple[bool, bool]:
        await asyncio.wait_for(topics.send(outs), 1)  # enqueued is enough
        delivered = asyncio.ensure_future(topics.send(outs, delivered=True))
        await asyncio.sleep(0.01)
        waiting = not delivered.done()
        for ack in producer.acks:
            ack.set_result(None)
        await asyncio.wait_for(delivered, 1)
        return waiting, delivered.done()

    assert asyncio.run(main()) == (True, True)


def test_a_delivered_send_waits_for_what_was_sent_before_it_too() -> None:
    # A timer published an alert; a batch then stores a state that records it:
    # the batch's own acknowledgements are not enough.
    producer = AckingProducer()
    app = type("App", (), {"producer": producer})()
    topics = Topics({"alerts": cast(faust.TopicT, FakeTopic(app, "alerts"))})

    async def main() -> list[bool]:
        await topics.send([Out("alerts", b"k", b"from a timer")])
        delivered = asyncio.ensure_future(
            topics.send([Out("alerts", b"k", b"from a batch")], delivered=True)
        )
        await asyncio.sleep(0.01)
        timer_ack, batch_ack = producer.acks
        batch_ack.set_result(None)
        await asyncio.sleep(0.01)
        waiting = [not delivered.done()]
        timer_ack.set_result(None)
        await asyncio.wait_for(delivered, 1)
        return [*waiting, not topics.unacknowledged]

    assert asyncio.run(main()) == [True, True]


class Message:
    """Stands in for a faust event: what ``as_current`` needs of one."""


class RecordingTable(dict):
    """A table that notes which event was faust's current one at each write."""

    def __init__(self) -> None:
        super().__init__()
        self.current: list[object] = []

    def __setitem__(self, key: str, value: bytes) -> None:
        found = _current_event.get(None)
        self.current.append(found() if found is not None else None)
        super().__setitem__(key, value)


def test_state_is_written_only_when_asked_and_each_write_under_its_event() -> None:
    table = RecordingTable()
    writes = StateWrites(table)
    first, second = Message(), Message()
    writes.add(cast(Any, first), "910000004/1", b"a")
    writes.add(cast(Any, second), "910000004/2", b"b")
    writes.add(cast(Any, second), "910000004/1", b"c")
    assert table == {}

    writes.write()

    assert table == {"910000004/1": b"c", "910000004/2": b"b"}
    assert table.current == [first, second, second]
    assert writes.writes == []


@dataclass
class RefusingProducer:
    """A producer that refuses a message before queueing it (aiokafka raises
    ``MessageSizeTooLargeError`` so for a message above ``max_request_size``)."""

    async def send(self, topic: str, key: Any, value: bytes, *rest: Any) -> asyncio.Future[None]:
        raise MessageSizeTooLargeError("the message is larger than max_request_size")


def test_a_message_refused_before_it_is_queued_is_fatal_too() -> None:
    app = type("App", (), {"producer": RefusingProducer()})()
    failures: list[BaseException] = []
    topic = cast(faust.TopicT, FakeTopic(app, "alerts"))
    topics = Topics({"alerts": topic}, fatal=failures.append)

    with pytest.raises(MessageSizeTooLargeError):
        asyncio.run(topics.send([Out("alerts", b"k", b"too large")]))

    assert [type(f) for f in failures] == [MessageSizeTooLargeError]
