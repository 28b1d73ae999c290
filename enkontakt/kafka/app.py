"""The faust application factory: one place that turns settings into a configured App."""

from __future__ import annotations

from typing import Any

import faust

from enkontakt.kafka.profiles import tuning_for
from enkontakt.kafka.recovery import EmbeddedTableManager, QueueSafeTableManager
from enkontakt.kafka.send_errors import FatalSendErrors
from enkontakt.kafka.tuned_transport import TunedApp
from enkontakt.settings import KafkaSettings, Profile, ssl_context

STORES = ("memory://", "rocksdb://")
"""Table stores: in memory (tests, embedded) or RocksDB on local disk (production)."""


MAX_REQUEST_BYTES = 2 * 1024 * 1024
"""The largest message the services send. A rejected event goes to the DLQ with
its original bytes and two headers more, so any input the broker took (Kafka's
default limit is 1,048,588 bytes; faust's own producer limit, 1,000,000, is
below it) must fit; accepted events are at most 64 KiB (``MAX_EVENT_BYTES``)."""


def broker_url(settings: KafkaSettings) -> str:
    """The faust broker URL, ``kafka://host:port;host:port``."""
    return ";".join(f"kafka://{address}" for address in settings.brokers)


def make_app(settings: KafkaSettings, *, web_port: int | None, store: str) -> faust.App:
    """Build a faust App from the settings; agents and tables are added by the services.

    ``web_port=None`` disables faust's web server. ``store`` is ``"memory://"`` or
    ``"rocksdb://"``. The App ignores the process environment (faust would
    otherwise let variables such as ``BROKER_URL`` or ``WEB_PORT`` override these
    settings): everything comes from ``settings``.
    """
    if store not in STORES:
        raise ValueError(f"store must be one of {', '.join(STORES)}, not {store!r}")
    # faust creates its data directory without parents; make sure they exist.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    tuning = tuning_for(settings)
    overrides = tuning.aiokafka_consumer_kwargs()
    tuned: dict[str, Any] = {"consumer_overrides": overrides} if overrides else {}
    app: faust.App = (TunedApp if overrides else faust.App)(
        settings.faust_id,
        **tuned,
        env={},
        broker=broker_url(settings),
        store=store,
        datadir=str(settings.data_dir / settings.faust_id),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=settings.create_topics,
        # Fixes faust dropping input that arrives while recovery completes (recovery.py).
        TableManager=(
            EmbeddedTableManager if settings.profile is Profile.EMBEDDED else QueueSafeTableManager
        ),
        # No agent uses leader election, and its topic ("…-__assignor-__leader")
        # could not be declared on NAIS, where a Topic's name cannot hold "_".
        topic_disable_leader=True,
        **_credentials(settings),
        **_web(web_port, settings),
        producer_linger_ms=settings.producer_linger_ms,
        producer_max_batch_size=settings.producer_batch_bytes,
        producer_max_request_size=MAX_REQUEST_BYTES,
        **tuning.faust_settings(),
    )
    # A send of faust's own (a table's changelog write) that failed stops the worker.
    app.sensors.add(FatalSendErrors())
    return app


def _credentials(settings: KafkaSettings) -> dict[str, Any]:
    context = ssl_context(settings)
    if context is None:
        return {}
    return {"broker_credentials": faust.SSLCredentials(context)}


def _web(web_port: int | None, settings: KafkaSettings) -> dict[str, Any]:
    if web_port is None:
        return {"web_enabled": False}
    web: dict[str, Any] = {"web_enabled": True, "web_port": web_port}
    if settings.profile is Profile.EMBEDDED:
        web.update(web_bind="127.0.0.1", web_host="127.0.0.1")
    return web
