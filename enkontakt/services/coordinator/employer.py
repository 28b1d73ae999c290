"""The facts kept per employer, and how one accepted event adds to them.

An employer's state holds facts, not conclusions: the contact reports, the
inquiries, the assignments and the follow-ups, each with the stamp of the event
that told it. Everything shown or alerted on is derived from these facts at a
given moment, so events may arrive in any order and the result is the same.
Applying an event is idempotent: its (``source``, ``id``) is remembered in the
same state as its effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from enkontakt.services.coordinator.facts import ActorRef, Stamp


@dataclass(frozen=True, slots=True)
class Report:
    """One ``contact.registered`` report."""

    stamp: Stamp
    ident: str
    channel: str


@dataclass(slots=True)
class Inquiry:
    """An inquiry from the employer: its earliest receipt and earliest answer."""

    received: Stamp | None = None
    topic: str = "other"
    urgency: str = "normal"
    answered_at: int | None = None

    @property
    def closed_at(self) -> int | None:
        """When the inquiry closed: its first answer, or its receipt when the
        answer is timed before it (an early answer answers it at once)."""
        if self.answered_at is None:
            return None
        if self.received is None:
            return self.answered_at
        return max(self.answered_at, self.received.at)


@dataclass(frozen=True, slots=True)
class Assignment:
    """A ``contact-person.assigned`` fact."""

    stamp: Stamp
    ident: str
    actor: ActorRef
    deputy_ident: str | None
    deputy_actor: ActorRef | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class Start:
    """A ``follow-up.started`` fact: who is responsible from when."""

    stamp: Stamp
    ident: str
    actor: ActorRef


@dataclass(slots=True)
class FollowUp:
    """A follow-up of one candidate at one employer.

    It is active from its first start until its first end; once ended it stays
    ended (an end timed at or before the start means it was never active). The
    responsible human at a moment is named by the latest start up to then.
    """

    starts: list[Start] = field(default_factory=list)
    ended_at: int | None = None

    def active_at(self, t: int) -> bool:
        """True when the follow-up is active at instant ``t``."""
        if not self.starts or self.starts[0].stamp.at > t:
            return False
        return self.ended_at is None or self.ended_at > t

    def responsible_at(self, t: int) -> Start | None:
        """The start naming the responsible human at ``t`` (None before the first)."""
        found = None
        for start in self.starts:
            if start.stamp.at > t:
                break
            found = start
        return found

    def add_start(self, start: Start) -> None:
        """Add a start, keeping starts ordered by stamp."""
        self.starts.append(start)
        self.starts.sort(key=lambda s: s.stamp)


@dataclass(slots=True)
class Designation:
    """The designated human last announced to the employer, for notices, and the
    moment it was last worked out (a restored employer's timer runs from there)."""

    ident: str | None = None
    shown: dict[str, object] | None = None
    at: int | None = None
    checked: int | None = None


@dataclass(slots=True)
class EmployerState:
    """All facts kept for one employer (a virksomhet, by organisasjonsnummer)."""

    orgnr: str
    name: tuple[Stamp, str] | None = None
    reports: list[Report] = field(default_factory=list)
    inquiries: dict[str, Inquiry] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    follow_ups: dict[str, FollowUp] = field(default_factory=dict)
    nav_actor: tuple[Stamp, ActorRef] | None = None
    updated_at: int | None = None
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    designation: Designation = field(default_factory=Designation)
    # Consolidated contacts whose reports were pruned (they still count in all).
    pruned_contacts: int = 0
    oldest: int | None = field(default=None, compare=False)

    def note_name(self, stamp: Stamp, name: str | None) -> None:
        """Keep the employer name of the latest event that carries one."""
        if name is not None and (self.name is None or stamp > self.name[0]):
            self.name = (stamp, name)

    def note_actor(self, stamp: Stamp, actor: ActorRef | None) -> None:
        """Remember the NAV-type actor of the latest event that names one (for the unit)."""
        if (
            actor is not None
            and actor.is_nav
            and (self.nav_actor is None or stamp > self.nav_actor[0])
        ):
            self.nav_actor = (stamp, actor)

    def note_time(self, at: int) -> None:
        """Advance ``updated_at`` to the latest event time applied."""
        if self.updated_at is None or at > self.updated_at:
            self.updated_at = at
        if self.oldest is not None and at < self.oldest:
            self.oldest = at

    def inquiry(self, inquiry_id: str) -> Inquiry:
        """The inquiry with this id, created on first mention."""
        found = self.inquiries.get(inquiry_id)
        if found is None:
            found = self.inquiries[inquiry_id] = Inquiry()
        return found

    def follow_up(self, ref: str) -> FollowUp:
        """The follow-up of this candidate, created on first mention."""
        found = self.follow_ups.get(ref)
        if found is None:
            found = self.follow_ups[ref] = FollowUp()
        return found

    def is_empty(self) -> bool:
        """True when no fact is left (after pruning)."""
        return not (self.reports or self.inquiries or self.assignments or self.follow_ups)
