"""Forgetting an employer's history older than the retention, keeping what still
decides the present: the old assignments that may still make the contact
person, active follow-ups, open inquiries, and the memory of event ids only as
far back as the horizon."""

from __future__ import annotations

from datetime import date, timedelta

from enkontakt.services.coordinator.employer import Assignment, EmployerState


def prune_employer(state: EmployerState, horizon: int, day: date) -> None:
    """Forget what of ``state`` is older than ``horizon`` (µs; ``day``: its Oslo
    date), unless it still decides the present."""
    if state.oldest is not None and state.oldest >= horizon:
        return
    state.reports = [r for r in state.reports if r.stamp.at >= horizon]
    state.inquiries = {
        k: v
        for k, v in state.inquiries.items()
        if (v.received is not None and v.received.at >= horizon)
        or (v.closed_at is None and v.received is not None)
        or (v.received is None and v.answered_at is not None and v.answered_at >= horizon)
    }
    possible = {id(a) for a in _still_possible(state.assignments, horizon)}
    last_day = day - timedelta(days=1)
    state.assignments = [
        a
        for a in state.assignments
        if (a.stamp.at >= horizon or id(a) in possible)
        and (a.valid_until is None or a.valid_until >= last_day)
    ]
    state.follow_ups = {
        k: f for k, f in state.follow_ups.items() if f.ended_at is None or f.ended_at >= horizon
    }
    state.seen = {k: v for k, v in state.seen.items() if v >= horizon}
    state.oldest = min(state.seen.values(), default=None)


def _still_possible(assignments: list[Assignment], horizon: int) -> list[Assignment]:
    """The assignments older than ``horizon`` that some later day may still take.

    On a day the latest assignment whose ``valid_until`` has not passed is taken
    (CONTRACT §2), so an old one is still possible only if it runs longer than
    every newer old one: newest first, each kept one must outlast the last kept."""
    old = sorted((a for a in assignments if a.stamp.at < horizon), key=lambda a: a.stamp)
    kept: list[Assignment] = []
    runs_to = date.min
    for assignment in reversed(old):
        if assignment.valid_until is None:
            kept.append(assignment)
            break
        if assignment.valid_until > runs_to:
            kept.append(assignment)
            runs_to = assignment.valid_until
    return kept
