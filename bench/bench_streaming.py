"""Streaming benchmark: one coordinator worker on the embedded broker.

In one run, on one embedded (tansu) broker:

1. ``--events`` generated events are produced to the input topic before any
   service runs (a backlog), and a bare aiokafka consumer reads them back: the
   floor, the rate at which anything at all can read that topic here. Then the
   framework's floor (``faust_floor.py``, ``--floors``): a faust worker built
   like the coordinator that only takes the topic in the same batches, and one
   that also writes each message to a table, as the coordinator stores every
   event; each counts from its first message to the last.
2. One coordinator (``enkontakt coordinator``, memory store) is started on the
   backlog. Its /metrics page is read every 0.2 s; it is done when the intake has
   taken every input event and the employer stage every accepted one (intake
   count = events; employer-stage count = messages published to the internal
   accepted topic; lag 0 on every input partition). The rate is events divided by
   the time from ready (/isready answers 200) to done; the time from process start
   is printed too. The views topic is then read to check that every employer got
   a view.
3. With the same coordinator running, contact events are offered at each of
   ``--rates`` per second for ``--duration`` seconds, each with ``time`` = the
   moment it is sent (µs). A view's ``updated_at`` is the latest event time applied
   to the employer, so the first view of an employer with ``updated_at`` at or after
   an event's time answers that event (views may be coalesced): latency = when that
   view was read - when the event was sent. Between loads the benchmark waits until
   the coordinator has drained and the views topic is quiet.
4. Last, the coordinator's garbage-collector pauses over the whole run, from its
   /metrics: collections by generation, the time paused and the longest pause.

    python bench/bench_streaming.py                      # 50k events, 1,000/s for 30 s
    python bench/bench_streaming.py --rates 200,1000     # two loads, one after the other
    python bench/bench_streaming.py --events 20000 --duration 10
    python bench/bench_streaming.py --profile profile.txt  # py-spy over the backlog

``--profile FILE`` samples the coordinator with py-spy while it works through the
backlog, ``--profile-loads FILE`` while it takes the offered loads, and both print
where the time goes (needs py-spy: ``pip install py-spy==0.4.3``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from enkontakt.generate import OSLO, generate_events
from enkontakt.kafka.broker import EmbeddedBroker, free_port
from enkontakt.kafka.profiles import EMBEDDED
from enkontakt.kafka.topics import ensure_topics
from enkontakt.settings import KafkaSettings, as_environment

START = datetime(2026, 1, 5, tzinfo=OSLO)
CONTACT = "enkontakt.contact.registered.v1"


# ------------------------------------------------------------------ the machine and the corpus


def machine() -> str:
    """nproc, CPU model and memory of this machine."""
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    return (
        f"{os.cpu_count()} CPUs ({model}), {total_kib / 2**20:.1f} GiB memory, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def corpus(events: int, employers: int, seed: int) -> list[bytes]:
    """Generated events, as the JSON values sent to Kafka."""
    stream = generate_events(
        employers=employers, events=events, seed=seed, start=START, days=180,
        duplicate_rate=0.05, redelivery_rate=0.02,
    )
    return [orjson.dumps(event) for event in stream]


def orgnr_of(value: bytes) -> bytes | None:
    """The employer's orgnr of an event (the message key), if it has one."""
    employer = orjson.loads(value)["data"].get("employer")
    return employer["orgnr"].encode() if employer else None


# ------------------------------------------------------------------ Kafka


def producer(bootstrap: str) -> AIOKafkaProducer:
    """A producer with the library's defaults."""
    return AIOKafkaProducer(bootstrap_servers=bootstrap)


async def produce(bootstrap: str, topic: str, values: list[bytes]) -> float:
    """Send every value keyed by orgnr; returns the seconds it took."""
    client = producer(bootstrap)
    await client.start()
    started = time.perf_counter()
    try:
        pending = [await client.send(topic, v, key=orgnr_of(v)) for v in values]
        await asyncio.gather(*pending)
    finally:
        await client.stop()
    return time.perf_counter() - started


