"""When each alert rule held (CONTRACT §3), as intervals computed from the facts.

Each rule is a pure function of the facts known and the moment ``now``: it
returns the intervals, up to ``now``, during which its condition held. An
interval still open at ``now`` is a firing alert; a closed one is resolved.
Because the intervals are recomputed from all facts known, a late event moves
``starts_at`` and ``ends_at`` to where they truly were, and a condition that a
late event shows never held simply has no interval.

Conditions that change only at known instants (events, deadlines, window
expiries, the Oslo midnights of absences and ``valid_until``) are evaluated at
each such instant: between two of them the condition cannot change.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from heapq import heappop, heappush

from enkontakt.services.coordinator.consolidation import Contact, at_of
from enkontakt.services.coordinator.contact_person import current_assignment, designated
from enkontakt.services.coordinator.employer import EmployerState, FollowUp
from enkontakt.services.coordinator.people import People
from enkontakt.services.notifier.calendar import oslo_date_us, oslo_midnight_us
from enkontakt.services.notifier.deadlines import due_at, is_urgent
from enkontakt.services.rules_config import RuleConfig

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Interval:
    """[start, end) during which a condition held; ``end`` None while it holds.

    ``starts_at`` is the moment shown as the start: for a strict "more than"
    boundary it is the boundary itself, the condition holding right after it.
    """

    start: int
    end: int | None
    starts_at: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's interval for one key."""

    rule: str
    key: str
    interval: Interval
    severity: str = "warning"
    orgnr: str | None = None
    inquiry_id: str | None = None
    person: str | None = None


Point = tuple[int, int]  # (instant at which to evaluate, instant shown as a start)


def runs(points: Iterable[Point], holds: Callable[[int], bool], now: int) -> list[Interval]:
    """The intervals in which ``holds`` is true, sampling it at each point up to ``now``."""
    found: list[Interval] = []
    open_at: Point | None = None
    for at, shown in sorted(set(points)):
        if at > now:
            break
        if holds(at):
            if open_at is None:
                open_at = (at, shown)
        elif open_at is not None:
            found.append(Interval(open_at[0], at, open_at[1]))
            open_at = None
    if open_at is not None:
        found.append(Interval(open_at[0], None, open_at[1]))
    return found


def sweep_over(changes: Iterable[tuple[int, int]], limit: int, now: int) -> list[Interval]:
    """Intervals in which a running count (+1/-1 changes at instants) exceeds ``limit``."""
    deltas: dict[int, int] = {}
    for at, delta in changes:
        deltas[at] = deltas.get(at, 0) + delta
    count = 0
    points: list[tuple[int, bool]] = []
    for at in sorted(deltas):
        count += deltas[at]
        points.append((at, count > limit))
    return runs(((at, at) for at, _ in points), dict(points).__getitem__, now)


def response_overdue(state: EmployerState, config: RuleConfig, now: int) -> list[Finding]:
    """``response-overdue``: an open inquiry past its deadline."""
    found = []
    for inquiry_id, inquiry in state.inquiries.items():
        due = due_at(inquiry, config)
        if due is None or due > now:
            continue
        closed = inquiry.closed_at
        if closed is not None and closed <= due:
            continue
        end = closed if closed is not None and closed <= now else None
        found.append(
            Finding(
                rule="response-overdue",
                key=f"{state.orgnr}/{inquiry_id}",
                interval=Interval(due, end, due),
                severity="critical" if is_urgent(inquiry) else "warning",
                orgnr=state.orgnr,
                inquiry_id=inquiry_id,
            )
        )
    return found


def too_many_contact_persons(
    state: EmployerState, contacts: Sequence[Contact], config: RuleConfig, now: int
) -> list[Finding]:
    """``too-many-contact-persons``: more distinct humans in the window than allowed."""
    window = config.contact_window
    spans: dict[str, list[list[int]]] = {}
    for contact in contacts:  # ordered by time
        mine = spans.setdefault(contact.human, [])
        if mine and contact.at <= mine[-1][1]:
            mine[-1][1] = contact.at + window
        else:
            mine.append([contact.at, contact.at + window])
    changes = [(at, d) for ss in spans.values() for s, e in ss for at, d in ((s, 1), (e, -1))]
    return [
        Finding("too-many-contact-persons", state.orgnr, interval, orgnr=state.orgnr)
        for interval in sweep_over(changes, config.max_contact_persons, now)
    ]


