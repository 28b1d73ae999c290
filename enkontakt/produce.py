"""``enkontakt produce EVENTS``: publish a JSON Lines file of events to the input topic.

Each non-blank line is sent as it is, byte for byte, keyed by the employer's
orgnr where the line is an event that names one (CONTRACT §1); a line that is not
even JSON is sent unkeyed, and the coordinator rejects it to the dead-letter
topic like any other invalid input. For demos, back-fills of a live system and
tests: ``enkontakt generate --events 500 | enkontakt produce -``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson
from aiokafka import AIOKafkaProducer

from enkontakt.settings import (
    ConfigurationError,
    KafkaSettings,
    aiokafka_client_kwargs,
    load_settings,
)


def employer_key(line: bytes) -> bytes | None:
    """The message key of an event: ``data.employer.orgnr`` as UTF-8, if the line has one."""
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    employer = _get(_get(event, "data"), "employer")
    orgnr = _get(employer, "orgnr")
    return orgnr.encode() if isinstance(orgnr, str) else None


def _get(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def event_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """The non-blank lines of ``stream``, without their line endings."""
    for line in stream:
        stripped = line.strip()
        if stripped:
            yield stripped


async def produce(settings: KafkaSettings, topic: str, lines: Iterable[bytes]) -> int:
    """Send every line to ``topic`` and wait until all are acknowledged; return the count."""
    producer = AIOKafkaProducer(
        acks="all",
        **aiokafka_client_kwargs(settings),
    )
    await producer.start()
    try:
        pending = [await producer.send(topic, line, key=employer_key(line)) for line in lines]
        await producer.flush()
        for delivery in pending:
            await delivery  # raises if the broker refused the record
        return len(pending)
    finally:
        await producer.stop()


def register(subparsers: Any) -> None:
    """Add ``enkontakt produce``."""
    parser = subparsers.add_parser(
        "produce",
        help="publish a JSON Lines file of events to the input topic",
        description="Send each line of EVENTS to the input topic, keyed by the employer's orgnr.",
    )
    parser.add_argument("events", help="JSON Lines file of CloudEvents, or - for standard input")
    parser.add_argument(
        "--topic", help="topic to send to (default: ENKONTAKT_TOPIC_EVENTS)", default=None
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Publish the file; exit 2 on a missing file or bad configuration."""
    try:
        settings = load_settings(KafkaSettings)
    except ConfigurationError as error:
        print(f"enkontakt: {error}", file=sys.stderr)
        return 2
    topic = args.topic or settings.topic_events
    if args.events == "-":
        sent = asyncio.run(produce(settings, topic, event_lines(sys.stdin.buffer)))
    else:
        path = Path(args.events)
        if not path.is_file():
            print(f"enkontakt: no such file: {path}", file=sys.stderr)
            return 2
        with path.open("rb") as stream:
            sent = asyncio.run(produce(settings, topic, event_lines(stream)))
    print(f"sent {sent} event(s) to {topic}", file=sys.stderr)
    return 0
