"""What both streaming services share: topics by logical name, the people feed,
timers, health pages and metrics. The services' own modules wire these to their
agents; the work per message lives in the services' ``worker`` modules.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import murmur2
from faust.web import Request, Response, View
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from enkontakt.kafka.internal_topics import all_topics, create_missing
from enkontakt.kafka.offsets import end_offsets
from enkontakt.kafka.profiles import tuning_for
from enkontakt.logging import configure_logging, get_logger
from enkontakt.services.coordinator.intake import Out
from enkontakt.services.rules_config import RuleConfig
from enkontakt.settings import (
    ConfigurationError,
    KafkaSettings,
    RulesSettings,
    aiokafka_client_kwargs,
    load_settings,
    ssl_context,
)

log = get_logger("enkontakt.streaming")

INTERNAL_TOPICS = ("accepted", "people", "caseload")


def wall_us() -> int:
    """The wall clock, in µs since the epoch."""
    return time.time_ns() // 1000


def rule_config(rules: RulesSettings) -> RuleConfig:
    """The core's rule configuration from the process settings."""
    return RuleConfig(
        response_days=rules.response_days,
        urgent_response_days=rules.urgent_response_days,
        max_contact_persons=rules.max_contact_persons,
        contact_window_days=rules.contact_window_days,
        follow_up_gap_days=rules.follow_up_gap_days,
        most_active_days=rules.follow_up_gap_days,
        max_caseload=rules.max_caseload,
        retention_days=rules.retention_days,
    )


def partition_of(key: str, partitions: int) -> int:
    """The partition the producer's default partitioner gives a key (murmur2, as in
    the Java client and aiokafka)."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def held_here(app: faust.App, topic: str, table: Any) -> dict[str, Any]:
    """The table's entries for the partitions of ``topic`` assigned to this worker
    (a key is an orgnr, or an orgnr and a ``/`` suffix).

    The memory store keeps standby copies and the data of revoked partitions in
    the same dictionary; only the active partitions' employers are ours."""
    assigned = {tp.partition for tp in app.consumer.assignment() if tp.topic == topic}
    partitions = app.conf.topic_partitions
    return {
        key: value
        for key, value in table.items()
        if value is not None and partition_of(key.partition("/")[0], partitions) in assigned
    }


@dataclass(slots=True)
class Routing:
    """Whether an input message can be applied where it was read.

    It can when it came in on the partition that holds its employer: the input
    topic has as many partitions as the accepted topic (faust then assigns
    partition p of both to the same worker) and the producer's key led the event
    to its orgnr's partition. Otherwise it takes the detour through ``accepted``.
    The decision depends only on the message and the input topic's partition
    count, read from the broker once before any input is handled, so the
    coordinator and the notifier decide alike: every event reaches each service's
    employers once, from the input or from ``accepted``.
    """

    settings: KafkaSettings
    direct: bool | None = None
    known: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Read the input topic's partition count (a task at service start)."""
        count = len(await topic_partitions(self.settings, self.settings.topic_events))
        self.direct = count == self.settings.partitions
        if not self.direct:
            log.warning(
                "input partitions differ: every event goes through the accepted topic",
                input_partitions=count,
                partitions=self.settings.partitions,
            )
        self.known.set()

    def held_as_read(self, orgnr: str, partition: int) -> bool:
        """True when the event of ``orgnr`` read on ``partition`` is held here."""
        if self.direct is None:
            raise RuntimeError("the input topic's partitions are not known yet")
        return self.direct and partition_of(orgnr, self.settings.partitions) == partition