def _follow_up_points(follow_ups: Iterable[FollowUp]) -> list[Point]:
    points: list[Point] = []
    for follow_up in follow_ups:
        points.extend((s.stamp.at, s.stamp.at) for s in follow_up.starts)
        if follow_up.ended_at is not None:
            points.append((follow_up.ended_at, follow_up.ended_at))
    return points


def _assignment_points(state: EmployerState, people: People) -> list[Point]:
    points: list[Point] = []
    for assignment in state.assignments:
        points.append((assignment.stamp.at, assignment.stamp.at))
        if assignment.valid_until is not None:
            expiry = oslo_midnight_us(assignment.valid_until + ONE_DAY)
            points.append((expiry, expiry))
        for ident in (assignment.ident, assignment.deputy_ident):
            if ident is None:
                continue
            for absence in people.absence_days(ident):
                begin = oslo_midnight_us(absence.start)
                after = oslo_midnight_us(absence.until + ONE_DAY)
                points.extend(((begin, begin), (after, after)))
    return points


def any_active(state: EmployerState, t: int) -> bool:
    """True when at least one follow-up is active at ``t``."""
    return any(f.active_at(t) for f in state.follow_ups.values())


def no_designated_contact(state: EmployerState, people: People, now: int) -> list[Finding]:
    """``no-designated-contact``: an active follow-up and no designated contact person."""
    if not state.follow_ups:
        return []
    points = _follow_up_points(state.follow_ups.values()) + _assignment_points(state, people)

    def holds(t: int) -> bool:
        return any_active(state, t) and designated(state, people, t) is None

    return [
        Finding("no-designated-contact", state.orgnr, interval, orgnr=state.orgnr)
        for interval in runs(points, holds, now)
    ]


def contact_person_absent(state: EmployerState, people: People, now: int) -> list[Finding]:
    """``contact-person-absent``: the assigned person is absent and no available deputy."""
    if not state.assignments:
        return []

    def holds(t: int) -> bool:
        assignment = current_assignment(state, t)
        if assignment is None:
            return False
        day = oslo_date_us(t)
        if not people.absent(assignment.ident, day):
            return False
        deputy = assignment.deputy_ident
        return deputy is None or people.absent(deputy, day)

    return [
        Finding("contact-person-absent", state.orgnr, interval, orgnr=state.orgnr)
        for interval in runs(_assignment_points(state, people), holds, now)
    ]


def follow_up_gap(
    state: EmployerState, contacts: Sequence[Contact], config: RuleConfig, now: int
) -> list[Finding]:
    """``follow-up-gap``: active follow-ups, and the latest contact or start is more
    than the gap before the moment."""
    lives = [f for f in state.follow_ups.values() if _lived(f)]
    if not lives:
        return []
    gap = config.follow_up_gap
    ats = sorted(c.at for c in contacts)
    points = _follow_up_points(lives) + [(at, at) for at in ats]
    points += [(at + gap + 1, at + gap) for at, _ in list(points)]
    holds = _GapCondition(lives, ats, gap)
    return [
        Finding("follow-up-gap", state.orgnr, interval, orgnr=state.orgnr)
        for interval in runs(points, holds, now)
    ]


def _lived(follow_up: FollowUp) -> bool:
    if not follow_up.starts:
        return False
    ended = follow_up.ended_at
    return ended is None or ended > follow_up.starts[0].stamp.at


