"""A streaming service's health pages and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import faust
from faust.web import Request, Response, View
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from enkontakt.logging import get_logger
from enkontakt.services.collector import CollectorPauses

log = get_logger("enkontakt.streaming")


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
        r.register(CollectorPauses())


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