async def topic_partitions(settings: KafkaSettings, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic``, waiting up to a minute for it to exist."""
    consumer = AIOKafkaConsumer(enable_auto_commit=False, **aiokafka_client_kwargs(settings))
    await consumer.start()
    try:
        # Metadata of every topic; it also lets the consumer's background tasks
        # start, without which stop() raises CancelledError (aiokafka 0.14).
        await consumer.topics()
        return await _partitions_of(consumer, topic)
    finally:
        await consumer.stop()


async def _partitions_of(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    for _ in range(120):
        found = consumer.partitions_for_topic(topic)
        if found:
            return [TopicPartition(topic, p) for p in sorted(found)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.5)
    raise RuntimeError(f"topic {topic} does not exist")


def raw_topic(app: faust.App, name: str, **options: Any) -> faust.TopicT:
    """A topic of raw bytes keys and values."""
    return app.topic(name, key_serializer="raw", value_serializer="raw", **options)


@dataclass(slots=True)
class Topics:
    """The topics of the services, by the logical names ``Out`` messages carry."""

    by_name: dict[str, faust.TopicT]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def declare(cls, app: faust.App, settings: KafkaSettings) -> Topics:
        """Declare the contract's topics and the internal ones."""
        internal = {
            "accepted": raw_topic(app, settings.internal_topic("accepted"), internal=True),
            "people": raw_topic(app, settings.internal_topic("people"), internal=True),
            "caseload": raw_topic(
                app, settings.internal_topic("caseload"), partitions=1, internal=True
            ),
        }
        return cls(
            {
                "events": raw_topic(app, settings.topic_events),
                "dlq": raw_topic(app, settings.topic_dlq),
                "views": raw_topic(app, settings.topic_views),
                "notices": raw_topic(app, settings.topic_notices),
                "alerts": raw_topic(app, settings.topic_alerts),
                **internal,
            }
        )

    def __getitem__(self, name: str) -> faust.TopicT:
        return self.by_name[name]

    async def send(
        self, outs: Iterable[Out], metrics: Metrics | None = None, *, delivered: bool = False
    ) -> None:
        """Publish messages to their topics, in order; with ``delivered``, return
        only once the broker has them all.

        Callers compute ``outs`` and call this without awaiting anything in
        between; the lock (first come, first served) then keeps the order of
        computing across the agents, timers and the people feed: a newer view or
        alert is never overtaken by an older one computed elsewhere whose sending
        was still under way.

        Straight to the app's producer, without faust's per-message bookkeeping
        (``Topic.send``): faust flushes that producer before it commits an input
        offset, so whatever was sent while handling a message is out before the
        message counts as done.
        """
        sent: dict[str, int] = {}
        pending: list[Awaitable[Any]] = []
        async with self.lock:
            for out in outs:
                topic = self.by_name[out.topic]
                future = await topic.app.producer.send(
                    topic.get_topic_name(),
                    out.key,
                    out.value,
                    None,
                    None,
                    list(out.headers) or None,
                )
                if delivered:
                    pending.append(future)
                sent[out.topic] = sent.get(out.topic, 0) + 1
        if pending:
            await asyncio.gather(*pending)
        if metrics is not None:
            for name, count in sent.items():
                metrics.published.labels(name).inc(count)


@dataclass(slots=True)
class Metrics:
    """Prometheus metrics of one service process."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    events: Counter = field(init=False)
    published: Counter = field(init=False)
    latency: Histogram = field(init=False)
    lag: Gauge = field(init=False)
    alerts_firing: Gauge = field(init=False)

    def __post_init__(self) -> None:
        r = self.registry
        self.events = Counter(
            "enkontakt_events",
            "Input events by outcome and rejection code",
            ["outcome", "code"],
            registry=r,
        )
        self.published = Counter(
            "enkontakt_published_messages", "Messages published by topic", ["topic"], registry=r
        )
        self.latency = Histogram(
            "enkontakt_processing_seconds",
            "Time each message's batch took to process",
            ["stage"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=r,
        )
        self.lag = Gauge(
            "enkontakt_consumer_lag",
            "Messages not yet read, by topic and partition",
            ["topic", "partition"],
            registry=r,
        )
        self.alerts_firing = Gauge(
            "enkontakt_alerts_firing", "Alerts firing, by rule", ["rule"], registry=r
        )


def add_health_pages(app: faust.App, metrics: Metrics, ready: Callable[[], bool]) -> None:
    """``/isalive``, ``/isready`` and ``/metrics`` on the service's web server."""

    @app.page("/isalive")
    class IsAlive(View):
        async def get(self, request: Request) -> Response:
            return self.text("alive")

    @app.page("/isready")
    class IsReady(View):
        async def get(self, request: Request) -> Response:
            if ready():
                return self.text("ready")
            return self.text("not ready", status=503)

    @app.page("/metrics")
    class MetricsPage(View):
        async def get(self, request: Request) -> Response:
            update_lag(app, metrics)
            body = generate_latest(metrics.registry)
            return self.bytes(body, content_type=CONTENT_TYPE_LATEST.split(";")[0])


def update_lag(app: faust.App, metrics: Metrics) -> None:
    """Consumer lag of the agents' assigned partitions, from the consumer's positions."""
    try:
        consumer = app.consumer
        metrics.lag.clear()  # partitions moved to another worker are not lagging here
        for tp in consumer.assignment():
            if not _read_by_agents(tp.topic):
                continue
            highwater = consumer.highwater(tp)
            # faust keeps the last offset it handed to a stream in ``_read_offset``
            # (None before the first message); there is no public accessor.
            read = getattr(consumer, "_read_offset", {}).get(tp)
            if highwater is not None:
                position = 0 if read is None else read + 1
                metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, highwater - position))
    except Exception:
        log.debug("lag not available")


