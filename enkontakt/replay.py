"""The replay driver: the core's rules over a JSON Lines file, without a broker
(CONTRACT §5).

Lines are read in file order, which is the arrival order. The clock is the
latest event time seen so far; at the end it moves to ``now``. Views are taken
at ``now``; alerts are every firing of every rule up to ``now``, recomputed
from all the facts known (so a late event moves or retracts them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from enkontakt.services.coordinator.consolidation import consolidate
from enkontakt.services.coordinator.facts import to_us
from enkontakt.services.coordinator.ledger import Ledger
from enkontakt.services.coordinator.validation import Rejection, decode
from enkontakt.services.coordinator.view import build_view
from enkontakt.services.notifier.alerts import Limits, to_alert
from enkontakt.services.notifier.rules import caseload_high, employer_findings
from enkontakt.services.rules_config import RuleConfig


class UsageError(Exception):
    """A replay that cannot run as asked (exit status 2)."""


@dataclass(slots=True)
class Counts:
    """The replay summary's counters."""

    received: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    reports: int = 0


@dataclass(slots=True)
class ReplayResult:
    """Everything a replay writes."""

    views: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    notices: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    summary: dict[str, int]
    now: int | None


@dataclass(slots=True)
class Replay:
    """Folds lines into a ledger, counting every line exactly once."""

    config: RuleConfig = field(default_factory=RuleConfig)
    ledger: Ledger = field(init=False)
    counts: Counts = field(default_factory=Counts)
    notices: list[bytes] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    latest: int | None = None

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.config)

    def feed(self, lines: Iterable[bytes | str]) -> None:
        """Fold every line in; blank lines are skipped and not counted."""
        counts = self.counts
        ledger = self.ledger
        for number, raw in enumerate(lines, start=1):
            if not raw or raw.isspace():  # blank (isspace, unlike strip, copies nothing)
                continue
            counts.received += 1
            event = decode(raw)
            if isinstance(event, Rejection):
                counts.rejected += 1
                self.rejected.append(
                    {"line": number, "error": str(event.code), "detail": event.detail}
                )
                continue
            at = to_us(event.time)
            if self.latest is None or at > self.latest:
                self.latest = at
                if found := ledger.advance(at):
                    self._keep_notices(found)
            outcome = ledger.apply(event, at)
            if not outcome.applied:
                counts.duplicates += 1
                continue
            counts.applied += 1
            if event.type == "enkontakt.contact.registered.v1":
                counts.reports += 1
            if outcome.notices:
                self._keep_notices(outcome.notices)

    def close(self, now: int | None) -> int | None:
        """Move the clock to ``now`` (default: the latest event time); returns it."""
        if now is not None and self.latest is not None and now < self.latest:
            raise UsageError("--now is earlier than the latest event time in the file")
        if now is None:
            now = self.latest
        if now is not None:
            self._keep_notices(self.ledger.advance(now))
        return now

    def finish(self, now: int | None) -> ReplayResult:
        """Close at ``now`` and derive every output in memory."""
        now = self.close(now)
        views: list[dict[str, Any]] = []
        alerts: list[tuple[tuple[str, str, int], dict[str, Any]]] = []
        contacts = 0
        if now is not None:
            contacts = self.derive(now, views.append, lambda key, a: alerts.append((key, a)))
        alerts.sort(key=lambda pair: pair[0])
        notices = [orjson.loads(n) for n in self.notices]
        return ReplayResult(
            views, [a for _, a in alerts], notices, self.rejected, self.summary(contacts), now
        )

    def summary(self, contacts: int) -> dict[str, int]:
        """The counts of ``summary.json``, given the number of consolidated contacts."""
        return {
            "received": self.counts.received,
            "applied": self.counts.applied,
            "duplicates": self.counts.duplicates,
            "rejected": self.counts.rejected,
            "contacts": contacts,
            "merged_reports": self.counts.reports - contacts,
        }

    def derive(
        self,
        now: int,
        on_view: Callable[[dict[str, Any]], None],
        on_alert: Callable[[tuple[str, str, int], dict[str, Any]], None],
    ) -> int:
        """Hand every view (by orgnr) and every alert (with its sort key) to the
        callbacks, one employer at a time; returns the number of consolidated contacts."""
        config, people = self.config, self.ledger.people
        limits = Limits(
            config.max_contact_persons,
            config.contact_window_days,
            config.follow_up_gap_days,
            config.max_caseload,
        )
        total = 0
        for state in self.ledger.states():
            contacts = consolidate(state.reports, people, config.session_gap)
            total += len(contacts) + state.pruned_contacts
            view = build_view(state, people, now, config, contacts)
            on_view(view)
            for finding in employer_findings(state, people, contacts, config, now):
                alert = to_alert(finding, view["unit"], limits)
                on_alert((finding.rule, finding.key, finding.interval.starts_at), alert)
        for finding in caseload_high(self.ledger.states(), people, config, now):
            actor = people.shown_actor(finding.person or "")
            unit = actor.id if actor is not None and actor.is_nav else None
            alert = to_alert(finding, unit, limits, people)
            on_alert((finding.rule, finding.key, finding.interval.starts_at), alert)
        return total

    def _keep_notices(self, notices: list[dict[str, Any]]) -> None:
        # Kept compact: a long replay can send many notices.
        self.notices.extend(compact(n) for n in notices)


def compact(value: object, option: int = 0) -> bytes:
    """``value`` as JSON bytes of exactly their size, to keep many of them: orjson's
    own result keeps a buffer of several kilobytes, however short the text."""
    return bytes(memoryview(orjson.dumps(value, option=option)))


def replay_lines(
    lines: Iterable[bytes | str], now: int | None = None, config: RuleConfig | None = None
) -> ReplayResult:
    """Replay these lines and return the outputs."""
    run = Replay(config or RuleConfig())
    run.feed(lines)
    return run.finish(now)
