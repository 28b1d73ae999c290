"""Consolidated contacts: the reports of one human at one employer whose times
lie within the gap of each other, transitively (a session window).

The grouping is computed from the whole set of reports and the current identity
of their humans, so it does not depend on the order in which reports arrived,
and a late report that bridges two contacts merges them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from enkontakt.services.coordinator.employer import Report
from enkontakt.services.coordinator.facts import Stamp
from enkontakt.services.coordinator.people import People


class Contact(NamedTuple):
    """One consolidated contact (a named tuple: derivation makes many)."""

    human: str
    first: Report
    reports: int
    reported_by: tuple[str, ...]
    at: int
    """When the contact happened: its earliest report's time."""


at_of = attrgetter("at")
"""A contact's ``at``: the key to bisect contacts, which are ordered by it."""


def consolidate(reports: Iterable[Report], people: People, gap: int) -> list[Contact]:
    """The consolidated contacts of these reports, ordered by their first report's
    stamp (and so by ``at``), then human."""
    return _sessions(_by_human(reports, people), gap)


def _by_human(reports: Iterable[Report], people: People) -> dict[str, list[Report]]:
    """The reports of each human (by representative identifier), by stamp."""
    by_human: dict[str, list[Report]] = {}
    for report in reports:
        by_human.setdefault(people.root(report.ident), []).append(report)
    for items in by_human.values():
        items.sort(key=_stamp)
    return by_human


def ended_before(
    reports: Iterable[Report], people: People, gap: int, horizon: int
) -> list[list[Report]]:
    """The reports of each consolidated contact whose every report lies before
    ``horizon`` (a contact running across it is not among them)."""
    ended = []
    for items in _by_human(reports, people).values():
        session = [items[0]]
        for report in items[1:]:
            if report.stamp.at - session[-1].stamp.at > gap:
                if session[-1].stamp.at < horizon:
                    ended.append(session)
                session = []
            session.append(report)
        if session[-1].stamp.at < horizon:
            ended.append(session)
    return ended


def _sessions(by_human: dict[str, list[Report]], gap: int) -> list[Contact]:
    """The sessions of each human's reports (each list sorted by stamp), in order."""
    contacts: list[Contact] = []
    for human, items in by_human.items():
        session = [items[0]]
        for report in items[1:]:
            if report.stamp.at - session[-1].stamp.at > gap:
                contacts.append(_contact(human, session))
                session = []
            session.append(report)
        contacts.append(_contact(human, session))
    contacts.sort(key=_order)
    return contacts


def _contact(human: str, session: list[Report]) -> Contact:
    first = session[0]
    if len(session) == 1:
        return Contact(human, first, 1, (first.stamp.source,), first.stamp.at)
    sources = tuple(sorted({r.stamp.source for r in session}))
    return Contact(human, first, len(session), sources, first.stamp.at)


def _order(contact: Contact) -> tuple[Stamp, str]:
    return contact.first.stamp, contact.human


def _stamp(report: Report) -> Stamp:
    return report.stamp


@dataclass(slots=True)
class _Kept:
    """One employer's consolidation, and what it was computed from."""

    reports: list[Report]
    seen: int
    people: People
    unions: int
    by_human: dict[str, list[Report]]
    contacts: list[Contact]

    def fresh(self, reports: list[Report], people: People) -> bool:
        return self.reports is reports and self.people is people and self.unions == people.unions

    def add(self, report: Report, gap: int) -> None:
        """Take one more report in: only the session it lands in changes (it may
        join the sessions before and after it into one)."""
        human = self.people.root(report.ident)
        items = self.by_human.setdefault(human, [])
        at = bisect_right(items, report.stamp, key=_stamp)
        items.insert(at, report)
        first = last = at
        while first > 0 and items[first].stamp.at - items[first - 1].stamp.at <= gap:
            first -= 1
        end = len(items) - 1
        while last < end and items[last + 1].stamp.at - items[last].stamp.at <= gap:
            last += 1
        # The old sessions of this human that the new one takes in all start
        # within [items[first], items[last]]; other humans' contacts there stay,
        # after the new one (they start no earlier, and ties go by human).
        contacts = self.contacts
        low = bisect_left(contacts, (items[first].stamp, human), key=_order)
        high = bisect_right(contacts, (items[last].stamp, human), key=_order)
        others = [c for c in contacts[low:high] if c.human != human]
        contacts[low:high] = [_contact(human, items[first : last + 1]), *others]


@dataclass(slots=True)
class KeptContacts:
    """Employers' consolidated contacts, kept between derivations and brought up
    to date as reports come in.

    The ledger only appends to an employer's ``reports`` or replaces the list
    (pruning, a restored state), so the list itself and its length tell what is
    new. An appended report changes only the session it lands in. Anything else
    — a replaced list, two identifiers' humans becoming one (``People.unions``)
    — consolidates the employer again from scratch. The result always equals
    ``consolidate`` of the same reports (tests hold the two equal). At most
    ``limit`` employers are kept, the least recently derived dropped first.
    """

    gap: int
    limit: int = 16_384
    _kept: dict[str, _Kept] = field(default_factory=dict)

    def of(self, orgnr: str, reports: list[Report], people: People) -> Sequence[Contact]:
        """The consolidated contacts of these reports (shared: not to be changed)."""
        kept = self._kept.pop(orgnr, None)
        if kept is not None and kept.fresh(reports, people) and kept.seen <= len(reports):
            if kept.seen < len(reports):
                kept.contacts = list(kept.contacts)  # earlier results stay as they were
                for report in reports[kept.seen :]:
                    kept.add(report, self.gap)
                kept.seen = len(reports)
        else:
            kept = self._consolidated(reports, people)
        self._kept[orgnr] = kept
        if len(self._kept) > self.limit:
            del self._kept[next(iter(self._kept))]
        return kept.contacts

    def forget(self, orgnr: str) -> None:
        """Drop what is kept of an employer."""
        self._kept.pop(orgnr, None)

    def _consolidated(self, reports: list[Report], people: People) -> _Kept:
        by_human = _by_human(reports, people)
        contacts = _sessions(by_human, self.gap)
        return _Kept(reports, len(reports), people, people.unions, by_human, contacts)
