"""The ledger: every accepted event folded into employer facts and the people
directory, with duplicate detection, employer notices and bounded history.

This is the core both drivers share: ``enkontakt replay`` folds a file through
it, the streaming services fold Kafka messages through it. It does no I/O and
reads no clock: the driver passes the moment in (``advance``) and publishes
what comes out.

Duplicates are recognised within the state an event changes: an employer's
events by the employer's own memory of (``source``, ``id``), absences (which
name no employer) by the people directory's. That memory is kept in the same
state as the effect, so a redelivery or a full re-read changes nothing.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from sys import intern
from typing import Any, NamedTuple

from enkontakt.schemas.events import (
    ContactEvent,
    ContactPersonAbsent,
    ContactPersonAssigned,
    ContactRegistered,
    FollowUpEnded,
    FollowUpStarted,
    InquiryAnswered,
    InquiryReceived,
)
from enkontakt.services.coordinator import notices
from enkontakt.services.coordinator.employer import (
    Assignment,
    EmployerState,
    Report,
    Start,
)
from enkontakt.services.coordinator.facts import (
    ActorRef,
    Stamp,
    person_identifiers,
    to_us,
)
from enkontakt.services.coordinator.mentions import actor_of
from enkontakt.services.coordinator.people import Absence, Mention, People
from enkontakt.services.coordinator.pruning import Horizon, prune_employer
from enkontakt.services.notifier.calendar import oslo_date_us, oslo_midnight_us
from enkontakt.services.rules_config import RuleConfig

PRUNE_EVERY = 7 * 24 * 3600 * 1_000_000
"""Pruning runs when the clock passes a multiple of this (µs since the epoch), with
the horizon that multiple minus the retention: the same horizons whatever the
order the events came in."""
_new_stamp = tuple.__new__  # Stamp(...) without the Python-level __new__ of a NamedTuple
# Events that can change who is designated; others are checked only when they
# join two humans known apart (which can make two designations one).
DESIGNATING = (ContactPersonAssigned, FollowUpStarted, FollowUpEnded)


class Outcome(NamedTuple):
    """What applying one event did (a named tuple: one is made per event)."""

    applied: bool
    orgnr: str | None
    notices: list[dict[str, Any]]
    affected: tuple[str, ...] = ()
    # Employers whose designation an absence changed, or worked out again after
    # the absence had begun: the streaming coordinator stores it
    # (``EmployerWorker.designations``).
    checked: tuple[str, ...] = ()


@dataclass(slots=True)
class Ledger:
    """All employers' facts and the people directory."""

    config: RuleConfig = field(default_factory=RuleConfig)
    employers: dict[str, EmployerState] = field(default_factory=dict)
    people: People = field(default_factory=People)
    people_seen: dict[tuple[str, str], int] = field(default_factory=dict)
    clock: int | None = None
    named_at: dict[str, set[str]] = field(default_factory=dict)
    assigned_at: dict[str, set[str]] = field(default_factory=dict)
    # Streaming drivers re-derive every employer that names a human whose details
    # changed; replay derives views once at the end and needs only the notices.
    views_follow_people: bool = False
    timers: list[tuple[int, str]] = field(default_factory=list)
    next_timer: dict[str, int] = field(default_factory=dict)
    pruned_at: int | None = None
    # The horizon of the last pruning: facts older than it are forgotten, and an
    # event older than it is forgotten as soon as it is applied (``apply``).
    horizon: Horizon | None = None
    merges: int = 0
    # The first identifier of each human an event joined to another, until the
    # employers naming it are checked again (``_check_joined``).
    joined_idents: list[str] = field(default_factory=list)

    def apply(self, event: ContactEvent, at: int | None = None, *, joined: bool = False) -> Outcome:
        """Fold one accepted event in (``at``: its time in µs, if known); duplicates
        change nothing. ``joined``: the event's person records, applied beforehand
        (``apply_mention``), joined humans known apart."""
        if at is None:
            at = to_us(event.time)
        source = intern(event.source)
        stamp = _new_stamp(Stamp, (at, source, event.id))
        data = event.data
        if isinstance(data, ContactPersonAbsent):
            return self._apply_absence(stamp, data)
        employer = data.employer
        state = self.employers.get(employer.orgnr)
        if state is None:
            state = self.employers[employer.orgnr] = EmployerState(employer.orgnr)
        key = (source, event.id)
        seen = state.seen
        if key in seen:
            return Outcome(False, state.orgnr, [])
        seen[key] = at
        if employer.name is not None:
            state.note_name(stamp, employer.name)
        state.note_time(at)
        merges = self.merges
        self._apply_to_employer(state, stamp, data)
        if self.horizon is not None and at < self.horizon.at:
            # Read after the pruning that would have forgotten it in time order.
            gap = self.config.session_gap
            prune_employer(state, self.horizon, self.people, gap, count=False)
        found: list[dict[str, Any]] = []
        if joined or isinstance(data, DESIGNATING) or self.merges != merges:
            moment = max(at, self.clock) if self.clock is not None else at
            found = self._check(state, moment, at)
            if self.merges != merges:
                self._check_joined(state.orgnr, moment, found)
        return Outcome(True, state.orgnr, found, (state.orgnr,))

    def advance(self, now: int) -> list[dict[str, Any]]:
        """Move the clock to ``now``: fire designation timers due by then, and prune.

        A timer set again for a restored employer (``reschedule``) may lie before
        the clock already; it fires at the next call all the same, in order, before
        anything else is applied to the employer."""
        found: list[dict[str, Any]] = []
        while self.timers and self.timers[0][0] <= now:
            when, orgnr = heapq.heappop(self.timers)
            if self.next_timer.get(orgnr) != when:
                continue
            del self.next_timer[orgnr]
            state = self.employers.get(orgnr)
            if state is not None:
                found.extend(self._check(state, when, when))
        if self.clock is not None and now <= self.clock:
            return found
        self.clock = now
        passed = now - now % PRUNE_EVERY
        if self.pruned_at is None or passed > self.pruned_at:
            self.prune(passed - self.config.retention)
            self.pruned_at = passed
        return found

    def states(self) -> Iterator[EmployerState]:
        """Every employer's state, by orgnr."""
        for orgnr in sorted(self.employers):
            yield self.employers[orgnr]

    def prune(self, horizon: int) -> None:
        """Forget history older than ``horizon`` (µs), keeping what still decides
        the present (``pruning.prune_employer``); the horizon is kept for ``apply``."""
        day = oslo_date_us(horizon)
        self.horizon = Horizon(horizon, day, horizon - self.config.retention)
        for state in self.employers.values():
            if state.oldest is not None and state.oldest >= horizon:
                continue  # nothing old to forget, and it has events (it was pruned before)
            prune_employer(state, self.horizon, self.people, self.config.session_gap)
        self.people_seen = {k: v for k, v in self.people_seen.items() if v >= horizon}
        self.people.prune(day)

    # -- applying ---------------------------------------------------------------

    def _mention(self, stamp: Stamp, actor: ActorRef, person: Any, orgnr: str | None = None) -> str:
        email, phone = person.email, person.phone
        idents = person_identifiers(actor.id, person.id, email, phone)
        if self.people.note(idents, stamp, actor, person.name, email, phone)[0]:
            self.merges += 1
            self.joined_idents.append(idents[0])
        first = idents[0]
        if orgnr is not None:  # one identifier is enough: the rest are the same human
            named = self.named_at.get(first)
            if named is None:
                self.named_at[first] = {orgnr}
            else:
                named.add(orgnr)
        return first

    # -- the streaming drivers' side door ----------------------------------------

    def apply_mention(self, mention: Mention) -> list[str]:
        """Record a person record seen elsewhere (another worker's employer); returns
        the employers held here whose derived values may have changed (it joined
        two humans known apart, or changed what is shown of one)."""
        merged, changed = self.people.record(mention)
        if merged:
            self.merges += 1
        if not (merged or changed):
            return []
        return self._employers_naming(mention.idents[0])

    def load(self, state: EmployerState) -> None:
        """Hold an employer's state restored from storage (indexes its people, and
        sets its designation timer again)."""
        self.employers[state.orgnr] = state
        for ident in _idents_named(state):
            self.named_at.setdefault(ident, set()).add(state.orgnr)
        for assignment in state.assignments:
            for named in (assignment.ident, assignment.deputy_ident):
                if named is not None:
                    self.assigned_at.setdefault(named, set()).add(state.orgnr)
        self.reschedule(state)

    def reschedule(self, state: EmployerState) -> None:
        """Set the designation timer of an employer restored from storage again.

        It runs from the moment the stored designation was worked out, or its
        latest event if later: a change by time after it may not have been
        stored, and a notice goes out only when the designation differs from the
        stored one. Never from earlier: events replayed onto a restored state are
        applied at their own time, not at the clock they first met."""
        self.next_timer.pop(state.orgnr, None)
        d = state.designation
        self._schedule(state, max(state.updated_at or 0, d.at or 0, d.checked or 0))

    def evict(self, orgnr: str) -> None:
        """Stop holding an employer (its partition moved to another worker)."""
        self.employers.pop(orgnr, None)
        self.next_timer.pop(orgnr, None)

    def recheck(self, orgnr: str) -> list[dict[str, Any]]:
        """Notices due for an employer after something outside it changed."""
        state = self.employers.get(orgnr)
        if state is None or self.clock is None:
            return []
        return self._check(state, self.clock, self.clock)

    def _apply_to_employer(self, state: EmployerState, stamp: Stamp, data: Any) -> None:
        match data:
            case ContactRegistered():
                actor = actor_of(data.actor)
                ident = self._mention(stamp, actor, data.person, state.orgnr)
                state.reports.append(Report(stamp, ident, intern(data.channel)))
                state.note_actor(stamp, actor)
            case InquiryReceived():
                inquiry = state.inquiry(data.inquiry_id)
                if inquiry.received is None or stamp < inquiry.received:
                    inquiry.received = stamp
                    inquiry.topic = data.topic
                    inquiry.urgency = data.urgency
                if data.actor is not None:
                    actor = actor_of(data.actor)
                    state.note_actor(stamp, actor)
                    if data.person is not None:
                        self._mention(stamp, actor, data.person, state.orgnr)
            case InquiryAnswered():
                inquiry = state.inquiry(data.inquiry_id)
                if inquiry.answered_at is None or stamp.at < inquiry.answered_at:
                    inquiry.answered_at = stamp.at
                actor = actor_of(data.actor)
                self._mention(stamp, actor, data.person, state.orgnr)
                state.note_actor(stamp, actor)
            case ContactPersonAssigned():
                self._apply_assignment(state, stamp, data)
            case FollowUpStarted():
                actor = actor_of(data.actor)
                ident = self._mention(stamp, actor, data.person, state.orgnr)
                state.follow_up(data.candidate.ref).add_start(Start(stamp, ident, actor))
                state.note_actor(stamp, actor)
            case FollowUpEnded():
                follow_up = state.follow_up(data.candidate.ref)
                if follow_up.ended_at is None or stamp.at < follow_up.ended_at:
                    follow_up.ended_at = stamp.at

    def _apply_assignment(self, state: EmployerState, stamp: Stamp, data: Any) -> None:
        actor = actor_of(data.actor)
        ident = self._mention(stamp, actor, data.person, state.orgnr)
        # The assignment's own actor first: of two NAV actors in one event, the
        # first noted names the unit (CONTRACT §2, "Unit").
        state.note_actor(stamp, actor)
        deputy_ident = deputy_actor = None
        if data.deputy is not None:
            deputy_actor = actor_of(data.deputy.actor)
            deputy_ident = self._mention(stamp, deputy_actor, data.deputy.person, state.orgnr)
            state.note_actor(stamp, deputy_actor)
        insort(
            state.assignments,
            Assignment(stamp, ident, actor, deputy_ident, deputy_actor, data.valid_until),
            key=lambda a: a.stamp,
        )
        for named in (ident, deputy_ident):
            if named is not None:
                self.assigned_at.setdefault(named, set()).add(state.orgnr)

    def _apply_absence(self, stamp: Stamp, data: ContactPersonAbsent) -> Outcome:
        key = (stamp.source, stamp.event_id)
        if key in self.people_seen:
            return Outcome(False, None, [])
        self.people_seen[key] = stamp.at
        ident = self._mention(stamp, actor_of(data.actor), data.person)
        self.joined_idents.clear()  # every employer the joined human is assigned at follows
        if self.horizon is None or data.until >= self.horizon.day:
            # (An absence that ended before the last pruning's horizon would be forgotten.)
            self.people.add_absence(ident, Absence(data.from_, data.until, stamp))
        found: list[dict[str, Any]] = []
        moment = max(stamp.at, self.clock) if self.clock is not None else stamp.at
        assigned = self._employers_naming(ident, self.assigned_at)
        # An absence that has not begun changes nothing yet: its start is a timer
        # like any other, set again from the stored designation after a restart.
        # One read after it began changes the designation from its start, or from
        # when it was reported if that came later (as in time order).
        starts = oslo_midnight_us(data.from_)
        begun = starts <= moment
        happened = max(stamp.at, starts) if begun else stamp.at
        checked = []
        for orgnr in assigned:
            state = self.employers[orgnr]
            before = state.designation
            found.extend(self._check(state, moment, happened))
            if begun or state.designation is not before:
                checked.append(orgnr)
        affected = self._employers_naming(ident) if self.views_follow_people else assigned
        return Outcome(True, None, found, tuple(affected), tuple(checked))

    def _employers_naming(self, ident: str, index: dict[str, set[str]] | None = None) -> list[str]:
        index = self.named_at if index is None else index
        orgnrs: set[str] = set()
        for known in self.people.human(ident).idents:
            found = index.get(known)
            if found:
                orgnrs |= found
        return sorted(o for o in orgnrs if o in self.employers)

    # -- notices and timers -----------------------------------------------------

    def _check_joined(self, orgnr: str, moment: int, found: list[dict[str, Any]]) -> None:
        # An event that joined two humans known apart can change who is designated
        # at the other employers that assigned them (the assigned person, or the
        # deputy, now known to be absent): check those at the moment of the event,
        # as a streaming worker does when the person records come first (``recheck``).
        others: set[str] = set()
        for ident in self.joined_idents:
            others.update(self._employers_naming(ident, self.assigned_at))
        self.joined_idents.clear()
        others.discard(orgnr)
        for other in sorted(others):
            found.extend(self._check(self.employers[other], moment, moment))

    def _check(self, state: EmployerState, moment: int, happened: int) -> list[dict[str, Any]]:
        found = notices.check(state, self.people, moment, happened)
        designation = state.designation
        if designation.checked is None or moment > designation.checked:
            designation.checked = moment
        self._schedule(state, moment)
        return found

    def _schedule(self, state: EmployerState, after: int) -> None:
        when = notices.next_change(state, self.people, after)
        if when is None:
            return
        current = self.next_timer.get(state.orgnr)
        if current is not None and current <= when and current > after:
            return
        self.next_timer[state.orgnr] = when
        heapq.heappush(self.timers, (when, state.orgnr))


def _idents_named(state: EmployerState) -> set[str]:
    idents = {r.ident for r in state.reports}
    for a in state.assignments:
        idents.add(a.ident)
        if a.deputy_ident is not None:
            idents.add(a.deputy_ident)
    for f in state.follow_ups.values():
        idents.update(s.ident for s in f.starts)
    return idents
