"""Worker benchmark: the coordinator's own work per message, without Kafka.

The streaming benchmark (``bench_streaming.py``) measures a whole coordinator on
the embedded broker, where faust's and aiokafka's machinery takes much of the
time. This one runs the same per-message work in one process, as the
coordinator's agents call it (``enkontakt.services.coordinator.worker``):

1. the backlog: ``--events`` generated events (as in the streaming benchmark)
   through the intake, applied to their employers and stored (the table's key and
   value are computed, and kept in a dict), views derived every 500 events;
2. the load: ``--load`` contact reports taken at random from the corpus, sent
   again with new ids and the present time, views derived every 100 events (the
   coordinator's 0.1 s flush at 1,000 events/s) and the timers run every 1,000;
3. a restart: a new worker reads the people messages the intake published, then
   the table, and derives every employer again (a restarted coordinator does so
   at most ``Pending.catch_up`` employers per 0.1 s flush).

It prints events/s, µs per event in each stage, how many views were derived
and published per event, and how large the employers that the load hits are
(a random report is more likely from a busy employer).

    python bench/bench_worker.py
    python bench/bench_worker.py --events 20000 --load 10000
    python bench/bench_worker.py --collector default   # Python's own GC thresholds
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from enkontakt.generate import OSLO, generate_events
from enkontakt.services.collector import collect_garbage_rarely
from enkontakt.services.coordinator.intake import Out, intake, people_message
from enkontakt.services.coordinator.pending import Pending
from enkontakt.services.coordinator.store import EmployerLog
from enkontakt.services.coordinator.worker import EmployerWorker, view_out
from enkontakt.services.rules_config import RuleConfig
from enkontakt.services.streaming import wall_us

START = datetime(2026, 1, 5, tzinfo=OSLO)
CONTACT = "enkontakt.contact.registered.v1"


@dataclass(slots=True)
class Stage:
    """Seconds spent in each part of the work, and what came out."""

    intake: float = 0.0
    apply: float = 0.0
    derive: float = 0.0
    views: int = 0
    derived: int = 0

    def row(self, name: str, events: int, elapsed: float) -> str:
        def per_event(seconds: float) -> str:
            return f"{seconds / events * 1e6:,.0f}"

        return (
            f"| {name} | {events:,} | {events / elapsed:,.0f} | {per_event(self.intake)} "
            f"| {per_event(self.apply)} | {per_event(self.derive)} "
            f"| {self.derived / events:.2f} | {self.views / events:.2f} |"
        )


class Run:
    """One worker, its table (a dict) and the counts of its derivations."""

    def __init__(self) -> None:
        self.worker = EmployerWorker(RuleConfig(), view_out, defer=True)
        self.log = EmployerLog()
        self.table: dict[str, bytes] = {}
        self.people: list[bytes] = []
        self.derivations = 0
        derive = self.worker.derive

        def counted(*args: Any) -> list[Out]:
            self.derivations += 1
            return derive(*args)

        self.worker.derive = counted

    def feed(
        self, values: Sequence[bytes], flush_every: int, tick_every: int
    ) -> tuple[Stage, float]:
        stage = Stage()
        derived = self.derivations
        started = time.perf_counter()
        for n, value in enumerate(values, start=1):
            a = time.perf_counter()
            result = intake(None, value, ())
            self.worker.expect(result)
            if (people := people_message(result.mentions)) is not None:
                self.people.append(people.value)
            b = time.perf_counter()
            for out in result.outs:
                if out.topic == "accepted":
                    _outs, state = self.worker.accepted(out.value, wall_us())
                    if state is not None:
                        key, stored = self.log.write(state, out.value)
                        self.table[key] = stored
            c = time.perf_counter()
            outs: list[Out] = []
            if n % tick_every == 0:
                outs = self.worker.tick(wall_us())
            elif n % flush_every == 0:
                outs = self.worker.flush(wall_us())
            d = time.perf_counter()
            stage.intake += b - a
            stage.apply += c - b
            stage.derive += d - c
            stage.views += sum(1 for o in outs if o.topic == "views")
        a = time.perf_counter()
        stage.views += sum(
            1 for o in self.worker.flush(wall_us(), everything=True) if o.topic == "views"
        )
        stage.derive += time.perf_counter() - a
        stage.derived = self.derivations - derived
        return stage, time.perf_counter() - started


def restart(run: Run) -> str:
    """A worker restarted from ``run``'s people messages and table, every employer
    derived again; a line on what each step cost."""
    again = EmployerWorker(RuleConfig(), view_out, defer=True)
    a = time.perf_counter()
    for message in run.people:
        again.people(message, wall_us())
    b = time.perf_counter()
    for stored in EmployerLog().read_all(run.table):
        again.hold(stored)
    c = time.perf_counter()
    views = sum(1 for o in again.flush(wall_us(), everything=True) if o.topic == "views")
    d = time.perf_counter()
    employers = len(again.ledger.employers)
    per = (d - c) / employers
    return (
        f"Restart: {len(run.people):,} people messages read in {b - a:.1f} s, "
        f"{len(run.table):,} table entries ({employers:,} employers) in {c - b:.1f} s, "
        f"every employer derived again in {d - c:.1f} s ({per * 1e6:,.0f} µs each, "
        f"{views:,} views): at {Pending().catch_up} per 0.1 s flush that takes "
        f"{per * Pending().catch_up / 0.1:.0%} of a core for "
        f"{employers / Pending().catch_up * 0.1:.0f} s.\n"
    )


def load_of(values: Sequence[bytes], count: int, seed: int) -> list[bytes]:
    """Contact reports of the corpus again, with new ids and the present time."""
    templates = [e for e in map(orjson.loads, values) if e["type"] == CONTACT]
    rng = random.Random(seed)
    found = []
    for n in range(count):
        event = dict(rng.choice(templates), id=f"bench-{n}")
        event["time"] = datetime.now(OSLO).isoformat()
        found.append(orjson.dumps(event))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--load", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--collector",
        choices=["service", "default"],
        default="service",
        help="garbage collector thresholds: the services' (enkontakt.services.collector) "
        "or Python's defaults",
    )
    args = parser.parse_args()
    if args.collector == "service":
        collect_garbage_rarely()

    events = generate_events(
        employers=args.employers,
        events=args.events,
        seed=args.seed,
        start=START,
        days=180,
        duplicate_rate=0.05,
        redelivery_rate=0.02,
    )
    values = [orjson.dumps(event) for event in events]
    load = load_of(values, args.load, seed=7)
    run = Run()
    backlog, backlog_s = run.feed(values, flush_every=500, tick_every=10**9)
    employers = run.worker.ledger.employers
    sizes = sorted(len(state.reports) for state in employers.values())
    hit = [len(employers[orjson.loads(v)["data"]["employer"]["orgnr"]].reports) for v in load]
    loaded, load_s = run.feed(load, flush_every=100, tick_every=1_000)

    print("## Worker benchmark (no Kafka)\n")
    print(
        f"{len(employers):,} employers; contact reports per employer: median "
        f"{sizes[len(sizes) // 2]}, p90 {sizes[int(len(sizes) * 0.9)]}, max {sizes[-1]}; "
        f"the employer of a load event had {sum(hit) / len(hit):.0f} on average.\n"
    )
    print(
        "| stage | events | events/s | intake µs/event | apply and store µs/event "
        "| derive µs/event | derivations/event | views published/event |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(backlog.row("backlog", len(values), backlog_s))
    print(loaded.row("load (random reports, now)", len(load), load_s))
    print()
    print(restart(run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
