"""The framework's floor: a faust worker that only takes the input topic.

Started by ``bench_streaming.py`` beside the coordinator, on the same broker and
topic, with the coordinator's own app factory (``enkontakt.kafka.app.make_app``:
the same client tuning, the same store) and the same batches
(``enkontakt.services.batches``). Each message is taken and acknowledged; with
``store``, each is also written to a table as the services store every applied
event (``StateWrites``: faust's ``table[key] = value``, one changelog message
each). Nothing else happens, so no faust worker (that stores each message) can
take that topic faster here.

It counts from the first message it takes; once it has taken ``--events``, it
writes ``{"events", "seconds", "cpu_seconds"}`` (JSON) to ``--out`` and goes on
idling until it is stopped. Settings come from the environment as for
``enkontakt coordinator`` (``KAFKA_BROKERS``, ``ENKONTAKT_APP_ID``, ...).

    python bench/faust_floor.py --mode take --events 50000 --out floor.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import faust

from enkontakt.kafka.app import make_app
from enkontakt.services.batches import Event, StateWrites, batches
from enkontakt.services.streaming import raw_topic, run_worker
from enkontakt.settings import KafkaSettings, load_settings

MODES = ("take", "store")


def key_of(event: Event) -> str:
    """A table key of its own for each message."""
    return f"{event.message.partition}/{event.message.offset}"


def build(settings: KafkaSettings, mode: str, events: int, out: Path) -> faust.App:
    """An app with one agent on the input topic, and a table for ``store``."""
    app = make_app(settings, web_port=None, store="memory://")
    table = app.Table("floor", default=None, partitions=settings.partitions, value_type=bytes)
    taken = 0
    started = cpu_started = 0.0

    @app.agent(raw_topic(app, settings.topic_events))
    async def floor(stream: faust.StreamT[bytes]) -> None:
        nonlocal taken, started, cpu_started
        async for batch in batches(stream):
            if not taken:
                started, cpu_started = time.perf_counter(), time.process_time()
            if mode == "store":
                writes = StateWrites(table)
                for event in batch:
                    writes.add(event, key_of(event), event.value)
                writes.write()
            before, taken = taken, taken + len(batch)
            if before < events <= taken:
                result: dict[str, Any] = {
                    "events": taken,
                    "seconds": time.perf_counter() - started,
                    "cpu_seconds": time.process_time() - cpu_started,
                }
                out.write_text(json.dumps(result))

    return app


def main() -> int:
    """Run the floor worker until it is stopped."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=MODES, default="take")
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    return run_worker(build(load_settings(KafkaSettings), args.mode, args.events, args.out))


if __name__ == "__main__":
    raise SystemExit(main())
