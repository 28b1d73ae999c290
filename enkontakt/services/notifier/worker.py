"""The notifier's work per message, apart from Kafka: alert changes for the
employers a worker holds, and the caseload count across all employers.

Per employer, the rules' intervals are recomputed at the moment and compared
with what was published (``Lifecycle``): only changes are published, one
message per change of an alert. Caseload needs every employer's follow-ups: each
worker shares the responsibility spans of its employers on a one-partition
topic, and the one worker that owns it counts them (``CaseloadCounter``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from enkontakt.services.coordinator.consolidation import Contact
from enkontakt.services.coordinator.employer import EmployerState, FollowUp, Start
from enkontakt.services.coordinator.facts import ActorRef, Stamp
from enkontakt.services.coordinator.intake import Out
from enkontakt.services.coordinator.ledger import Ledger
from enkontakt.services.coordinator.people import People
from enkontakt.services.coordinator.view import unit_at
from enkontakt.services.notifier.alerts import Lifecycle, Limits, Published, message_key, to_alert
from enkontakt.services.notifier.rules import Finding, caseload_high, employer_findings
from enkontakt.services.rules_config import RuleConfig


def limits_of(config: RuleConfig) -> Limits:
    """The numbers quoted in alert summaries."""
    return Limits(
        config.max_contact_persons,
        config.contact_window_days,
        config.follow_up_gap_days,
        config.max_caseload,
    )


def publish_changes(
    lifecycle: Lifecycle,
    keys_before: Iterable[tuple[str, str]],
    alerts: list[tuple[Finding, dict[str, Any]]],
) -> list[Out]:
    """Record the current alerts of some (rule, key)s; messages for what changed.
    Keys that had alerts before and have none now are recorded as empty."""
    grouped: dict[tuple[str, str], list[tuple[int, int | None, dict[str, Any]]]] = {
        k: [] for k in keys_before
    }
    for finding, alert in alerts:
        interval = finding.interval
        grouped.setdefault((finding.rule, finding.key), []).append(
            (interval.start, interval.end, alert)
        )
    outs = []
    for (rule, key), items in grouped.items():
        for changed in lifecycle.update(rule, key, items):
            outs.append(Out("alerts", message_key(rule, key).encode(), orjson.dumps(changed)))
    return outs


@dataclass(slots=True)
class AlertDeriver:
    """The notifier's derivation for one employer: alert changes and its spans."""

    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    keys: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    # A hash of the spans last sent for each employer: the caseload counter hears
    # of an employer's follow-ups only when they changed (or it moved here).
    spans_sent: dict[str, int] = field(default_factory=dict)

    def __call__(
        self, ledger: Ledger, state: EmployerState, now: int, contacts: Sequence[Contact]
    ) -> list[Out]:
        """Messages for the employer's alert changes at ``now``, and its spans
        (``contacts``: its consolidated contacts)."""
        config, people = ledger.config, ledger.people
        unit = unit_at(state, people, now, config, contacts)
        limits = limits_of(config)
        alerts = [
            (f, to_alert(f, unit, limits))
            for f in employer_findings(state, people, contacts, config, now)
        ]
        before = self.keys.get(state.orgnr, set())
        self.keys[state.orgnr] = {(f.rule, f.key) for f, _ in alerts}
        outs = publish_changes(self.lifecycle, before, alerts)
        spans = orjson.dumps(spans_of(state))
        if self.spans_sent.get(state.orgnr) != (digest := hash(spans)):
            self.spans_sent[state.orgnr] = digest
            outs.append(Out("caseload", state.orgnr.encode(), spans))
        return outs

    def export(self, orgnr: str) -> dict[str, Any]:
        """What was published for the employer, to store beside its state."""
        return export_published(self.lifecycle, self.keys.get(orgnr, set()))

    def load(self, orgnr: str, stored: dict[str, Any]) -> None:
        """Take back what ``export`` stored (after a restart or a rebalance)."""
        self.keys[orgnr] = load_published(self.lifecycle, stored)

    def forget(self, orgnr: str) -> None:
        """Drop what was published for an employer no longer held here."""
        self.spans_sent.pop(orgnr, None)
        for key in self.keys.pop(orgnr, ()):
            self.lifecycle.published.pop(key, None)


