"""Alert objects (CONTRACT §3) from rule intervals, and their lifecycle.

An alert is one firing of one (rule, key): ``firing`` while its interval is
open, ``resolved`` once it closed. Its ``alert_id`` is derived from the rule,
the key and the start of the firing, so every driver names the same firing
the same way; a driver that has already published a firing keeps its id when a
late event moves the start (see ``Lifecycle``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from enkontakt.services.coordinator.facts import rfc3339
from enkontakt.services.coordinator.people import People
from enkontakt.services.notifier.rules import Finding

SUMMARIES = {
    "response-overdue": "Inquiry {inquiry_id} from employer {orgnr} is past its response deadline.",
    "too-many-contact-persons": (
        "Employer {orgnr} has met more than {limit} contact persons in {days} days."
    ),
    "no-designated-contact": (
        "Employer {orgnr} has active follow-ups and no designated contact person."
    ),
    "contact-person-absent": (
        "The contact person of employer {orgnr} is absent and no available deputy is named."
    ),
    "follow-up-gap": "Employer {orgnr} has active follow-ups and no contact in {gap} days.",
    "caseload-high": "One person is responsible for more than {caseload} active follow-ups.",
}


def alert_id(rule: str, key: str, starts_at: int) -> str:
    """The id of the firing of (rule, key) that started at ``starts_at``."""
    digest = hashlib.blake2b(f"{rule}|{key}|{starts_at}".encode(), digest_size=16)
    return digest.hexdigest()


def message_key(rule: str, key: str) -> str:
    """The Kafka key of an alert: its rule and key."""
    return f"{rule}/{key}"


@dataclass(frozen=True, slots=True)
class Limits:
    """The numbers quoted in summaries."""

    contact_persons: int
    contact_days: int
    gap_days: int
    caseload: int


def to_alert(
    finding: Finding,
    unit: str | None,
    limits: Limits,
    people: People | None = None,
    ident: str | None = None,
) -> dict[str, Any]:
    """The alert object of one finding."""
    interval = finding.interval
    alert: dict[str, Any] = {
        "alert_id": ident or alert_id(finding.rule, finding.key, interval.starts_at),
        "rule": finding.rule,
        "key": finding.key,
        "orgnr": finding.orgnr,
        "unit": unit,
        "severity": finding.severity,
        "status": "firing" if interval.end is None else "resolved",
        "starts_at": rfc3339(interval.starts_at),
        "ends_at": rfc3339(interval.end),
        "summary": SUMMARIES[finding.rule].format(
            inquiry_id=finding.inquiry_id,
            orgnr=finding.orgnr,
            limit=limits.contact_persons,
            days=limits.contact_days,
            gap=limits.gap_days,
            caseload=limits.caseload,
        ),
    }
    if finding.inquiry_id is not None:
        alert["inquiry_id"] = finding.inquiry_id
    if finding.person is not None and people is not None:
        alert["person"] = people.shown(finding.person)
    return alert


def sort_key(alert: dict[str, Any]) -> tuple[str, str, str]:
    """alerts.json order: (rule, key, starts_at) — by instant, not by text."""
    return (alert["rule"], alert["key"], alert.get("_starts_us", ""))


@dataclass(slots=True)
class Published:
    """What was last published for one firing."""

    alert_id: str
    start: int
    end: int | None
    alert: dict[str, Any]


@dataclass(slots=True)
class Lifecycle:
    """The alerts already published, per (rule, key), to publish only changes.

    Used by the streaming notifier: each recomputation of a key's findings is
    matched against what was published. A new interval overlapping a published
    one is the same firing (its id is kept); a published firing with no
    overlapping interval any more never held, and is published as resolved with
    ``ends_at`` equal to ``starts_at``. Each message of one firing carries a
    ``version`` one higher than the last: a late event may take a resolved
    firing back to firing, or move its end earlier, and a reader keeps the
    highest version, not a guess from the status.
    """

    published: dict[tuple[str, str], list[Published]] = field(default_factory=dict)

    def update(
        self, rule: str, key: str, alerts: Iterable[tuple[int, int | None, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """Record the current alerts of (rule, key); returns the ones that changed."""
        before = self.published.get((rule, key), [])
        after: list[Published] = []
        changed: list[dict[str, Any]] = []
        matched: set[str] = set()
        used = {p.alert_id for p in before}
        for start, end, alert in alerts:
            old = _same_firing(before, start, end, matched)
            if old is not None:
                matched.add(old.alert_id)
                alert = {**alert, "alert_id": old.alert_id}
                version = _version(old.alert)
                if {**old.alert, "version": version} != {**alert, "version": version}:
                    alert["version"] = version + 1
                    changed.append(alert)
                else:
                    alert = old.alert
            else:
                alert = {**alert, "alert_id": _fresh_id(alert["alert_id"], used), "version": 1}
                changed.append(alert)
            used.add(alert["alert_id"])
            after.append(Published(alert["alert_id"], start, end, alert))
        for old in before:
            if old.alert_id in matched:
                continue
            gone = {**old.alert, "status": "resolved", "ends_at": old.alert["starts_at"]}
            if gone != old.alert:  # a firing that never held: resolved, with no duration
                gone["version"] = _version(old.alert) + 1
                changed.append(gone)
        if after:
            self.published[(rule, key)] = after
        else:
            self.published.pop((rule, key), None)
        return changed


def _version(alert: dict[str, Any]) -> int:
    """The version of a published alert (0 for one stored before versions)."""
    return int(alert.get("version", 0))


def _same_firing(
    before: list[Published], start: int, end: int | None, taken: set[str]
) -> Published | None:
    """The published firing that an interval continues: one with the same start,
    else the first one overlapping it."""
    free = [old for old in before if old.alert_id not in taken]
    for old in free:
        if old.start == start:
            return old
    for old in free:
        if (end is None or old.start < end) and (old.end is None or start < old.end):
            return old
    return None


def _fresh_id(candidate: str, used: set[str]) -> str:
    """``candidate``, or a variant of it when another firing of the key has it."""
    n = 0
    found = candidate
    while found in used:
        n += 1
        found = hashlib.blake2b(f"{candidate}|{n}".encode(), digest_size=16).hexdigest()
    return found
