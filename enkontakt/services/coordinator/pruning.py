"""Forgetting an employer's history older than the retention, keeping what still
decides the present: the old assignments that may still make the contact
person, active follow-ups, open inquiries, and the memory of event ids only as
far back as the horizon. That a follow-up ended or an inquiry was answered is
remembered one retention longer, for a start or receipt read late."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from enkontakt.services.coordinator.consolidation import ended_before
from enkontakt.services.coordinator.employer import Assignment, EmployerState, FollowUp, Inquiry
from enkontakt.services.coordinator.people import People


class Horizon(NamedTuple):
    """Where pruning forgets: facts before ``at`` (µs; ``day``, its Oslo date),
    and what is remembered of ended follow-ups and answered inquiries (that they
    ended or were answered) until ``remembered``, one retention earlier."""

    at: int
    day: date
    remembered: int


def prune_employer(
    state: EmployerState, horizon: Horizon, people: People, gap: int, *, count: bool = True
) -> None:
    """Forget what of ``state`` lies before the horizon, unless it still decides
    the present. Reports go by whole consolidated contacts (``gap``: the session
    gap): one running across the horizon is kept. The contacts forgotten still
    count in all, unless not ``count``: a report read after the horizon passed it
    may belong to a contact already counted, or be one read again after its id
    was forgotten."""
    at = horizon.at
    if state.oldest is not None and state.oldest >= at:
        return
    if any(r.stamp.at < at for r in state.reports):
        ended = ended_before(state.reports, people, gap, at)
        if count:
            state.pruned_contacts += len(ended)
        forgotten = {id(r) for session in ended for r in session}
        state.reports = [r for r in state.reports if id(r) not in forgotten]
    state.inquiries = _inquiries(state.inquiries, horizon)
    state.follow_ups = _follow_ups(state.follow_ups, horizon)
    possible = {id(a) for a in _still_possible(state.assignments, at)}
    last_day = horizon.day - timedelta(days=1)
    state.assignments = [
        a
        for a in state.assignments
        if (a.stamp.at >= at or id(a) in possible)
        and (a.valid_until is None or a.valid_until >= last_day)
    ]
    state.seen = {k: v for k, v in state.seen.items() if v >= at}
    state.oldest = min(state.seen.values(), default=None)


def _inquiries(inquiries: dict[str, Inquiry], horizon: Horizon) -> dict[str, Inquiry]:
    """Inquiries received since the horizon, and open ones (the present); of one
    answered before it, only the answer, so that its receipt read late is
    answered at once (as it would have been in time order)."""
    kept = {}
    for key, inquiry in inquiries.items():
        received = inquiry.received
        if received is not None and (received.at >= horizon.at or inquiry.answered_at is None):
            kept[key] = inquiry
        elif inquiry.answered_at is not None and inquiry.answered_at >= horizon.remembered:
            kept[key] = Inquiry(answered_at=inquiry.answered_at)
    return kept


def _follow_ups(follow_ups: dict[str, FollowUp], horizon: Horizon) -> dict[str, FollowUp]:
    """Follow-ups still active or ended since the horizon; of one ended before
    it, only the end, so that a start read late finds it ended."""
    kept = {}
    for key, follow_up in follow_ups.items():
        ended_at = follow_up.ended_at
        if ended_at is None or ended_at >= horizon.at:
            kept[key] = follow_up
        elif ended_at >= horizon.remembered:
            kept[key] = FollowUp(ended_at=ended_at)
    return kept


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