async def assigned_consumer(bootstrap: str, topic: str, *, from_end: bool) -> AIOKafkaConsumer:
    """A consumer (no group) holding every partition of ``topic``."""
    # The embedded profile's short fetch wait (and no minimum): tansu holds a fetch
    # for part of the maximum wait, which would otherwise add to every latency
    # measured here.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        fetch_max_wait_ms=EMBEDDED.fetch_max_wait_ms or 500,
    )
    await consumer.start()
    await consumer.topics()
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    if from_end:
        await consumer.seek_to_end(*partitions)
    else:
        await consumer.seek_to_beginning(*partitions)
    return consumer


async def bare_read(bootstrap: str, topic: str, count: int) -> float:
    """Seconds a bare aiokafka consumer takes to read ``count`` records of ``topic``."""
    consumer = await assigned_consumer(bootstrap, topic, from_end=False)
    try:
        read = 0
        started = time.perf_counter()
        while read < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            read += sum(len(records) for records in batches.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def latest_views(bootstrap: str, topic: str, idle: float = 2.0) -> dict[bytes, bytes]:
    """The latest view per orgnr on ``topic``, read until nothing came for ``idle`` s."""
    consumer = await assigned_consumer(bootstrap, topic, from_end=False)
    views: dict[bytes, bytes] = {}
    try:
        while batches := await consumer.getmany(timeout_ms=int(idle * 1000), max_records=10_000):
            for records in batches.values():
                views.update((r.key, r.value) for r in records if r.key is not None)
        return views
    finally:
        await consumer.stop()


async def quiet(bootstrap: str, topic: str, idle: float = 3.0) -> None:
    """Return once no new record has reached ``topic`` for ``idle`` seconds: views
    still queued in the service's producer must not count against the next load."""
    consumer = await assigned_consumer(bootstrap, topic, from_end=True)
    try:
        while await consumer.getmany(timeout_ms=int(idle * 1000), max_records=10_000):
            pass
    finally:
        await consumer.stop()


# ------------------------------------------------------------------ the coordinator


@dataclass(slots=True)
class Coordinator:
    """A coordinator process and its /metrics page."""

    process: subprocess.Popen[bytes]
    port: int
    started: float

    @classmethod
    def start(cls, settings: KafkaSettings, log: Path) -> Coordinator:
        """Start ``enkontakt coordinator`` with the memory store."""
        port = free_port()
        command = [sys.executable, "-m", "enkontakt.cli", "coordinator"]
        command += ["--store", "memory://", "--web-port", str(port)]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, env={**os.environ, **as_environment(settings)},
                stdout=out, stderr=subprocess.STDOUT,
            )
        return cls(process, port, time.perf_counter())

    def get(self, path: str) -> tuple[int, str]:
        """Status and body of a page (0 when nothing answers)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                return r.status, r.read().decode()
        except OSError as error:
            return getattr(error, "code", 0), ""

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Block until /isready answers 200; returns the moment (perf_counter)."""
        deadline = time.perf_counter() + timeout
        while self.get("/isready")[0] != 200:
            if self.process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError("the coordinator did not become ready")
            time.sleep(0.05)
        return time.perf_counter()

    def metrics(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        """Every sample of /metrics by name and labels."""
        return {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(self.get("/metrics")[1])
            for s in family.samples
        }

    def stop(self) -> None:
        """Stop the coordinator (``stop``)."""
        stop(self.process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not stopped after 15 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


FLOORS = {
    "take": "faust worker only taking the same topic in the same batches",
    "store": "the same, with one table write per message (as the coordinator stores each event)",
}
"""The modes of ``faust_floor.py``, by the row they print."""


@dataclass(frozen=True, slots=True)
class Floor:
    """What a faust floor worker managed in one mode (``faust_floor.py``)."""

    mode: str
    events: int
    seconds: float
    cpu_seconds: float

    def row(self) -> tuple[str, str]:
        """A table row: the rate and the CPU per event."""
        what = FLOORS[self.mode]
        per_event = 1e6 * self.cpu_seconds / self.events
        return (what, f"{self.events / self.seconds:,.0f} events/s "
                      f"({per_event:,.0f} µs CPU per event)")


def faust_floor(settings: KafkaSettings, mode: str, events: int, work: Path,
                timeout: float) -> Floor:
    """Run ``faust_floor.py`` in ``mode`` on the input topic until it has taken
    ``events`` (a consumer group and table of its own), then stop it."""
    out = work / f"floor-{mode}.json"
    own = settings.model_copy(update={"app_id": f"{settings.app_id}-floor-{mode}"})
    command = [sys.executable, str(Path(__file__).with_name("faust_floor.py")),
               "--mode", mode, "--events", str(events), "--out", str(out)]
    with (work / f"floor-{mode}.log").open("wb") as log:
        process = subprocess.Popen(command, env={**os.environ, **as_environment(own)},
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.perf_counter() + timeout
        while not out.exists():
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"the faust floor ({mode}) did not take every event")
            time.sleep(0.1)
    finally:
        stop(process)
    result = json.loads(out.read_text())
    return Floor(mode, result["events"], result["seconds"], result["cpu_seconds"])


def drained(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], events: int,
            input_topic: str) -> bool:
    """Whether the coordinator has taken every input event through both stages."""
    def total(name: str, **labels: str) -> float:
        return sum(v for (n, ls), v in samples.items()
                   if n == name and set(labels.items()) <= ls)

    lag = [v for (n, ls), v in samples.items()
           if n == "enkontakt_consumer_lag" and ("topic", input_topic) in ls]
    return (
        total("enkontakt_processing_seconds_count", stage="intake") >= events
        and total("enkontakt_processing_seconds_count", stage="employer")
        >= total("enkontakt_published_messages_total", topic="accepted")
        and bool(lag) and not any(lag)
    )


def wait_drained(coordinator: Coordinator, events: int, input_topic: str,
                 timeout: float) -> float:
    """Poll /metrics until the backlog is done; returns the moment (perf_counter)."""
    deadline = time.perf_counter() + timeout
    while not drained(coordinator.metrics(), events, input_topic):
        if coordinator.process.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError("the coordinator did not finish the backlog")
        time.sleep(0.2)
    return time.perf_counter()


# ------------------------------------------------------------------ latency at a steady load


def contact_templates(values: list[bytes]) -> list[dict[str, Any]]:
    """Contact reports of the corpus, to send again with new ids and times."""
    return [e for e in map(orjson.loads, values) if e["type"] == CONTACT]


def offered(templates: list[dict[str, Any]], rate: int, duration: float,
            seed: int) -> Iterator[tuple[float, dict[str, Any]]]:
    """(due moment offset in s, event template) at a steady ``rate`` per second."""
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]  # new ids for every load: a repeated id is a duplicate
    for n in range(int(rate * duration)):
        yield n / rate, dict(rng.choice(templates), id=f"bench-{run}-{n}")


