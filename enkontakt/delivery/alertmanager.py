"""Notifications in Prometheus Alertmanager's webhook format, version 4.

One notification per receiver and NAV unit (the group). Labels carry the
alert's identifiers — never a person's contact details; the summary goes in
the annotations.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from enkontakt.projection.times import parse_instant, to_rfc3339

NEVER = "0001-01-01T00:00:00Z"
SIGNATURE_HEADER = "X-Enkontakt-Signature"
DELIVERY_HEADER = "X-Enkontakt-Delivery"
LABELS = ("rule", "severity", "unit", "orgnr", "inquiry_id", "alert_id")


def group_key(unit: str | None) -> str:
    """Alertmanager's group key for the alerts of one unit."""
    return f'{{}}:{{unit="{unit or ""}"}}'


def fingerprint(alert_id: str) -> str:
    """A stable 16-hex-digit fingerprint of one alert."""
    return hashlib.sha256(alert_id.encode()).hexdigest()[:16]


def labels(alert: dict[str, Any]) -> dict[str, str]:
    """The alert's labels: its rule as ``alertname`` and its identifiers."""
    found = {name: str(alert[name]) for name in LABELS if alert.get(name) is not None}
    return {"alertname": alert["rule"]} | found


def entry(alert: dict[str, Any], external_url: str | None) -> dict[str, Any]:
    """One element of ``alerts[]``."""
    ends_at = alert.get("ends_at")
    link = (
        f"{external_url.rstrip('/')}/employers/{alert['orgnr']}"
        if (external_url and alert.get("orgnr"))
        else ""
    )
    return {
        "status": alert["status"],
        "labels": labels(alert),
        "annotations": {"summary": alert.get("summary", "")},
        "startsAt": to_rfc3339(parse_instant(alert["starts_at"])),
        "endsAt": to_rfc3339(parse_instant(ends_at)) if ends_at else NEVER,
        "generatorURL": link,
        "fingerprint": fingerprint(alert["alert_id"]),
    }


def common(maps: Sequence[dict[str, str]]) -> dict[str, str]:
    """The key-value pairs shared by all maps."""
    if not maps:
        return {}
    return {key: value for key, value in maps[0].items() if all(m.get(key) == value for m in maps)}


def message(
    receiver: str, unit: str | None, alerts: Sequence[dict[str, Any]], external_url: str | None
) -> dict[str, Any]:
    """The notification of ``alerts`` (all of ``unit``) for ``receiver``."""
    entries = [entry(alert, external_url) for alert in alerts]
    firing = any(item["status"] == "firing" for item in entries)
    return {
        "version": "4",
        "groupKey": group_key(unit),
        "truncatedAlerts": 0,
        "status": "firing" if firing else "resolved",
        "receiver": receiver,
        "groupLabels": {"unit": unit or ""},
        "commonLabels": common([item["labels"] for item in entries]),
        "commonAnnotations": common([item["annotations"] for item in entries]),
        "externalURL": external_url or "",
        "alerts": entries,
    }


def encode(payload: dict[str, Any]) -> str:
    """The exact body sent, kept in the outbox so every retry signs the same bytes."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header: ``sha256=`` and the hex HMAC of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """True when ``header`` is the signature of ``body`` (for receivers and tests)."""
    return hmac.compare_digest(signature(secret, body), header)
