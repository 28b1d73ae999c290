"""A tiny faust worker for the smoke tests, run as ``python smoke_app.py SOURCE SINK``.

It reads settings from the environment like a service does. For every message
on SOURCE (key: a name, value: a message id) it adds the id to the set kept
for that key in a table, and reports to SINK what it did: whether the id was
new, and the table's ids for the key afterwards. Applying an id twice changes
nothing, so a re-read of SOURCE leaves the table as it was.
"""

from __future__ import annotations

import json
import sys

import faust

from enkontakt.kafka.app import make_app
from enkontakt.logging import bound_message, configure_logging, get_logger
from enkontakt.settings import KafkaSettings, load_settings

log = get_logger("smoke_app")


def build(settings: KafkaSettings, source_name: str, sink_name: str) -> faust.App:
    """The app: one agent from SOURCE to a table and SINK."""
    app = make_app(settings, web_port=None, store="memory://")
    source = app.topic(source_name, key_serializer="raw", value_serializer="raw")
    sink = app.topic(sink_name, key_serializer="raw", value_serializer="raw")
    ids_by_key = app.Table("ids", default=None, partitions=settings.partitions)

    @app.agent(source)
    async def apply(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            key = event.key.decode()
            message_id = event.value.decode()
            with bound_message(event_id=message_id, partition=event.message.partition):
                known = list(ids_by_key.get(key) or [])
                applied = message_id not in known
                if applied:
                    ids_by_key[key] = sorted([*known, message_id])
                report = {"id": message_id, "applied": applied, "ids": ids_by_key[key]}
                await sink.send(key=event.key, value=json.dumps(report).encode())
                log.info("applied" if applied else "duplicate", key=key)

    return app


def main(argv: list[str]) -> None:
    """Run the worker until SIGTERM."""
    configure_logging(json=True)
    app = build(load_settings(KafkaSettings), argv[1], argv[2])
    worker = faust.Worker(app, loglevel="INFO", override_logging=False, quiet=True)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main(sys.argv)
