"""A service worker runs with the garbage collector tuned for a large heap, and
shows its pauses on /metrics."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import faust
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from enkontakt.services import collector, streaming
from enkontakt.services.health import Metrics


@pytest.fixture
def restored() -> Iterator[None]:
    thresholds, callbacks = gc.get_threshold(), list(gc.callbacks)
    yield
    gc.set_threshold(*thresholds)
    gc.callbacks[:] = callbacks


def test_run_worker_tunes_the_collector_before_the_worker_starts(
    restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.set_threshold(700, 10, 10)
    seen: list[tuple[int, int, int]] = []

    class Worker:
        spinner: Any = "spinner"

        def __init__(self, app: faust.App, **kwargs: Any) -> None:
            self.loop = None

        def execute_from_commandline(self) -> None:
            seen.append(gc.get_threshold())

    monkeypatch.setattr(streaming.faust, "Worker", Worker)
    monkeypatch.setattr(streaming.asyncio, "set_event_loop", lambda loop: None)
    assert streaming.run_worker(faust.App("collector-test")) == 0
    assert seen == [collector.THRESHOLDS]


def test_young_objects_are_not_collected_every_few_hundred(restored: None) -> None:
    collector.collect_garbage_rarely()
    gc.collect()
    young = gc.get_stats()[0]["collections"]
    kept = [[n] for n in range(5_000)]  # 5,000 new containers, all kept
    assert gc.get_stats()[0]["collections"] == young
    assert len(kept) == 5_000


def _pauses(metrics: Metrics) -> dict[tuple[str, str], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        (sample.name, sample.labels["generation"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name.startswith("enkontakt_gc_pause")
        for sample in family.samples
    }


def test_metrics_count_the_collectors_pauses(restored: None) -> None:
    collector.collect_garbage_rarely()
    collector.collect_garbage_rarely()  # counted once, however often it is called
    metrics = Metrics()
    before = _pauses(metrics)
    gc.collect()
    gc.collect(0)
    after = _pauses(metrics)

    assert after["enkontakt_gc_pauses_total", "2"] == before["enkontakt_gc_pauses_total", "2"] + 1
    assert after["enkontakt_gc_pauses_total", "0"] == before["enkontakt_gc_pauses_total", "0"] + 1
    seconds = "enkontakt_gc_pause_seconds_total", "2"
    took = after[seconds] - before[seconds]  # the one full collection
    assert 0 < took <= after["enkontakt_gc_pause_longest_seconds", "2"]
