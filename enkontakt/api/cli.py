"""Sub-commands ``api``, ``project`` and ``deliver``: build settings, wire, run.

Each builds its one settings object from the environment (options override
it), migrates the projection, and runs until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic_settings import BaseSettings

from enkontakt.logging import configure_logging
from enkontakt.projection.store import Projection
from enkontakt.settings import ConfigurationError, KafkaSettings, load_settings

S = TypeVar("S", bound=BaseSettings)


def register(subparsers: Any) -> None:
    """Add ``api``, ``project`` and ``deliver`` to the ``enkontakt`` command."""
    api = subparsers.add_parser("api", help="serve the HTTP API and the dashboard")
    api.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    api.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    api.add_argument("--database-url", help="SQLAlchemy URL (ENKONTAKT_DATABASE_URL)")
    api.set_defaults(func=run_api)

    project = subparsers.add_parser("project", help="fill the SQL projection from Kafka")
    project.add_argument("--database-url", help="SQLAlchemy URL (ENKONTAKT_DATABASE_URL)")
    project.set_defaults(func=run_projector)

    deliver = subparsers.add_parser("deliver", help="send alert notifications to webhooks")
    deliver.add_argument("--database-url", help="SQLAlchemy URL (ENKONTAKT_DATABASE_URL)")
    deliver.add_argument("--once", action="store_true", help="one round, then exit")
    deliver.set_defaults(func=run_deliverer)


def load(cls: type[S], **overrides: Any) -> S | None:
    """Settings from the environment with the given options on top; ``None`` after a message."""
    try:
        settings = load_settings(cls)
    except ConfigurationError as exc:
        print(f"enkontakt: {exc}", file=sys.stderr)
        return None
    given = {key: value for key, value in overrides.items() if value is not None}
    return settings.model_copy(update=given) if given else settings


def open_projection(database_url: str) -> Projection:
    """The projection at ``database_url``, migrated to the newest schema."""
    projection = Projection(database_url)
    projection.upgrade()
    return projection


def run_api(args: argparse.Namespace) -> int:
    """``enkontakt api``."""
    import uvicorn

    from enkontakt.api.app import create_app
    from enkontakt.api.settings import ApiSettings

    settings = load(ApiSettings, database_url=args.database_url)
    if settings is None:
        return 2
    configure_logging()
    projection = open_projection(settings.database)
    try:
        app = create_app(settings, projection)
        uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_config=None)
    finally:
        projection.close()
    return 0


def run_projector(args: argparse.Namespace) -> int:
    """``enkontakt project``."""
    from enkontakt.projection import projector
    from enkontakt.projection.settings import DatabaseSettings, ProjectorSettings

    database = load(DatabaseSettings, database_url=args.database_url)
    kafka, own = load(KafkaSettings), load(ProjectorSettings)
    if database is None or kafka is None or own is None:
        return 2
    configure_logging()
    projection = open_projection(database.database)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await projector.run(kafka, own, projection, stop)

    try:
        asyncio.run(main())
    finally:
        projection.close()
    return 0


def run_deliverer(args: argparse.Namespace) -> int:
    """``enkontakt deliver``."""
    from enkontakt.delivery.outbox import Outbox
    from enkontakt.delivery.sender import Deliverer, WebhookPoster
    from enkontakt.delivery.settings import DeliverySettings

    settings = load(DeliverySettings, database_url=args.database_url)
    if settings is None:
        return 2
    if not settings.webhooks:
        print(
            "enkontakt: configuration error: ENKONTAKT_WEBHOOKS names no receiver", file=sys.stderr
        )
        return 2
    configure_logging()
    projection = open_projection(settings.database)
    timeout = settings.timeout.total_seconds()
    try:
        with httpx.Client(timeout=timeout) as client:
            deliverer = Deliverer(Outbox(projection.engine), settings, WebhookPoster(client))
            if args.once:
                deliverer.run_once(datetime.now(UTC))
                return 0
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            deliverer.run_forever(lambda: datetime.now(UTC), stop)
    finally:
        projection.close()
    return 0
