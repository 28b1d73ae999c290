"""The single contact person of an employer at a moment (CONTRACT §2).

In order: the latest valid assignment (or its deputy while the assigned person
is absent), else the job specialist of the most recently started active
follow-up, else the most active human of the last 90 days, else none.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from enkontakt.services.coordinator.consolidation import Contact, at_of
from enkontakt.services.coordinator.employer import Assignment, EmployerState, Start
from enkontakt.services.coordinator.facts import ActorRef, Stamp
from enkontakt.services.coordinator.people import People
from enkontakt.services.notifier.calendar import oslo_date_us

DESIGNATED_BASES = frozenset({"assigned", "deputy", "job_specialist"})


@dataclass(frozen=True, slots=True)
class Choice:
    """The contact person chosen at a moment, and why."""

    ident: str
    actor: ActorRef | None
    basis: str
    available: bool
    assignment: Assignment | None = None

    @property
    def designated(self) -> bool:
        """True for the bases ``assigned``, ``deputy`` and ``job_specialist``."""
        return self.basis in DESIGNATED_BASES


def current_assignment(state: EmployerState, t: int) -> Assignment | None:
    """The latest assignment made by ``t`` whose ``valid_until`` is not before t's date."""
    day = oslo_date_us(t)
    for assignment in reversed(state.assignments):  # kept ordered by stamp
        if assignment.stamp.at > t:
            continue
        if assignment.valid_until is None or assignment.valid_until >= day:
            return assignment
    return None


def live_assignments(state: EmployerState, day: date) -> list[Assignment]:
    """The assignments that may be current on ``day`` or later: newest first, each
    valid longer than every newer one (an older one valid for less time can never
    be the latest valid one again)."""
    found: list[Assignment] = []
    reach: date | None = day - timedelta(days=1)
    for assignment in reversed(state.assignments):
        until = assignment.valid_until
        if reach is None:
            break
        if until is not None and until <= reach:
            continue
        found.append(assignment)
        reach = until
    return found


def from_assignment(assignment: Assignment, people: People, t: int) -> Choice:
    """The assigned person, or the deputy while the assigned person is absent."""
    day = oslo_date_us(t)
    if not people.absent(assignment.ident, day):
        return Choice(assignment.ident, assignment.actor, "assigned", True, assignment)
    deputy = assignment.deputy_ident
    if deputy is not None and not people.absent(deputy, day):
        return Choice(deputy, assignment.deputy_actor, "deputy", True, assignment)
    return Choice(assignment.ident, assignment.actor, "assigned", False, assignment)


def job_specialist_start(state: EmployerState, t: int) -> Start | None:
    """The start naming the responsible human at ``t`` of the most recently
    started active follow-up (by its first start: CONTRACT §2) whose responsible
    actor at ``t`` is a job specialist."""
    best: Start | None = None
    best_started: Stamp | None = None
    for follow_up in state.follow_ups.values():
        if not follow_up.active_at(t):
            continue
        start = follow_up.responsible_at(t)
        if start is None or start.actor.type != "job_specialist":
            continue
        started = follow_up.starts[0].stamp
        if best_started is None or started > best_started:
            best, best_started = start, started
    return best


def designated(state: EmployerState, people: People, t: int) -> Choice | None:
    """The designated contact person at ``t`` (bases 1 and 2), or None."""
    assignment = current_assignment(state, t)
    if assignment is not None:
        return from_assignment(assignment, people, t)
    start = job_specialist_start(state, t)
    if start is not None:
        available = not people.absent(start.ident, oslo_date_us(t))
        return Choice(start.ident, start.actor, "job_specialist", available)
    return None


def most_active(contacts: Sequence[Contact], people: People, t: int, window: int) -> str | None:
    """The human with most consolidated contacts in (t - window, t]; ties go to the
    most recent contact, then to the smaller ``person_key`` (``contacts`` ordered
    by time)."""
    counts: dict[str, list[int]] = {}
    first = bisect_right(contacts, t - window, key=at_of)
    last = bisect_right(contacts, t, key=at_of, lo=first)
    for index in range(first, last):
        contact = contacts[index]
        entry = counts.setdefault(contact.human, [0, contact.at])
        entry[0] += 1
        entry[1] = max(entry[1], contact.at)
    if not counts:
        return None
    return min(counts, key=lambda h: (-counts[h][0], -counts[h][1], people.key(h)))


def choose(
    state: EmployerState, people: People, contacts: Sequence[Contact], t: int, window: int
) -> Choice | None:
    """The single contact person of the employer at ``t``, or None (basis ``none``)."""
    choice = designated(state, people, t)
    if choice is not None:
        return choice
    human = most_active(contacts, people, t, window)
    if human is None:
        return None
    available = not people.absent(human, oslo_date_us(t))
    return Choice(human, people.shown_actor(human), "most_active", available)
