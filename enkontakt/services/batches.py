"""Input taken in batches by the services' agents.

An agent takes up to ``BATCH_MAX`` messages at a time, waiting at most
``BATCH_WITHIN`` seconds for more (faust's ``Stream.take_events``), handles them
one by one in offset order and publishes what they produced before the batch is
acknowledged: faust acknowledges the batch's messages only after the agent has
finished with it, and commits an offset only after flushing the producer, so a
crash at any point re-reads what was not fully published. A batch shares what
need not be paid per message: one people message for all of its person
records, one metrics update per outcome.

Table writes go to the changelog partition of faust's *current event*; in a
batch that is not the message being handled, so each message is handled with
``as_current`` (faust keeps the current event in a context variable).
"""

from __future__ import annotations

import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import faust
from faust.streams import _current_event

from enkontakt.services.health import Metrics

Event = faust.EventT[Any]

BATCH_MAX = 500
"""Messages taken at most at a time."""

BATCH_WITHIN = 0.02
"""Seconds waited at most for a batch to fill (the delay it adds at low load)."""


def batches(stream: faust.StreamT[bytes]) -> AsyncIterator[Sequence[Event]]:
    """The stream's messages in batches, each acknowledged once handled."""
    taken = cast(faust.Stream[bytes], stream).take_events(BATCH_MAX, within=BATCH_WITHIN)
    return cast(AsyncIterator[Sequence[Event]], taken)


def headers_of(event: Event) -> list[tuple[str, bytes]]:
    """The message's headers as (name, value) pairs."""
    headers = event.message.headers or []
    return list(headers.items() if isinstance(headers, Mapping) else headers)


@contextmanager
def as_current(event: Event) -> Iterator[None]:
    """Handle ``event`` as faust's current event (table writes follow its partition)."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


@dataclass(slots=True)
class StateWrites:
    """A batch's table writes, held back until its messages are delivered.

    A stored state records what was published (the notifier's published alerts,
    the coordinator's designation behind employer notices). Written first, it
    could reach the changelog while a crash lost the messages it speaks of, and
    the restarted worker would never send them. Written after the messages are
    delivered, a crash in between only makes the restarted worker handle the
    batch again and send its messages once more.
    """

    table: Any
    writes: list[tuple[Event, str, bytes]] = field(default_factory=list)

    def add(self, event: Event, key: str, value: bytes) -> None:
        """Write ``key`` = ``value`` for ``event`` (to its changelog partition) later."""
        self.writes.append((event, key, value))

    def write(self) -> None:
        """Write everything held, in order."""
        for event, key, value in self.writes:
            with as_current(event):
                self.table[key] = value
        self.writes.clear()


@dataclass(slots=True)
class BatchMetrics:
    """Counts and timings of one batch, added to the service's metrics at its end.

    Every message of the batch is observed in ``enkontakt_processing_seconds``
    with the time its whole batch took to handle: a message's outputs are
    published only once the batch is done.
    """

    metrics: Metrics
    started: float = field(default_factory=time.perf_counter)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    handled: Counter[str] = field(default_factory=Counter)

    def count(self, outcome: str, code: str = "") -> None:
        """One input event with this outcome (and rejection code)."""
        self.outcomes[outcome, code] += 1

    def handle(self, stage: str) -> None:
        """One message handled in ``stage`` (``intake``, ``employer``)."""
        self.handled[stage] += 1

    def close(self) -> None:
        """Add the batch's counts and timings to the metrics."""
        elapsed = time.perf_counter() - self.started
        for (outcome, code), n in self.outcomes.items():
            self.metrics.events.labels(outcome, code).inc(n)
        for stage, n in self.handled.items():
            histogram = self.metrics.latency.labels(stage)
            for _ in range(n):
                histogram.observe(elapsed)