def _read_by_agents(topic: str) -> bool:
    """False for a table's changelog (read only to recover) and faust's own topics."""
    return not topic.endswith("-changelog") and "__assignor" not in topic


@dataclass(slots=True)
class PeopleFeed:
    """Reads the people topic in full (no consumer group) into this worker.

    Every worker needs every person record; records are idempotent and
    commutative, so reading from the beginning after a restart is correct.
    ``caught_up`` turns true, and ``read`` is set, once the records present at
    start-up are read: a worker derives nothing before, as a partial directory
    would publish views without details and alerts that never held.
    """

    settings: KafkaSettings
    handle: Callable[[bytes], Awaitable[None]]
    caught_up: bool = False
    read: asyncio.Event = field(default_factory=asyncio.Event)
    consumer: AIOKafkaConsumer | None = None

    async def run(self) -> None:
        """Consume until cancelled."""
        topic = self.settings.internal_topic("people")
        context = ssl_context(self.settings)
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=list(self.settings.brokers),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            security_protocol="SSL" if context is not None else "PLAINTEXT",
            ssl_context=context,
            **tuning_for(self.settings).aiokafka_consumer_kwargs(),
        )
        await self.consumer.start()
        try:
            partitions = await _partitions_of(self.consumer, topic)
            self.consumer.assign(partitions)
            await self.consumer.seek_to_beginning(*partitions)
            ends = await end_offsets(self.consumer, self.settings, partitions)
            pending = {tp for tp, end in ends.items() if end > 0}
            if not pending:
                self._caught_up()
            while True:
                batches = await self.consumer.getmany(timeout_ms=500, max_records=500)
                for tp, records in batches.items():
                    for record in records:
                        if record.value is not None:
                            await self._handle(tp.partition, record.offset, record.value)
                    if tp in pending and records and records[-1].offset + 1 >= ends[tp]:
                        pending.discard(tp)
                if not self.caught_up and not pending:
                    self._caught_up()
        finally:
            await self.consumer.stop()

    def _caught_up(self) -> None:
        self.caught_up = True
        self.read.set()
        log.info("people feed caught up")

    async def _handle(self, partition: int, offset: int, value: bytes) -> None:
        try:
            await self.handle(value)
        except (ValueError, KeyError, TypeError):
            # Written by our own coordinator, so this is a bug or a foreign writer:
            # skip the record, say where it is, never its content.
            log.exception("people record skipped", partition=partition, offset=offset)


Build = Callable[..., faust.App]


def add_service_command(subparsers: Any, name: str, help: str, web_port: int, build: Build) -> None:
    """Add a streaming service's command: ``--web-port`` and ``--store``."""
    parser = subparsers.add_parser(name, help=help)
    parser.add_argument(
        "--web-port", type=int, default=web_port, help="port of /isalive, /isready, /metrics"
    )
    parser.add_argument("--store", default="rocksdb://", choices=["rocksdb://", "memory://"])
    parser.set_defaults(func=lambda args: run_service(args, build))


def run_service(args: argparse.Namespace, build: Build) -> int:
    """Run one worker of a streaming service until SIGTERM/SIGINT; 2 on bad settings."""
    configure_logging()
    try:
        settings = load_settings(KafkaSettings)
        rules = load_settings(RulesSettings)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    if settings.create_topics:
        # Otherwise faust would create the contract's topics and the people topic
        # with broker defaults: no compaction for views, and a week's retention
        # for what a restarted worker must read in full.
        asyncio.run(create_missing(settings, all_topics(settings)))
    return run_worker(build(settings, rules, web_port=args.web_port, store=args.store))


def run_worker(app: faust.App) -> int:
    """Run a faust worker in the foreground."""
    worker = faust.Worker(app, loglevel="WARNING", override_logging=False, quiet=True)
    # faust's start-up spinner writes terminal escapes to standard output even when
    # it is not a terminal, which would break the JSON log lines.
    worker.spinner = None
    asyncio.set_event_loop(worker.loop)
    worker.execute_from_commandline()
    return 0