def export_published(lifecycle: Lifecycle, keys: set[tuple[str, str]]) -> dict[str, Any]:
    """The alerts published for these (rule, key)s, as stored."""
    return {
        "keys": [list(k) for k in sorted(keys)],
        "published": [
            [rule, key, [[p.alert_id, p.start, p.end, p.alert] for p in published]]
            for rule, key in sorted(keys)
            if (published := lifecycle.published.get((rule, key)))
        ],
    }


def load_published(lifecycle: Lifecycle, stored: dict[str, Any]) -> set[tuple[str, str]]:
    """Take back what ``export_published`` stored; returns its (rule, key)s."""
    for rule, key, items in stored["published"]:
        lifecycle.published[(rule, key)] = [Published(*item) for item in items]
    return {(rule, key) for rule, key in stored["keys"]}


def spans_of(state: EmployerState) -> dict[str, Any]:
    """The employer's follow-ups as shared with the caseload counter."""
    return {
        "orgnr": state.orgnr,
        "follow_ups": [
            [
                [
                    [list(s.stamp), s.ident, [s.actor.type, s.actor.id, s.actor.name]]
                    for s in f.starts
                ],
                f.ended_at,
            ]
            for f in state.follow_ups.values()
        ],
    }


def _follow_ups(value: dict[str, Any]) -> EmployerState:
    state = EmployerState(value["orgnr"])
    for index, (starts, ended) in enumerate(value["follow_ups"]):
        state.follow_ups[str(index)] = FollowUp(
            [Start(Stamp(*s), ident, ActorRef(*a)) for s, ident, a in starts], ended
        )
    return state


PUBLISHED = "published"
"""The caseload table's key for the counter's published alerts (the others are orgnrs)."""


@dataclass(slots=True)
class CaseloadCounter:
    """Counts active follow-ups per human across all employers."""

    config: RuleConfig
    people: People
    employers: dict[str, EmployerState] = field(default_factory=dict)
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    keys: set[tuple[str, str]] = field(default_factory=set)

    def reload(self, stored: Mapping[str, str], now: int) -> list[Out]:
        """Start again from the caseload table (every employer's follow-ups, and
        under ``PUBLISHED`` the alerts published as of them), after a restart or
        when its partition comes back; messages for what changed meanwhile."""
        self.employers.clear()
        self.lifecycle.published.clear()
        self.keys = set()
        for key, value in stored.items():
            if key == PUBLISHED:
                self.keys = load_published(self.lifecycle, orjson.loads(value))
            else:
                state = _follow_ups(orjson.loads(value))
                self.employers[state.orgnr] = state
        return self.count(now) if self.employers else []

    def export(self) -> str:
        """What was published, to store under ``PUBLISHED`` in the caseload table."""
        return orjson.dumps(export_published(self.lifecycle, self.keys)).decode()

    def spans(self, raw: bytes, now: int) -> list[Out]:
        """Take one employer's follow-ups; messages for caseload alert changes."""
        state = _follow_ups(orjson.loads(raw))
        if self.employers.get(state.orgnr) == state:
            return []
        self.employers[state.orgnr] = state
        return self.count(now)

    def count(self, now: int) -> list[Out]:
        """Recount (after new spans, or when people merged); messages for changes."""
        findings = caseload_high(self.employers.values(), self.people, self.config, now)
        limits = limits_of(self.config)
        alerts = []
        for finding in findings:
            actor = self.people.shown_actor(finding.person or "")
            unit = actor.id if actor is not None and actor.is_nav else None
            alerts.append((finding, to_alert(finding, unit, limits, self.people)))
        before, self.keys = self.keys, {(f.rule, f.key) for f, _ in alerts}
        return publish_changes(self.lifecycle, before, alerts)
