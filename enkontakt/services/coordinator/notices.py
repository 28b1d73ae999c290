"""Employer notices (CONTRACT §4): sent whenever the designated human changes.

The designated human is the contact person with basis ``assigned``, ``deputy``
or ``job_specialist``; humans are compared by identity, so a new e-mail for the
same person is no change. Gaining or losing a designation is a change too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from enkontakt.services.coordinator.contact_person import designated, live_assignments
from enkontakt.services.coordinator.employer import Designation, EmployerState
from enkontakt.services.coordinator.facts import rfc3339
from enkontakt.services.coordinator.people import People
from enkontakt.services.coordinator.view import contact_person_out
from enkontakt.services.notifier.calendar import oslo_date_us, oslo_midnight_us

ONE_DAY = timedelta(days=1)


def check(state: EmployerState, people: People, moment: int, happened: int) -> list[dict[str, Any]]:
    """The notice due if the designated human at ``moment`` differs from the last one
    announced; ``happened`` is when the change took place (the event's time, or the
    instant a period ran out). Updates the state's memory of the designation."""
    choice = designated(state, people, moment)
    before = state.designation
    ident = choice.ident if choice is not None else None
    if same_human(people, before.ident, ident):
        return []
    at = happened if before.at is None else max(happened, before.at)
    shown = contact_person_out(choice, people)
    state.designation = Designation(ident, shown, at)
    return [
        {
            "orgnr": state.orgnr,
            "contact_person": shown,
            "previous_contact_person": before.shown,
            "at": rfc3339(at),
        }
    ]


def next_change(state: EmployerState, people: People, after: int) -> int | None:
    """The first instant after ``after`` at which the designation may change by time
    alone: an assignment running out, or an absence of an assigned person or deputy
    starting or ending. (Facts are never timed after the clock: the clock is at least
    the latest event time.)"""
    best: int | None = None
    for assignment in live_assignments(state, oslo_date_us(after)):
        candidates = []
        if assignment.valid_until is not None:
            candidates.append(oslo_midnight_us(assignment.valid_until + ONE_DAY))
        for ident in (assignment.ident, assignment.deputy_ident):
            if ident is not None:
                for absence in people.absence_days(ident):
                    candidates.append(oslo_midnight_us(absence.start))
                    candidates.append(oslo_midnight_us(absence.until + ONE_DAY))
        for candidate in candidates:
            if candidate > after and (best is None or candidate < best):
                best = candidate
    return best


def same_human(people: People, a: str | None, b: str | None) -> bool:
    """Whether two designated identifiers (None: nobody) name the same human."""
    if a is None or b is None:
        return a is b
    return people.root(a) == people.root(b)
