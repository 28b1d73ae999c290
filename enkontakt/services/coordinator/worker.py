"""The coordinator's work per message, apart from Kafka: what to publish for each
accepted event, person record and timer tick (input messages: ``intake``).

The faust agents in ``enkontakt.services.coordinator.app`` only move bytes between
topics and tables and call these methods; everything here is testable without a
broker. Output is a list of ``Out`` messages naming a logical topic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from enkontakt.schemas.events import ContactEvent
from enkontakt.services.coordinator.consolidation import Contact, KeptContacts
from enkontakt.services.coordinator.designations import designation_message, taken
from enkontakt.services.coordinator.employer import Designation, EmployerState
from enkontakt.services.coordinator.facts import to_us
from enkontakt.services.coordinator.intake import Intake, Out
from enkontakt.services.coordinator.ledger import Ledger
from enkontakt.services.coordinator.mentions import mentions_in
from enkontakt.services.coordinator.pending import Pending
from enkontakt.services.coordinator.people_codec import decode_mention
from enkontakt.services.coordinator.store import Stored
from enkontakt.services.coordinator.validation import Rejection, decode
from enkontakt.services.coordinator.view import build_view
from enkontakt.services.coordinator.wakeups import Wakeups
from enkontakt.services.notifier.rules import next_breakpoint
from enkontakt.services.rules_config import RuleConfig


@dataclass(slots=True)
class EmployerWorker:
    """The employers held by one worker, their people directory and their timers.

    ``derive`` turns an employer into the messages to publish at a moment (views
    and notices for the coordinator, alert changes for the notifier).
    """

    config: RuleConfig
    derive: Callable[[Ledger, EmployerState, int, Sequence[Contact]], list[Out]]
    # Derive employers changed by their own events in ``flush`` rather than after
    # every message (``Pending``). Employers changed only through a human they
    # name, and restored ones, are derived by ``flush`` either way.
    defer: bool = False
    # Publish a designation message (``designated``) for each held employer whose
    # designation a person record or an absence worked out again, so that it is
    # stored: the coordinator's notices depend on it.
    designations: bool = False
    # Derive a restored employer not derived since before its next event is
    # applied: what time or people changed meanwhile (the notifier's alerts,
    # published with no event of the employer to store them beside) is then
    # known again, and the event's changes are told against it.
    settle_restored: bool = False
    ledger: Ledger = field(init=False)
    wakeups: Wakeups = field(default_factory=Wakeups)
    latest: int | None = None
    pending: Pending = field(default_factory=Pending)
    # A hash of the view last published for each employer held here: a view
    # derived again unchanged (a busy human's details changed back, a window
    # boundary that moved nothing shown) is not published again.
    published: dict[bytes, int] = field(default_factory=dict)
    # Events this process's intake decoded, by the bytes it published to the
    # accepted topic: the employers' side need not decode them again. At most
    # ``handoff`` are kept (the accepted message may go to another worker).
    decoded: dict[bytes, Intake] = field(default_factory=dict)
    handoff: int = 4096
    contacts: KeptContacts = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.config, views_follow_people=True)
        self.contacts = KeptContacts(self.config.session_gap)

    def moment(self, wall: int) -> int:
        """The clock: the later of the wall clock and the latest event time seen."""
        return wall if self.latest is None else max(wall, self.latest)

    def restore(self, states: Iterable[EmployerState]) -> None:
        """Hold these employers (restored from the table after an assignment); each
        is derived again soon (``Pending``), for its timers and its current view."""
        for state in states:
            self.ledger.load(state)
            self.pending.restore(state.orgnr)
            self._saw(state.updated_at)

    def hold(self, stored: Stored) -> None:
        """Hold one employer as read from the table: its snapshot, then the
        events stored after it, in order."""
        self.restore([stored.state])
        self.replay(stored.events, stored.state.orgnr)

    def replay(self, events: Iterable[tuple[bytes, Designation]], orgnr: str) -> None:
        """Apply the accepted events stored after ``orgnr``'s restored state, each
        with the designation it left (their notices were published when they first
        came); a slot with no event holds a designation alone."""
        replayed = False
        for raw, designation in events:
            if raw:
                event = decode(raw)
                if isinstance(event, Rejection):
                    continue
                self._saw(to_us(event.time))
                self.ledger.apply(event)
            state = self.ledger.employers.get(orgnr)
            if state is not None:
                state.designation = designation
                replayed = True
        if replayed:
            self.ledger.reschedule(self.ledger.employers[orgnr])

    def release(self, orgnrs: Iterable[str]) -> None:
        """Stop holding these employers (their partitions moved elsewhere)."""
        for orgnr in orgnrs:
            self.ledger.evict(orgnr)
            self.contacts.forget(orgnr)
            self.published.pop(orgnr.encode(), None)
            self.pending.forget(orgnr)
            self.wakeups.forget(orgnr)

    def expect(self, result: Intake) -> None:
        """Keep the event the intake decoded until its accepted message comes back
        (to this worker or not: the oldest are dropped beyond ``handoff``)."""
        if result.event is None:
            return
        for out in result.outs:
            if out.topic == "accepted":
                self.decoded[out.value] = result
        while len(self.decoded) > self.handoff:
            del self.decoded[next(iter(self.decoded))]

    def accepted(self, raw: bytes, wall: int) -> tuple[list[Out], EmployerState | None]:
        """Apply one accepted event; returns what to publish and the state to store
        (None when it was a duplicate and nothing changed)."""
        taken = self.decoded.pop(raw, None)
        event = taken.event if taken is not None and taken.event is not None else decode(raw)
        if isinstance(event, Rejection):  # cannot happen for our own topic; never crash
            return [], None
        found = taken.found if taken is not None else None
        self._saw(to_us(event.time))
        now = self.moment(wall)
        outs = self._advance(now)
        if self.settle_restored:
            outs.extend(self._settle(event, now))
        # Person records first, so that other employers held here that name the
        # same human are re-derived too.
        merges = self.ledger.merges
        touched: set[str] = set()
        for mention in found if found is not None else mentions_in(event):
            touched.update(self.ledger.apply_mention(mention))
        joined = self.ledger.merges != merges
        outcome = self.ledger.apply(event, joined=joined)
        if not outcome.applied or outcome.orgnr is None:
            return outs, None
        state = self.ledger.employers[outcome.orgnr]
        outs.extend(notice_outs(outcome.notices))
        outs.extend(self._changed(state.orgnr, now))
        # Only joining two humans can change who is designated elsewhere (new
        # details of a human cannot).
        for orgnr in sorted(touched - {state.orgnr}):
            if joined:
                outs.extend(self._recheck(orgnr))
            outs.extend(self._changed(orgnr, now, by_people=True))
        return outs, state

    def designated(self, orgnr: str, value: bytes) -> EmployerState | None:
        """Take a designation message (``designations``): the held employer, to be
        stored with its designation (None when it is not held here)."""
        state = self.ledger.employers.get(orgnr)
        if state is not None and taken(state, self.ledger.people, value):
            self.ledger.reschedule(state)
        return state

    def people(self, raw: bytes, wall: int) -> list[Out]:
        """Apply one message of the people topic; re-derive the employers it touches."""
        message = orjson.loads(raw)
        if message.get("kind") == "absence":
            event = decode(orjson.dumps(message["event"]))
            if isinstance(event, Rejection):
                return []
            self._saw(to_us(event.time))
            now = self.moment(wall)
            outs = self._advance(now)
            outcome = self.ledger.apply(event)
            outs.extend(notice_outs(outcome.notices))
            for orgnr in outcome.checked:
                outs.extend(self._to_store(orgnr))
            for orgnr in outcome.affected:
                outs.extend(self._changed(orgnr, now))
        else:
            now = self.moment(wall)
            outs = self._advance(now)
            # "mentions": an event's person records; "mention": one record, as
            # written by earlier versions.
            records = message["mentions"] if message.get("kind") == "mentions" else [message]
            merges = self.ledger.merges
            found: dict[str, None] = {}
            for record in records:
                found.update(dict.fromkeys(self.ledger.apply_mention(decode_mention(record))))
            joined = self.ledger.merges != merges
            for orgnr in found:
                if joined:
                    outs.extend(self._recheck(orgnr))
                outs.extend(self._changed(orgnr, now, by_people=True))
        return outs

    def flush(self, wall: int, *, everything: bool = False) -> list[Out]:
        """Derive the employers changed since the last flush (with ``defer``); of
        those changed only through the people they name, the ones that have waited
        ``people_delay``; and the next ``catch_up`` restored ones (all of them
        with ``everything``)."""
        now = self.moment(wall)
        return self._derive_all(self.pending.due(now, everything), now)

    def tick(self, wall: int) -> list[Out]:
        """Publish what time alone has changed by ``wall`` (and flush)."""
        now = self.moment(wall)
        outs = self._advance(now)
        due = self.pending.due(now) | self.wakeups.due(now)
        return outs + self._derive_all(due, now)

    def _settle(self, event: ContactEvent, now: int) -> list[Out]:
        employer = getattr(event.data, "employer", None)
        if employer is None or employer.orgnr not in self.pending.restored:
            return []
        state = self.ledger.employers.get(employer.orgnr)
        return [] if state is None else self._derive(state, now)

    def _saw(self, at: int | None) -> None:
        # The latest event time seen, restored ones included: the clock does not
        # go back across a restart.
        if at is not None and (self.latest is None or at > self.latest):
            self.latest = at

    def _derive_all(self, orgnrs: set[str], now: int) -> list[Out]:
        outs: list[Out] = []
        for orgnr in sorted(orgnrs):
            state = self.ledger.employers.get(orgnr)
            if state is not None:
                outs.extend(self._derive(state, now))
        return outs

    def _changed(self, orgnr: str, now: int, *, by_people: bool = False) -> list[Out]:
        if self.defer or by_people:
            self.pending.change(orgnr, now, by_people=by_people)
            return []
        state = self.ledger.employers.get(orgnr)
        return [] if state is None else self._derive(state, now)

    def _advance(self, now: int) -> list[Out]:
        return notice_outs(self.ledger.advance(now))

    def _recheck(self, orgnr: str) -> list[Out]:
        # ``notices.check`` replaces a designation that changes; ``checked`` moves.
        state = self.ledger.employers.get(orgnr)
        before = None if state is None else (state.designation, state.designation.checked)
        outs = notice_outs(self.ledger.recheck(orgnr))
        if state is not None and before != (state.designation, state.designation.checked):
            outs.extend(self._to_store(orgnr))
        return outs

    def _to_store(self, orgnr: str) -> list[Out]:
        # For an employer whose designation was worked out again apart from its
        # own events (with ``designations``).
        state = self.ledger.employers.get(orgnr)
        if not self.designations or state is None:
            return []
        return [designation_message(state)]

    def _derive(self, state: EmployerState, now: int) -> list[Out]:
        self.pending.derived(state.orgnr)
        people = self.ledger.people
        contacts = self.contacts.of(state.orgnr, state.reports, people)
        wake = next_breakpoint(state, people, contacts, self.config, now)
        self.wakeups.schedule(state.orgnr, wake)
        return [out for out in self.derive(self.ledger, state, now, contacts) if self._new(out)]

    def _new(self, out: Out) -> bool:
        if out.topic != "views" or out.key is None:
            return True
        digest = hash(out.value)
        if self.published.get(out.key) == digest:
            return False
        self.published[out.key] = digest
        return True


def notice_outs(notices: Iterable[dict[str, Any]]) -> list[Out]:
    """Employer notices as messages keyed by orgnr."""
    return [Out("notices", n["orgnr"].encode(), orjson.dumps(n)) for n in notices]


def view_out(
    ledger: Ledger, state: EmployerState, now: int, contacts: Sequence[Contact]
) -> list[Out]:
    """The coordinator's derivation: the employer's view at ``now`` (``contacts``:
    its consolidated contacts)."""
    view = build_view(state, ledger.people, now, ledger.config, contacts)
    return [Out("views", state.orgnr.encode(), orjson.dumps(view))]
