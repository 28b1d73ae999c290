"""Consolidated contacts: the reports of one human at one employer whose times
lie within the gap of each other, transitively (a session window).

The grouping is computed from the whole set of reports and the current identity
of their humans, so it does not depend on the order in which reports arrived,
and a late report that bridges two contacts merges them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from enkontakt.services.coordinator.employer import Report
from enkontakt.services.coordinator.people import People


class Contact(NamedTuple):
    """One consolidated contact (a named tuple: derivation makes many)."""

    human: str
    first: Report
    reports: int
    reported_by: tuple[str, ...]
    at: int
    """When the contact happened: its earliest report's time."""


def consolidate(reports: Iterable[Report], people: People, gap: int) -> list[Contact]:
    """The consolidated contacts of these reports, ordered by time (then human)."""
    by_human: dict[str, list[Report]] = {}
    for report in reports:
        by_human.setdefault(people.root(report.ident), []).append(report)
    contacts: list[Contact] = []
    for human, items in by_human.items():
        items.sort(key=lambda r: r.stamp)
        session = [items[0]]
        for report in items[1:]:
            if report.stamp.at - session[-1].stamp.at > gap:
                contacts.append(_contact(human, session))
                session = []
            session.append(report)
        contacts.append(_contact(human, session))
    contacts.sort(key=lambda c: (c.first.stamp, c.human))
    return contacts


def _contact(human: str, session: list[Report]) -> Contact:
    first = session[0]
    if len(session) == 1:
        return Contact(human, first, 1, (first.stamp.source,), first.stamp.at)
    sources = tuple(sorted({r.stamp.source for r in session}))
    return Contact(human, first, len(session), sources, first.stamp.at)
