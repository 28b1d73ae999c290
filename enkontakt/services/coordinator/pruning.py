"""Forgetting an employer's history older than the retention, keeping what still
decides the present: the newest old assignment, active follow-ups, open
inquiries, and the memory of event ids only as far back as the horizon."""

from __future__ import annotations

from datetime import date, timedelta

from enkontakt.services.coordinator.employer import EmployerState


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
    old = [a for a in state.assignments if a.stamp.at < horizon]
    keep_old = max(old, key=lambda a: a.stamp) if old else None
    state.assignments = [
        a
        for a in state.assignments
        if (a.stamp.at >= horizon or a is keep_old)
        and (a.valid_until is None or a.valid_until >= day - timedelta(days=1))
    ]
    state.follow_ups = {
        k: f for k, f in state.follow_ups.items() if f.ended_at is None or f.ended_at >= horizon
    }
    state.seen = {k: v for k, v in state.seen.items() if v >= horizon}
    state.oldest = min(state.seen.values(), default=None)
