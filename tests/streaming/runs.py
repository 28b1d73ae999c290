"""The standard run: one coordinator and one notifier fed a mixed stream, compared
with ``enkontakt replay`` over the same events. Several tests check what it saw.

The stream is ``enkontakt generate`` output (40 employers, 1,500 events with
duplicate reports and exact redeliveries), keyed by orgnr except for some wrong
and missing keys, with some events in CloudEvents binary mode, one line for each
rejection code (and a repeat), a rejected binary message, and an accepted
contact by a sentinel person whose name must never reach a log.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from tests.streaming import stream
from tests.streaming.compare import ReplayOutput, replay, view_differences, wall_now
from tests.streaming.kafka_io import Outputs, Producer, Record
from tests.streaming.processes import Services
from tests.streaming.stream import Message

CONVERGE_SECONDS = 90.0
SETTLE_SECONDS = 2.0
PAGES = ("/isalive", "/isready", "/metrics")
WRONG_KEY = b"974760606"


@dataclass(slots=True)
class StandardRun:
    """What the services published for the standard stream, and what replay made of it."""

    services: Services
    messages: list[Message]
    expected: ReplayOutput
    expected_dlq: list[tuple[bytes, str, str | None]]
    binary_orgnrs: set[str]
    sentinel_orgnr: str
    outputs: Outputs | None = None
    pages: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)

    @property
    def dlq(self) -> list[Record]:
        """The records on the dead-letter topic."""
        assert self.outputs is not None
        return self.outputs.records[self.services.settings.topic_dlq]

    @property
    def notices(self) -> list[Record]:
        """The records on the employer-notices topic."""
        assert self.outputs is not None
        return self.outputs.records[self.services.settings.topic_notices]

    def converged_now(self) -> bool:
        """Views and firing alerts as replay's, and the DLQ complete."""
        assert self.outputs is not None
        return (
            not view_differences(self.expected.views_by_orgnr(), self.outputs.views)
            and self.outputs.firing() == self.expected.firing()
            and len(self.dlq) >= len(self.expected_dlq)
        )


def standard_messages() -> tuple[list[Message], set[str], str]:
    """The mixed stream; also the orgnrs that got binary-mode events, and the
    sentinel's employer (whose only event is in binary mode)."""
    lines = stream.generated(employers=40, events=1500, seed=3)
    base: list[Message] = []
    binary_orgnrs: set[str] = set()
    for index, line in enumerate(lines):
        message = stream.keyed(line)
        orgnr = stream.orgnr_of(line)
        if index % 97 == 5 and orgnr is not None:
            message = stream.binary(line, key=message.key)
            binary_orgnrs.add(orgnr)
        if index % 41 == 7:
            # The key is a hint for partitioning only; correctness must not depend on it.
            wrong = WRONG_KEY if index % 2 else None
            message = Message(message.value, message.line, wrong, message.headers)
        base.append(message)
    sentinel_orgnr = stream.crafted_orgnr(903)
    extra = [stream.keyed(line) for line in stream.rejected_lines()]
    extra.append(stream.binary_rejected()[0])
    extra.append(stream.binary(stream.sentinel_contact(sentinel_orgnr)))
    return stream.interleave(base, extra, every=150), binary_orgnrs, sentinel_orgnr


def expected_dlq(
    messages: list[Message], expected: ReplayOutput
) -> list[tuple[bytes, str, str | None]]:
    """(original bytes, code, detail) of every message that must reach the DLQ: the
    lines replay rejected (with replay's code and detail) and the binary rejects."""
    lines = [m.line for m in messages if m.line is not None]
    found: list[tuple[bytes, str, str | None]] = [
        (lines[r["line"] - 1], r["error"], r["detail"]) for r in expected.rejected
    ]
    message, code = stream.binary_rejected()
    found.append((message.value, code, None))
    return found


async def send(producer: Producer, topic: str, messages: list[Message]) -> None:
    """Send the messages in order."""
    for m in messages:
        await producer.send(topic, m.value, key=m.key, partition=m.partition, headers=m.headers)


def run_standard(broker_bootstrap: str, services: Services, directory: Path) -> StandardRun:
    """Start the services, feed the stream, wait until the outputs converge on
    replay's (or time out), read the health pages; the caller stops the services."""
    messages, binary_orgnrs, sentinel_orgnr = standard_messages()
    lines = [m.line for m in messages if m.line is not None]
    expected = replay(lines, directory, wall_now())
    run = StandardRun(
        services, messages, expected, expected_dlq(messages, expected), binary_orgnrs,
        sentinel_orgnr,
    )
    coordinator = services.start("coordinator")
    notifier = services.start("notifier")
    services.wait_ready(coordinator, notifier)
    asyncio.run(_feed_and_read(run, broker_bootstrap))
    for service in (coordinator, notifier):
        for page in PAGES:
            run.pages[(service.kind, page)] = service.get(page)
    return run


async def _feed_and_read(run: StandardRun, bootstrap: str) -> None:
    settings = run.services.settings
    async with Producer(bootstrap) as producer:
        await send(producer, settings.topic_events, run.messages)
    outputs = Outputs(bootstrap, settings, settings.topic_notices)
    async with outputs:
        run.outputs = outputs
        await outputs.until(run.converged_now, CONVERGE_SECONDS)
        await outputs.settle(SETTLE_SECONDS)
