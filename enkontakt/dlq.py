"""``enkontakt dlq``: read the dead-letter topic and re-drive rejected events.

The coordinator puts every rejected input event on the dead-letter topic with
its original bytes and the headers ``enkontakt-error`` (the code) and
``enkontakt-error-detail`` (a sentence). After a fix (an upstream system
corrected, a rule relaxed), ``redrive`` publishes a selection of them again to
the input topic, byte for byte, with their original headers; there they are
validated again, and those still invalid land on the dead-letter topic again.

Nothing here prints a payload: a rejected event may hold exactly the personal
data it was rejected for. A message key is shown only when it is an orgnr.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from enkontakt.kafka.offsets import end_offsets
from enkontakt.schemas.rejection import RejectionCode
from enkontakt.settings import (
    ConfigurationError,
    KafkaSettings,
    aiokafka_client_kwargs,
    load_settings,
)

ERROR_HEADER = "enkontakt-error"
DETAIL_HEADER = "enkontakt-error-detail"
REDRIVEN_HEADER = "enkontakt-redriven-from"
"""Added to a re-driven event: ``<dlq topic>:<partition>:<offset>`` it came from."""

_DROPPED_HEADERS = frozenset({ERROR_HEADER, DETAIL_HEADER, REDRIVEN_HEADER})
_ORGNR_KEY = re.compile(rb"[0-9]{9}")  # both matched whole (fullmatch)
_RELATIVE = re.compile(r"([0-9]+)([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

Headers = tuple[tuple[str, bytes | None], ...]


@dataclass(frozen=True, slots=True)
class Rejected:
    """One record of the dead-letter topic."""

    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None  # None: the input message had no value
    headers: Headers

    @property
    def error(self) -> str:
        """The rejection code, or ``unknown`` for a record without one."""
        return _header(self.headers, ERROR_HEADER) or "unknown"

    @property
    def detail(self) -> str:
        """The sentence explaining the rejection (names at most a field, never a value)."""
        return _header(self.headers, DETAIL_HEADER) or ""

    @property
    def at(self) -> datetime:
        """When the record was written to the dead-letter topic."""
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)


def _header(headers: Headers, name: str) -> str | None:
    for key, value in headers:
        if key == name:
            return (value or b"").decode("utf-8", errors="replace")
    return None


@dataclass(frozen=True, slots=True)
class Selection:
    """Which rejected events to list or re-drive; empty criteria select everything."""

    errors: frozenset[str] = frozenset()
    offsets: frozenset[tuple[int, int]] = frozenset()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def narrowed(self) -> bool:
        """Whether any criterion is set."""
        return bool(self.errors or self.offsets or self.since or self.until)

    def matches(self, record: Rejected) -> bool:
        """Whether ``record`` meets every criterion that is set."""
        return (
            (not self.errors or record.error in self.errors)
            and (not self.offsets or (record.partition, record.offset) in self.offsets)
            and (self.since is None or record.at >= self.since)
            and (self.until is None or record.at < self.until)
        )


def redrive_headers(record: Rejected, dlq_topic: str) -> list[tuple[str, bytes | None]]:
    """The original headers of ``record`` without the error headers, plus where it came from."""
    kept = [(name, value) for name, value in record.headers if name not in _DROPPED_HEADERS]
    origin = f"{dlq_topic}:{record.partition}:{record.offset}".encode()
    return [*kept, (REDRIVEN_HEADER, origin)]


def newest_copies(records: Sequence[Rejected]) -> list[Rejected]:
    """The records that are not an earlier copy of an event re-driven since and
    rejected again: re-driving selects each event once, as its newest copy."""
    redriven = set()
    for record in records:
        origin = (_header(record.headers, REDRIVEN_HEADER) or "").rsplit(":", 2)
        if len(origin) == 3 and origin[1].isdigit() and origin[2].isdigit():
            redriven.add((int(origin[1]), int(origin[2])))  # <dlq topic>:<partition>:<offset>
    return [r for r in records if (r.partition, r.offset) not in redriven]


def shown_key(key: bytes | None) -> str:
    """A key fit to print: an orgnr as it is, anything else only described."""
    if key is None:
        return "-"
    return key.decode() if _ORGNR_KEY.fullmatch(key) else "(not an orgnr)"


def row(record: Rejected) -> str:
    """One tab-separated line about ``record``: position, time, key, error, detail."""
    at = record.at.isoformat(timespec="seconds").replace("+00:00", "Z")
    position = f"{record.partition}:{record.offset}"
    return "\t".join((position, at, shown_key(record.key), record.error, record.detail))


def as_json(record: Rejected) -> bytes:
    """The same facts as :func:`row`, as one JSON object."""
    return orjson.dumps(
        {
            "partition": record.partition,
            "offset": record.offset,
            "time": record.at.isoformat(),
            "key": shown_key(record.key),
            "error": record.error,
            "detail": record.detail,
            "redriven_from": _header(record.headers, REDRIVEN_HEADER),
        }
    )


async def read_dlq(settings: KafkaSettings) -> list[Rejected]:
    """Every record on the dead-letter topic now, in (time, partition, offset) order.

    Reads each partition from its beginning up to the end offset found at the
    start, without a consumer group: nothing is committed and nothing moves.
    """
    consumer = AIOKafkaConsumer(
        enable_auto_commit=False, auto_offset_reset="earliest", **aiokafka_client_kwargs(settings)
    )
    await consumer.start()
    try:
        partitions = await _partitions(consumer, settings.topic_dlq)
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await end_offsets(consumer, settings, partitions)
        records = await _read_until(consumer, ends)
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: (r.timestamp_ms, r.partition, r.offset))


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    await consumer.topics()  # fetches metadata for every topic
    numbers = sorted(consumer.partitions_for_topic(topic) or ())
    return [TopicPartition(topic, number) for number in numbers]


async def _read_until(
    consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]
) -> list[Rejected]:
    records: list[Rejected] = []
    pending = {tp for tp, end in ends.items() if await consumer.position(tp) < end}
    while pending:
        batches = await consumer.getmany(*pending, timeout_ms=1000)
        for tp, batch in batches.items():
            records.extend(_rejected(record) for record in batch if record.offset < ends[tp])
        pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    return records


def _rejected(record: Any) -> Rejected:
    return Rejected(
        partition=record.partition,
        offset=record.offset,
        timestamp_ms=record.timestamp,
        key=record.key,
        value=record.value,
        headers=tuple(record.headers),
    )


async def redrive(settings: KafkaSettings, records: Sequence[Rejected]) -> int:
    """Publish ``records`` to the input topic with their original key, bytes and headers."""
    producer = AIOKafkaProducer(
        acks="all",
        **aiokafka_client_kwargs(settings),
    )
    await producer.start()
    try:
        for record in records:
            await producer.send_and_wait(
                settings.topic_events,
                record.value,
                key=record.key,
                headers=redrive_headers(record, settings.topic_dlq),
            )
    finally:
        await producer.stop()
    return len(records)


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """An RFC 3339 time with offset, or an age such as ``90m``, ``6h`` or ``14d`` before now."""
    relative = _RELATIVE.fullmatch(text)
    if relative:
        amount, unit = relative.groups()
        start = now or datetime.now(UTC)
        return start - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected RFC 3339 with offset or an age like 6h, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"time needs an offset, e.g. {text}Z")
    return moment


def parse_offset(text: str) -> list[tuple[int, int]]:
    """``P:O`` (one record) or ``P:FIRST-LAST`` (inclusive) as (partition, offset) pairs."""
    match = re.fullmatch(r"([0-9]+):([0-9]+)(?:-([0-9]+))?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected PARTITION:OFFSET[-LAST], got {text!r}")
    partition, first, last = match.groups()
    end = int(last) if last is not None else int(first)
    if end < int(first):
        raise argparse.ArgumentTypeError(f"empty offset range {text!r}")
    return [(int(partition), offset) for offset in range(int(first), end + 1)]


def _error_code(text: str) -> str:
    codes = [str(code) for code in RejectionCode]
    if text not in codes:
        raise argparse.ArgumentTypeError(f"unknown error code {text!r}; one of {', '.join(codes)}")
    return text


def _selection(args: argparse.Namespace) -> Selection:
    pairs = [pair for group in args.offsets or () for pair in group]
    return Selection(
        errors=frozenset(args.error or ()),
        offsets=frozenset(pairs),
        since=args.since,
        until=args.until,
    )


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--error",
        action="append",
        type=_error_code,
        metavar="CODE",
        help="only this rejection code (repeatable)",
    )
    parser.add_argument(
        "--offsets",
        nargs="+",
        type=parse_offset,
        metavar="P:O",
        help="only these records: PARTITION:OFFSET or PARTITION:FIRST-LAST",
    )
    parser.add_argument(
        "--since", type=parse_time, metavar="T", help="rejected at or after T (RFC 3339, or 6h, 2d)"
    )
    parser.add_argument("--until", type=parse_time, metavar="T", help="rejected before T")


def register(subparsers: Any) -> None:
    """Add ``enkontakt dlq list`` and ``enkontakt dlq redrive``."""
    parser = subparsers.add_parser(
        "dlq",
        help="list or re-drive rejected events on the dead-letter topic",
        description="Read the dead-letter topic; re-publish selected rejected events.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help="position, time, key, error and detail of rejected events (no payloads)"
    )
    _add_selection(listing)
    listing.add_argument("--limit", type=int, default=None, help="only the N most recent")
    listing.add_argument("--json", action="store_true", help="JSON Lines instead of a table")
    listing.set_defaults(func=run_list)
    again = actions.add_parser(
        "redrive", help="re-publish selected rejected events to the input topic"
    )
    _add_selection(again)
    again.add_argument("--all", action="store_true", help="select every rejected event")
    again.add_argument(
        "--dry-run", action="store_true", help="show what would be re-driven; send nothing"
    )
    again.set_defaults(func=run_redrive)


def run_list(args: argparse.Namespace) -> int:
    """``enkontakt dlq list``."""
    settings = _settings()
    if settings is None:
        return 2
    everything = asyncio.run(read_dlq(settings))
    chosen = [r for r in everything if _selection(args).matches(r)]
    shown = chosen[-args.limit :] if args.limit else chosen
    _print(shown, as_lines=args.json)
    print(
        f"{len(shown)} shown, {len(chosen)} match, {len(everything)} on {settings.topic_dlq}"
        f"; by error: {_by_error(chosen)}",
        file=sys.stderr,
    )
    return 0


def run_redrive(args: argparse.Namespace) -> int:
    """``enkontakt dlq redrive``: exit 2 when nothing narrows the selection and --all is absent."""
    selection = _selection(args)
    if not (selection.narrowed or args.all):
        print(
            "enkontakt: choose what to re-drive (--error, --offsets, --since, --until) "
            "or pass --all",
            file=sys.stderr,
        )
        return 2
    settings = _settings()
    if settings is None:
        return 2
    everything = asyncio.run(read_dlq(settings))
    chosen = [r for r in newest_copies(everything) if selection.matches(r)]
    _print(chosen, as_lines=False)
    if args.dry_run:
        print(f"would re-drive {len(chosen)} event(s) to {settings.topic_events}", file=sys.stderr)
        return 0
    sent = asyncio.run(redrive(settings, chosen))
    print(f"re-drove {sent} event(s) to {settings.topic_events}", file=sys.stderr)
    return 0


def _print(records: Iterable[Rejected], *, as_lines: bool) -> None:
    for record in records:
        print(as_json(record).decode() if as_lines else row(record))


def _by_error(records: Iterable[Rejected]) -> str:
    counts = Counter(record.error for record in records)
    return ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) or "none"


def _settings() -> KafkaSettings | None:
    try:
        return load_settings(KafkaSettings)
    except ConfigurationError as error:
        print(f"enkontakt: {error}", file=sys.stderr)
        return None
