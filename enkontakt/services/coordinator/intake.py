"""What the coordinator's intake makes of one input message, apart from Kafka:
a rejection for the DLQ with the original bytes, or the accepted event for its
employer (keyed by orgnr) and its person records for every worker's people
directory. Output is a list of ``Out`` messages naming a logical topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from enkontakt.schemas.events import ContactEvent
from enkontakt.services.coordinator.mentions import mentions_in
from enkontakt.services.coordinator.people import Mention
from enkontakt.services.coordinator.people_codec import encode_mention
from enkontakt.services.coordinator.validation import Rejection, decode, decode_binary

ABSENCE = "enkontakt.contact-person.absent.v1"
Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Out:
    """One message to publish: logical topic, key, value and headers."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class Intake:
    """What the intake made of one input message: the messages to publish, and
    its person records apart (a batch of input publishes them in one message,
    see ``people_message``)."""

    outs: list[Out]
    rejection: Rejection | None = None
    event_id: str | None = None
    orgnr: str | None = None
    event: ContactEvent | None = None
    mentions: list[dict[str, Any]] = field(default_factory=list)
    # The same person records as the ledger takes them (None when not made).
    found: list[Mention] | None = None

    def messages(self) -> list[Out]:
        """Everything to publish for this message alone."""
        people = people_message(self.mentions)
        return self.outs if people is None else [*self.outs, people]


def people_message(mentions: Sequence[dict[str, Any]]) -> Out | None:
    """One message of the people topic for the person records of one or more
    events (None when there are none), keyed by the first record's identifier."""
    if not mentions:
        return None
    key = mentions[0]["idents"][0].encode()
    return Out("people", key, orjson.dumps({"kind": "mentions", "mentions": mentions}))


def is_binary(headers: Headers) -> bool:
    """True when the message is a CloudEvent in binary mode (``ce_*`` headers)."""
    return any(name.lower() == "ce_specversion" for name, _ in headers)


def structured(event: ContactEvent) -> bytes:
    """The event in JSON structured mode."""
    return orjson.dumps(event.model_dump(mode="json", by_alias=True, exclude_none=True))


def intake(
    key: bytes | None, value: bytes | None, headers: Headers, *, people: bool = True
) -> Intake:
    """Decode one input message: a rejection goes to the DLQ with the original
    bytes; an accepted event goes on, keyed by orgnr, with its person records.
    Without ``people`` neither the person records nor an absence's people message
    are made (the notifier reads the same input; the coordinator publishes them)."""
    raw = value if value is not None else b""
    event = decode_binary(headers, value) if is_binary(headers) else decode(value)
    if isinstance(event, Rejection):
        error = (
            ("enkontakt-error", str(event.code).encode()),
            ("enkontakt-error-detail", event.detail.encode()),
        )
        return Intake([Out("dlq", key, raw, (*tuple(headers), *error))], rejection=event)
    body = structured(event) if is_binary(headers) else raw
    outs: list[Out] = []
    orgnr = None
    records: list[dict[str, Any]] = []
    found = None
    if event.type == ABSENCE:
        if not people:
            return Intake(outs, event_id=event.id, event=event)
        person_key = mentions_in(event)[0].idents[0].encode()
        outs.append(
            Out(
                "people",
                person_key,
                orjson.dumps({"kind": "absence", "event": orjson.Fragment(body)}),
            )
        )
    else:
        orgnr = event.data.employer.orgnr  # type: ignore[union-attr]
        outs.append(Out("accepted", orgnr.encode(), body))
        if people:
            found = mentions_in(event)
            records = [encode_mention(m) for m in found]
    return Intake(outs, event_id=event.id, orgnr=orgnr, event=event, mentions=records, found=found)
