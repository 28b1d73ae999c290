"""The input the streaming tests send: generated events, lines the contract rejects,
events in CloudEvents binary mode, and keys the service must not trust.

Each ``Message`` is what goes onto the input topic; ``line`` is the same event as
the JSON line ``enkontakt replay`` reads (None for a message replay cannot see).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from aiokafka.partitioner import murmur2

from enkontakt.generate import OSLO, generate_events, orgnr_for
from tests import builders as b
from tests.streaming.kafka_io import Headers

GENERATED_START = datetime(2026, 1, 5, tzinfo=OSLO)
CRAFTED_ORGNR_BASE = 93_000_000
"""Orgnrs of employers made up by the tests, apart from the generated ones (910…)."""

SENTINEL = {
    "id": "T424242",
    "name": "Ingrid Testesen",
    "email": "ingrid.testesen@example.org",
    "phone": "+47 41 23 45 67",
}
"""A person whose name, e-mail and phone number must never reach a log."""
SENTINEL_VALUES = ("Ingrid Testesen", "ingrid.testesen@example.org", "41234567", "41 23 45 67")

FODSELSNUMMER = "15079012367"
"""Synthetic, but with valid check digits: the contract rejects it anywhere in an event."""


@dataclass(frozen=True, slots=True)
class Message:
    """One record for the input topic, and the line replay reads for it."""

    value: bytes
    line: bytes | None
    key: bytes | None = None
    headers: Headers | None = None
    partition: int | None = None


def generated(*, employers: int, events: int, seed: int) -> list[bytes]:
    """Lines of ``enkontakt generate`` (duplicate reports and exact redeliveries included)."""
    stream = generate_events(
        employers=employers,
        events=events,
        seed=seed,
        start=GENERATED_START,
        days=180,
        duplicate_rate=0.05,
        redelivery_rate=0.02,
    )
    return [orjson.dumps(event) for event in stream]


def orgnr_of(line: bytes) -> str | None:
    """The employer of an event line, or None (absences, unreadable lines)."""
    try:
        employer = json.loads(line)["data"].get("employer")
    except (ValueError, KeyError, AttributeError, TypeError):
        return None
    return employer.get("orgnr") if isinstance(employer, dict) else None


def keyed(line: bytes) -> Message:
    """A structured-mode message keyed by its employer's orgnr, as upstream sends it."""
    orgnr = orgnr_of(line)
    return Message(line, line, key=orgnr.encode() if orgnr else None)


def binary(line: bytes, key: bytes | None = None) -> Message:
    """The same event in CloudEvents binary mode: ``ce_*`` headers and JSON data."""
    event = json.loads(line)
    headers: Headers = [
        (f"ce_{name}", str(event[name]).encode())
        for name in ("specversion", "id", "source", "type", "time", "subject")
        if name in event
    ]
    headers.append(("content-type", b"application/json"))
    return Message(orjson.dumps(event["data"]), line, key=key, headers=headers)


def crafted_orgnr(index: int) -> str:
    """A valid orgnr of an employer the tests make up."""
    return orgnr_for(index, CRAFTED_ORGNR_BASE)


def orgnrs_by_partition(partitions: int, per_partition: int) -> dict[int, list[str]]:
    """Crafted orgnrs whose key the default Kafka partitioner puts on each partition."""
    found: dict[int, list[str]] = {p: [] for p in range(partitions)}
    index = 0
    while any(len(v) < per_partition for v in found.values()):
        orgnr = crafted_orgnr(index)
        partition = (murmur2(orgnr.encode()) & 0x7FFFFFFF) % partitions
        if len(found[partition]) < per_partition:
            found[partition].append(orgnr)
        index += 1
    return found


def line(event: dict[str, Any]) -> bytes:
    """An event dict as a JSON line."""
    return json.dumps(event, ensure_ascii=False).encode()


def rejected_lines() -> list[bytes]:
    """One line for each rejection code, and a repeat of one of them.

    The invalid-data line carries free text about a candidate and the sentinel
    person: it must reach the DLQ as it was, and no log.
    """
    orgnr = crafted_orgnr(900)
    at = "2026-03-02 10:00"
    good = b.contact(at, SENTINEL, orgnr=orgnr)
    free_text = b.contact(at, SENTINEL, orgnr=orgnr)
    free_text["data"]["note"] = "Kandidaten har vært sykmeldt, se journal"
    unknown = b.event("contact.forgotten", {"employer": {"orgnr": orgnr}}, at)
    bad_orgnr = b.contact(at, b.person(7), orgnr="910000005")
    identity = b.contact(at, {**b.person(8), "id": FODSELSNUMMER}, orgnr=orgnr)
    mismatch = b.contact(at, b.person(9), orgnr=orgnr, subject=crafted_orgnr(901))
    not_cloudevent = {k: v for k, v in good.items() if k != "specversion"}
    return [
        b'{"specversion": "1.0", "id": "broken-1", "source": ',
        line(not_cloudevent),
        line(unknown),
        line(free_text),
        line(bad_orgnr),
        line(identity),
        line(mismatch),
        line(free_text),
    ]


def binary_rejected() -> tuple[Message, str]:
    """A binary-mode message of an unknown type, and the code it must get."""
    event = b.event("contact.forgotten", {"employer": {"orgnr": crafted_orgnr(902)}},
                    "2026-03-02 10:00")
    message = binary(line(event), key=crafted_orgnr(902).encode())
    return Message(message.value, None, message.key, message.headers), "unknown-type"


def sentinel_contact(orgnr: str) -> bytes:
    """An accepted contact by the sentinel person at ``orgnr``."""
    return line(b.contact("2026-03-03 11:15", SENTINEL, orgnr=orgnr, channel="visit"))


def interleave(
    base: list[Message], extra: list[Message], every: int
) -> list[Message]:
    """``base`` with the ``extra`` messages spread through it, one every ``every``."""
    out: list[Message] = []
    pending = list(extra)
    for index, message in enumerate(base):
        if pending and index % every == every // 2:
            out.append(pending.pop(0))
        out.append(message)
    return out + pending


def oslo_time(moment: datetime) -> str:
    """An aware datetime as RFC 3339 on the Oslo clock, whole seconds."""
    return moment.astimezone(OSLO).replace(microsecond=0).isoformat()


def oslo_today(moment: datetime) -> tuple[str, str, str]:
    """Yesterday, today and a week from today on the Oslo calendar, as ISO dates."""
    today = moment.astimezone(OSLO).date()
    return (
        (today - timedelta(days=1)).isoformat(),
        today.isoformat(),
        (today + timedelta(days=7)).isoformat(),
    )