def micros(text: str) -> int:
    """An RFC 3339 time as µs since the epoch."""
    moment = datetime.fromisoformat(text)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


@dataclass(slots=True)
class Pending:
    """Offered events not yet answered by a view, per orgnr, oldest first."""

    by_orgnr: dict[bytes, deque[tuple[int, float]]] = field(default_factory=dict)
    count: int = 0

    def sent(self, orgnr: bytes, event_us: int, wall: float) -> None:
        """An event with time ``event_us`` was sent at ``wall``."""
        self.by_orgnr.setdefault(orgnr, deque()).append((event_us, wall))
        self.count += 1

    def answered(self, orgnr: bytes, updated_us: int) -> list[float]:
        """A view with ``updated_at`` = ``updated_us`` answers every earlier event of its
        employer (views may be coalesced); returns when each of those was sent."""
        waiting = self.by_orgnr.get(orgnr, deque())
        walls = []
        while waiting and waiting[0][0] <= updated_us:
            walls.append(waiting.popleft()[1])
        self.count -= len(walls)
        return walls


async def steady_load(bootstrap: str, settings: KafkaSettings, templates: list[dict[str, Any]],
                      rate: int, duration: float) -> Load:
    """Offer events at ``rate``/s for ``duration`` s; the latencies of their views."""
    views = await assigned_consumer(bootstrap, settings.topic_views, from_end=True)
    client = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await client.start()
    pending = Pending()
    latencies: list[float] = []

    async def read_views(until: asyncio.Event) -> None:
        while not (until.is_set() and not pending.count):
            batches = await views.getmany(timeout_ms=50, max_records=10_000)
            now = time.time()
            for records in batches.values():
                for record in records:
                    updated = micros(orjson.loads(record.value)["updated_at"])
                    latencies.extend(now - w for w in pending.answered(record.key, updated))

    stop = asyncio.Event()
    reader = asyncio.create_task(read_views(stop))
    started = time.perf_counter()
    count = 0
    try:
        for due, event in offered(templates, rate, duration, seed=7):
            delay = started + due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            now = datetime.now(OSLO)
            event["time"] = now.isoformat()
            orgnr = event["data"]["employer"]["orgnr"].encode()
            pending.sent(orgnr, micros(event["time"]), now.timestamp())
            await client.send(settings.topic_events, orjson.dumps(event), key=orgnr)
            count += 1
        achieved = count / (time.perf_counter() - started)
        await client.flush()
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, timeout=30)
    finally:
        await client.stop()
        await views.stop()
    return Load(rate, count, achieved, tuple(latencies))


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# ------------------------------------------------------------------ profiling


