"""How the coordinator keeps an employer's state in its table: a snapshot now and
then, and the events applied since.

Writing the whole state on every event would cost as much as the employer's
history (a busy employer's state is hundreds of kilobytes) and carry it to the
changelog each time. Instead, an employer's ``n``-th applied event is stored on
its own under ``{orgnr}/{n % TAIL}``, and every ``TAIL`` events (from the first
on) the whole state is stored under ``{orgnr}``, as of that event, instead. Slots
are reused, so an employer has at most ``TAIL`` keys and a write costs about one
event; the state is the snapshot with the newer slots folded in, in order.

Values are bytes: a snapshot is the JSON of ``encode_state`` plus ``seq`` and the
service's ``extra`` (the notifier's published alerts); a slot is ``seq`` in
ASCII, a newline, a JSON line with the employer's designation after the event
(the memory behind employer notices, which depends on the people directory of
that moment) and ``extra`` after it, and the accepted event as it was read, or
nothing when only the designation changed (``designation``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from enkontakt.services.coordinator.codec import decode_state, encode_state
from enkontakt.services.coordinator.employer import Designation, EmployerState

TAIL = 32
"""Events between two snapshots of one employer."""


@dataclass(frozen=True, slots=True)
class Stored:
    """One employer as read from the table: its snapshot and the events after it."""

    state: EmployerState
    seq: int
    events: list[tuple[bytes, Designation]]
    extra: Any = None
    """The service's ``extra`` as of the last of ``events`` (or of the snapshot)."""


def orgnr_of(key: str) -> str:
    """The employer a table key belongs to."""
    return key.partition("/")[0]


@dataclass(slots=True)
class EmployerLog:
    """The count of applied events per employer held here, and the table entry
    that records the latest one."""

    tail: int = TAIL
    seq: dict[str, int] = field(default_factory=dict)

    def write(self, state: EmployerState, raw: bytes, extra: Any = None) -> tuple[str, bytes]:
        """The key and value to store after ``raw`` was applied to ``state``;
        ``extra``: what else the service keeps of the employer after it (JSON-able)."""
        seq = self.seq.get(state.orgnr, 0) + 1
        self.seq[state.orgnr] = seq
        if seq % self.tail == 1 % self.tail:
            snapshot = encode_state(state)
            snapshot["seq"] = seq
            snapshot["extra"] = extra
            return state.orgnr, orjson.dumps(snapshot)
        d = state.designation
        after = orjson.dumps([d.ident, d.shown, d.at, extra, d.checked])
        return f"{state.orgnr}/{seq % self.tail}", b"%d\n%b\n%b" % (seq, after, raw)

    def designation(self, state: EmployerState, extra: Any = None) -> tuple[str, bytes]:
        """The key and value to store after ``state``'s designation was worked out
        again by something other than its own events (a person's absence, two
        humans joined): a slot with no event."""
        return self.write(state, b"", extra)

    def slot_keys(self, orgnr: str) -> list[str]:
        """Every key an employer's events may be stored under."""
        return [f"{orgnr}/{slot}" for slot in range(self.tail)]

    def lookup(self, orgnr: str, get: Callable[[str], bytes | None]) -> Stored | None:
        """An employer as ``get`` (a table's ``get``) has it; None if never stored."""
        snapshot = get(orgnr)
        if snapshot is None:
            return None
        return self.read(orgnr, snapshot, (get(key) for key in self.slot_keys(orgnr)))

    def read(self, orgnr: str, snapshot: bytes, slots: Iterator[bytes | None]) -> Stored:
        """An employer from its snapshot and slot values; remembers its count."""
        value = orjson.loads(snapshot)
        base = int(value.pop("seq"))
        extra = value.pop("extra", None)
        newer: list[tuple[int, bytes, bytes]] = []
        for slot in slots:
            if slot is None:
                continue
            head, _, rest = slot.partition(b"\n")
            if int(head) > base:
                after, _, raw = rest.partition(b"\n")
                newer.append((int(head), raw, after))
        newer.sort()
        self.seq[orgnr] = newer[-1][0] if newer else base
        events = []
        for _, raw, after in newer:
            # Written before ``checked`` was kept: four items.
            ident, shown, at, extra_after, *checked = orjson.loads(after)
            events.append((raw, Designation(ident, shown, at, *checked)))
            extra = extra_after  # as of the latest event
        return Stored(decode_state(value), base, events, extra)

    def read_all(self, entries: Mapping[str, bytes]) -> Iterator[Stored]:
        """Every employer among table entries (snapshots and slots of any employers)."""
        slots: dict[str, list[bytes]] = {}
        for key, value in entries.items():
            if "/" in key:
                slots.setdefault(orgnr_of(key), []).append(value)
        for key, value in entries.items():
            if "/" not in key:
                yield self.read(key, value, iter(slots.get(key, ())))

    def forget(self, orgnr: str) -> None:
        """Stop counting for an employer no longer held here."""
        self.seq.pop(orgnr, None)
