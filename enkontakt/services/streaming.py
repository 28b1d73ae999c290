"""What both streaming services share: topics by logical name, the clock, the
rules from the settings, and the command that runs a worker. The services' own
modules wire these to their agents (with ``routing``, ``people_feed`` and
``health``); the work per message lives in the services' ``worker`` modules.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import faust

from enkontakt.kafka.internal_topics import all_topics, create_missing
from enkontakt.kafka.send_errors import exit_at_once, send_failed
from enkontakt.logging import configure_logging
from enkontakt.services.collector import collect_garbage_rarely
from enkontakt.services.coordinator.intake import Out
from enkontakt.services.health import Metrics
from enkontakt.services.rules_config import RuleConfig
from enkontakt.settings import (
    ConfigurationError,
    KafkaSettings,
    RulesSettings,
    load_settings,
)


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
        most_active_days=rules.most_active_days,
        max_caseload=rules.max_caseload,
        retention_days=rules.retention_days,
    )


def raw_topic(app: faust.App, name: str, **options: Any) -> faust.TopicT:
    """A topic of raw bytes keys and values."""
    return app.topic(name, key_serializer="raw", value_serializer="raw", **options)


@dataclass(slots=True)
class Topics:
    """The topics of the services, by the logical names ``Out`` messages carry."""

    by_name: dict[str, faust.TopicT]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Sent and not yet acknowledged by the broker, from any caller.
    unacknowledged: set[asyncio.Future[Any]] = field(default_factory=set)
    # What a failed send does, once logged (tests pass their own).
    fatal: Callable[[BaseException], None] = exit_at_once

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
        only once the broker has them all, and every message sent before them
        (a timer's or the people feed's): the state stored next may record those
        too.

        Callers compute ``outs`` and call this without awaiting anything in
        between; the lock (first come, first served) then keeps the order of
        computing across the agents, timers and the people feed: a newer view or
        alert is never overtaken by an older one computed elsewhere whose sending
        was still under way.

        Straight to the app's producer, without faust's per-message bookkeeping
        (``Topic.send``): faust flushes that producer before it commits an input
        offset, so whatever was sent while handling a message is out before the
        message counts as done.

        A send that fails (the producer gave up after its retries, or the broker
        refused the message: no write access to the topic, a message too large)
        is logged and stops the worker at once (``fatal``). faust's flush does not
        fail on it, so the worker would otherwise go on to commit the offsets of
        input whose output was lost. The failure reaches the message's future
        before the flush returns, so nothing is committed after it; the restarted
        worker reads that input again and derives its employers again.
        """
        sent: dict[str, int] = {}
        unacknowledged = self.unacknowledged
        async with self.lock:
            for out in outs:
                topic = self.by_name[out.topic]
                name = topic.get_topic_name()
                try:
                    acked = await topic.app.producer.send(
                        name, out.key, out.value, None, None, list(out.headers) or None
                    )
                except Exception as error:  # refused before it was queued
                    self._failed(name, error)
                    raise
                future = asyncio.ensure_future(acked)  # aiokafka's future, as it is
                if future.done():
                    self._check(name, future)
                else:
                    unacknowledged.add(future)
                    future.add_done_callback(partial(self._settled, name))
                sent[out.topic] = sent.get(out.topic, 0) + 1
            waiting = list(unacknowledged) if delivered else []
        if waiting:
            await asyncio.gather(*waiting)
        if metrics is not None:
            for name, count in sent.items():
                metrics.published.labels(name).inc(count)

    def _settled(self, topic: str, future: asyncio.Future[Any]) -> None:
        self.unacknowledged.discard(future)
        self._check(topic, future)

    def _check(self, topic: str, future: asyncio.Future[Any]) -> None:
        if not future.cancelled() and (error := future.exception()) is not None:
            self._failed(topic, error)

    def _failed(self, topic: str, error: BaseException) -> None:
        send_failed(topic, error, self.fatal)


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
    collect_garbage_rarely()
    worker = faust.Worker(app, loglevel="WARNING", override_logging=False, quiet=True)
    # faust's start-up spinner writes terminal escapes to standard output even when
    # it is not a terminal, which would break the JSON log lines.
    worker.spinner = None
    asyncio.set_event_loop(worker.loop)
    worker.execute_from_commandline()
    return 0