def start_profiler(pid: int, out: Path) -> subprocess.Popen[bytes] | None:
    """py-spy sampling ``pid`` into ``out`` (raw collapsed stacks), if installed."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy is not installed: no profile", file=sys.stderr)
        return None
    command = [spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
               "--rate", "200", "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profiler(profiler: subprocess.Popen[bytes] | None) -> None:
    """Stop py-spy (SIGINT makes it write its output)."""
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(30)


_LINE = re.compile(r":\d+\)$")


def summarise_profile(path: Path, top: int = 25) -> str:
    """Own and inclusive sample shares by function, from py-spy's collapsed stacks."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_LINE.sub(")", f) for f in stack.split(";")]
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    if not total:
        return "(no samples)"
    rows = ["| own % | function |", "|---|---|"]
    rows += [f"| {100 * n / total:.1f} | `{f}` |" for f, n in own.most_common(top)]
    ours = [(f, n) for f, n in inclusive.most_common() if "enkontakt" in f][:top]
    rows += ["", "| inclusive % | enkontakt function |", "|---|---|"]
    rows += [f"| {100 * n / total:.1f} | `{f}` |" for f, n in ours]
    return f"{total} samples (all threads)\n\n" + "\n".join(rows)


# ------------------------------------------------------------------ the run