class _GapCondition:
    """The follow-up-gap condition, evaluated at increasing instants (as ``runs``
    does) in O(log n) each: the starts seen so far sit in a max-heap, and a start
    whose follow-up has ended is dropped for good (an ended follow-up stays ended)."""

    def __init__(self, lives: list[FollowUp], ats: list[int], gap: int) -> None:
        self.starts = sorted((s.stamp.at, i) for i, f in enumerate(lives) for s in f.starts)
        self.ends = [f.ended_at for f in lives]
        self.ats = ats
        self.gap = gap
        self.heap: list[tuple[int, int]] = []
        self.next_start = 0
        self.next_contact = 0
        self.last_contact: int | None = None

    def __call__(self, t: int) -> bool:
        while self.next_start < len(self.starts) and self.starts[self.next_start][0] <= t:
            at, index = self.starts[self.next_start]
            heappush(self.heap, (-at, index))
            self.next_start += 1
        while self.heap:
            end = self.ends[self.heap[0][1]]
            if end is None or end > t:
                break
            heappop(self.heap)
        while self.next_contact < len(self.ats) and self.ats[self.next_contact] <= t:
            self.last_contact = self.ats[self.next_contact]
            self.next_contact += 1
        if not self.heap:
            return False
        latest = -self.heap[0][0]
        if self.last_contact is not None and self.last_contact > latest:
            latest = self.last_contact
        return latest < t - self.gap


def caseload_high(
    employers: Iterable[EmployerState], people: People, config: RuleConfig, now: int
) -> list[Finding]:
    """``caseload-high``: one human responsible for too many active follow-ups."""
    changes: dict[str, list[tuple[int, int]]] = {}
    for state in employers:
        for follow_up in state.follow_ups.values():
            for human, begin, end in _responsibility(follow_up, people):
                mine = changes.setdefault(human, [])
                mine.append((begin, 1))
                if end is not None:
                    mine.append((end, -1))
    found = []
    for human, deltas in changes.items():
        for interval in sweep_over(deltas, config.max_caseload, now):
            found.append(Finding("caseload-high", people.key(human), interval, person=human))
    return found


def _responsibility(follow_up: FollowUp, people: People) -> list[tuple[str, int, int | None]]:
    """The spans [begin, end) in which each human is responsible for the follow-up."""
    starts = follow_up.starts
    if not starts:
        return []
    end = follow_up.ended_at
    first = starts[0].stamp.at
    if end is not None and end <= first:
        return []
    spans = []
    for i, start in enumerate(starts):
        begin = start.stamp.at
        stop = starts[i + 1].stamp.at if i + 1 < len(starts) else end
        if end is not None and stop is not None and stop > end:
            stop = end
        if stop is not None and stop <= begin:
            continue
        spans.append((people.root(start.ident), begin, stop))
    return spans


def employer_findings(
    state: EmployerState,
    people: People,
    contacts: Sequence[Contact],
    config: RuleConfig,
    now: int,
) -> list[Finding]:
    """Every employer-keyed rule's intervals for one employer."""
    return [
        *response_overdue(state, config, now),
        *too_many_contact_persons(state, [c for c in contacts if c.at <= now], config, now),
        *no_designated_contact(state, people, now),
        *contact_person_absent(state, people, now),
        *follow_up_gap(state, contacts, config, now),
    ]


def next_breakpoint(
    state: EmployerState,
    people: People,
    contacts: Sequence[Contact],
    config: RuleConfig,
    now: int,
) -> int | None:
    """The first instant after ``now`` at which time alone may change the employer's
    view or alerts (``contacts`` ordered by time): a deadline, a window letting a
    contact go, a follow-up gap opening, an assignment running out, an absence
    beginning or ending."""
    candidates = [p for p, _ in _assignment_points(state, people)]
    for inquiry in state.inquiries.values():
        due = due_at(inquiry, config)
        if due is not None:
            candidates.append(due)
    latest_start = max(
        (s.stamp.at for f in state.follow_ups.values() for s in f.starts), default=None
    )
    if latest_start is not None:
        candidates.append(latest_start + config.follow_up_gap + 1)
    for window in (config.contact_window, config.most_active_window):
        # The first contact still in the window at ``now`` is the next to leave it.
        index = bisect_right(contacts, now - window, key=at_of)
        if index < len(contacts):
            candidates.append(contacts[index].at + window)
    if contacts:
        candidates.append(contacts[-1].at + config.follow_up_gap + 1)
    return min((c for c in candidates if c > now), default=None)
