"""The cyclic garbage collector in a service worker: tuned for a large heap, and
its pauses counted for ``/metrics``.

A worker holds a large heap of small, long-lived objects (the employers'
histories, the people directory) and makes hardly any reference cycles: about
40 objects of cyclic garbage per 1,000 events, from the client libraries.
Reference counting frees everything else. With Python's default thresholds
(700, 10, 10) the collector stopped a coordinator for about 3 s in a minute of
work, and every few seconds a full collection stopped it for 0.2-0.45 s over
the state of 40,000 events, longer as the heap grows. With ``THRESHOLDS`` a
young collection comes after 10,000 new container objects, a middle one after
ten young ones (so it scans at most some 100,000 objects), and a full one only
after a thousand middle ones, some 100 million new objects
(docs/performance.md, "Fourth round").
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

THRESHOLDS = (10_000, 10, 1000)
"""``gc.set_threshold`` in a service worker."""

_pauses = [[0, 0.0, 0.0] for _ in range(3)]  # per generation: count, seconds, longest
_started = [0.0]


def _measure(phase: str, info: dict[str, Any]) -> None:
    # Called by the collector itself: plain arithmetic only, no locks.
    now = time.perf_counter()
    if phase == "start":
        _started[0] = now
        return
    pauses = _pauses[info["generation"]]
    took = now - _started[0]
    pauses[0] += 1
    pauses[1] += took
    if took > pauses[2]:
        pauses[2] = took


def collect_garbage_rarely() -> None:
    """Set the thresholds for a long-running worker and count its pauses."""
    gc.set_threshold(*THRESHOLDS)
    if _measure not in gc.callbacks:
        gc.callbacks.append(_measure)


class CollectorPauses(Collector):
    """``enkontakt_gc_pauses_total``, ``enkontakt_gc_pause_seconds_total`` and
    ``enkontakt_gc_pause_longest_seconds`` by generation (0 young, 2 full), since
    the process started; nothing before ``collect_garbage_rarely``."""

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        count = CounterMetricFamily(
            "enkontakt_gc_pauses",
            "Collections of the cyclic garbage collector",
            labels=["generation"],
        )
        seconds = CounterMetricFamily(
            "enkontakt_gc_pause_seconds",
            "Time the process stood still for the cyclic garbage collector",
            labels=["generation"],
        )
        longest = GaugeMetricFamily(
            "enkontakt_gc_pause_longest_seconds",
            "The longest pause of the cyclic garbage collector",
            labels=["generation"],
        )
        for generation, (n, total, most) in enumerate(_pauses):
            count.add_metric([str(generation)], n)
            seconds.add_metric([str(generation)], total)
            longest.add_metric([str(generation)], most)
        yield from (count, seconds, longest)