@dataclass(frozen=True, slots=True)
class Load:
    """One steady offered load and the latencies it got."""

    rate: int
    offered: int
    achieved: float
    latencies: tuple[float, ...]

    def rows(self, duration: float) -> list[tuple[str, str]]:
        """Table rows for this load."""
        ms = [1000 * x for x in self.latencies]
        label = f"at {self.rate:,} events/s for {duration:g} s"
        rows = [(f"offered {label}", f"{self.offered:,} events, achieved {self.achieved:,.0f}/s"),
                ("views matched to offered events", f"{len(ms):,}")]
        if ms:
            shares = (("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("max", 1.0))
            cells = " / ".join(f"{percentile(ms, q):,.0f}" for _, q in shares)
            rows.append((f"event → view latency p50 / p90 / p99 / max, {label}", f"{cells} ms"))
        return rows


@dataclass(slots=True)
class Results:
    """The numbers of one run."""

    events: int
    employers: int
    clients: str
    produce_seconds: float = 0.0
    bare_seconds: float = 0.0
    floors: list[Floor] = field(default_factory=list)
    startup_seconds: float = 0.0
    drain_seconds: float = 0.0
    drain_cpu_seconds: float = 0.0
    broker_cpu_seconds: float = 0.0
    views: int = 0
    loads: list[Load] = field(default_factory=list)
    json_seconds: float = 0.0
    collector: str = "not read"

    def table(self, duration: float) -> str:
        """The results as a markdown table."""
        drain = self.drain_seconds
        rows = [
            ("input events (backlog)", f"{self.events:,} over {self.employers:,} employers"),
            ("coordinator client tuning", self.clients),
            ("this machine: `json.loads` of the same events, one core (a yardstick "
             "between machines)", f"{self.events / self.json_seconds:,.0f} events/s"),
            ("test producer (the backlog)",
             f"{self.events / self.produce_seconds:,.0f} events/s"),
            ("bare aiokafka consumer, same topic",
             f"{self.events / self.bare_seconds:,.0f} events/s"),
            *(floor.row() for floor in self.floors),
            ("coordinator start-up (process start to ready)", f"{self.startup_seconds:.1f} s"),
            ("coordinator backlog (ready to done)", f"{drain:.1f} s"),
            ("**coordinator, 1 worker**", f"**{self.events / drain:,.0f} events/s**"),
            ("coordinator, process start to done",
             f"{self.events / (self.startup_seconds + drain):,.0f} events/s"),
            ("coordinator CPU while draining", share_of_cpu(self.drain_cpu_seconds, drain)
             + f", {1e6 * self.drain_cpu_seconds / self.events:,.0f} µs per event"),
            ("broker (tansu) CPU while draining", share_of_cpu(self.broker_cpu_seconds, drain)),
            ("views out (distinct orgnr)", f"{self.views:,}"),
        ]
        for load in self.loads:
            rows += load.rows(duration)
        rows.append(("coordinator's garbage collector over the run (its /metrics)", self.collector))
        lines = ["| measure | value |", "|---|---|"]
        return "\n".join(lines + [f"| {a} | {b} |" for a, b in rows])


def collector_pauses(samples: dict[tuple[str, frozenset[tuple[str, str]]], float]) -> str:
    """Collections by generation, the time paused in all and the longest pause."""
    def by_generation(name: str) -> dict[str, float]:
        return {dict(labels)["generation"]: v for (n, labels), v in samples.items() if n == name}

    count = by_generation("enkontakt_gc_pauses_total")
    seconds = by_generation("enkontakt_gc_pause_seconds_total")
    longest = by_generation("enkontakt_gc_pause_longest_seconds")
    if not count:
        return "not on /metrics"
    generations = ("0", "1", "2")
    counts = " / ".join(f"{count[g]:,.0f}" for g in generations)
    most = " / ".join(f"{1000 * longest[g]:,.0f}" for g in generations)
    return (f"{counts} collections (young / middle / full), {sum(seconds.values()):.2f} s "
            f"paused in all, longest {most} ms")


def share_of_cpu(cpu: float, wall: float) -> str:
    """CPU seconds and the share of one CPU they are over ``wall`` seconds."""
    return f"{cpu:.1f} s ({100 * cpu / wall:.0f} % of a CPU)"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker_pid() -> int:
    """The pid of our tansu child process."""
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            if b"tansu" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return int(pid)
    raise RuntimeError("no tansu child process")


def settings_for(
    bootstrap: str, data_dir: Path, partitions: int, profile: str, fetch: dict[str, int]
) -> KafkaSettings:
    """Settings with an application id of their own and the chosen client profile."""
    return KafkaSettings(
        KAFKA_BROKERS=bootstrap,
        ENKONTAKT_PROFILE=profile,
        **fetch,
        ENKONTAKT_APP_ID=f"bench-{uuid.uuid4().hex[:8]}",
        ENKONTAKT_PARTITIONS=partitions,
        ENKONTAKT_DATA_DIR=str(data_dir),
    )


def json_loads_seconds(values: list[bytes]) -> float:
    """The best of three passes of plain ``json.loads`` over the events: how fast
    this machine runs Python, to compare runs on different machines."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for value in values:
            json.loads(value)
        best = min(best, time.perf_counter() - started)
    return best


def run(args: argparse.Namespace, work: Path) -> Results:
    """The three measurements on one broker."""
    values = corpus(args.events, args.employers, args.seed)
    employers = len({k for k in map(orgnr_of, values) if k})
    fetch = {
        name: value
        for name, value in (
            ("ENKONTAKT_FETCH_MAX_WAIT_MS", args.fetch_max_wait_ms),
            ("ENKONTAKT_FETCH_MIN_BYTES", args.fetch_min_bytes),
        )
        if value is not None
    }
    tuning = ", ".join([args.clients, *(f"{k}={v}" for k, v in fetch.items())])
    results = Results(len(values), employers, tuning)
    results.json_seconds = json_loads_seconds(values)
    with EmbeddedBroker(log_path=work / "broker.log") as broker:
        settings = settings_for(
            broker.bootstrap, work / "data", args.partitions, args.clients, fetch
        )
        asyncio.run(ensure_topics(settings))
        results.produce_seconds = asyncio.run(
            produce(broker.bootstrap, settings.topic_events, values))
        results.bare_seconds = asyncio.run(
            bare_read(broker.bootstrap, settings.topic_events, len(values)))
        for mode in args.floors:
            results.floors.append(
                faust_floor(settings, mode, len(values), work, args.timeout))
        coordinator = Coordinator.start(settings, work / "coordinator.log")
        profiler = None
        try:
            backlog(args, results, coordinator, settings, len(values))
            results.views = len(asyncio.run(latest_views(broker.bootstrap, settings.topic_views)))
            templates = contact_templates(values)
            received = len(values)
            if args.profile_loads:
                profiler = start_profiler(coordinator.process.pid, args.profile_loads)
            for rate in args.rates:
                load = asyncio.run(steady_load(
                    broker.bootstrap, settings, templates, rate, args.duration))
                results.loads.append(load)
                received += load.offered
                wait_drained(coordinator, received, settings.topic_events, args.timeout)
                asyncio.run(quiet(broker.bootstrap, settings.topic_views))
            results.collector = collector_pauses(coordinator.metrics())
        finally:
            stop_profiler(profiler)
            coordinator.stop()
    return results


def backlog(args: argparse.Namespace, results: Results, coordinator: Coordinator,
            settings: KafkaSettings, events: int) -> None:
    """Time the coordinator through the backlog, under py-spy if asked."""
    ready = coordinator.wait_ready()
    results.startup_seconds = ready - coordinator.started
    profiler = start_profiler(coordinator.process.pid, args.profile) if args.profile else None
    try:
        tansu = broker_pid()
        cpu, broker_cpu = cpu_seconds(coordinator.process.pid), cpu_seconds(tansu)
        done = wait_drained(coordinator, events, settings.topic_events, args.timeout)
        results.drain_cpu_seconds = cpu_seconds(coordinator.process.pid) - cpu
        results.broker_cpu_seconds = cpu_seconds(tansu) - broker_cpu
        results.drain_seconds = done - ready
    finally:
        stop_profiler(profiler)


def rates(text: str) -> list[int]:
    """A comma-separated list of offered rates, such as ``1000,250``."""
    return [int(part) for part in text.split(",") if part.strip()]


def floors(text: str) -> list[str]:
    """A comma-separated list of faust floor modes, or ``none``."""
    chosen = [part.strip() for part in text.split(",") if part.strip() not in ("", "none")]
    unknown = set(chosen) - set(FLOORS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown floor: {', '.join(sorted(unknown))}")
    return chosen


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--rates", type=rates, default=[1_000],
                        help="offered events/s, one steady load after another (default 1000)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of each load")
    parser.add_argument("--timeout", type=float, default=900.0, help="limit for draining (s)")
    parser.add_argument("--profile", type=Path,
                        help="py-spy output file (collapsed stacks) for the backlog")
    parser.add_argument("--profile-loads", type=Path,
                        help="py-spy output file (collapsed stacks) for the offered loads")
    parser.add_argument(
        "--clients", choices=["embedded", "production"], default="embedded",
        help="client tuning of the coordinator: the embedded profile (short fetch waits, "
        "docs/kafka.md) or the library defaults",
    )
    parser.add_argument("--fetch-max-wait-ms", type=int,
                        help="ENKONTAKT_FETCH_MAX_WAIT_MS for the coordinator")
    parser.add_argument("--fetch-min-bytes", type=int,
                        help="ENKONTAKT_FETCH_MIN_BYTES for the coordinator")
    parser.add_argument("--floors", type=floors, default=["take", "store"],
                        help="faust floors to measure before the coordinator: take, store "
                             "(comma-separated; 'none' for neither)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="enkontakt-bench-streaming-"))
    try:
        results = run(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs in {work}", file=sys.stderr)
    print(f"## Streaming benchmark\n\nMachine: {machine()}\n")
    print(results.table(args.duration))
    for title, path in (("the backlog", args.profile), ("the offered loads", args.profile_loads)):
        if path is not None and path.exists():
            print(f"\n## Where the coordinator's time goes: {title}\n")
            print(summarise_profile(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
