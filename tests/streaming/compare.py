"""Replay as the reference: run ``enkontakt replay`` over the events the services
read, and compare views field by field and firing alerts as (rule, key, starts_at),
times as instants (contract §6).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class ReplayOutput:
    """What ``enkontakt replay`` wrote."""

    views: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    summary: dict[str, int]

    def views_by_orgnr(self) -> dict[str, dict[str, Any]]:
        """The views keyed by orgnr."""
        return {view["orgnr"]: view for view in self.views}

    def firing(self) -> set[tuple[str, str, datetime]]:
        """The firing alerts as (rule, key, starts_at)."""
        return firing(self.alerts)


def rfc3339(moment: datetime) -> str:
    """An aware datetime as RFC 3339 with its offset."""
    return moment.isoformat()


def wall_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def replay(lines: Sequence[bytes], directory: Path, now: datetime) -> ReplayOutput:
    """Run ``enkontakt replay`` over ``lines`` with the clock moved to ``now``."""
    directory.mkdir(parents=True, exist_ok=True)
    events = directory / "events.jsonl"
    events.write_bytes(b"".join(line + b"\n" for line in lines))
    out = directory / "replay-out"
    command = [sys.executable, "-m", "enkontakt.cli", "replay", str(events)]
    command += ["--now", rfc3339(now), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    return ReplayOutput(
        views=orjson.loads((out / "views.json").read_bytes()),
        alerts=orjson.loads((out / "alerts.json").read_bytes()),
        rejected=[orjson.loads(x) for x in (out / "rejected.jsonl").read_bytes().splitlines() if x],
        summary=orjson.loads((out / "summary.json").read_bytes()),
    )


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def instants(value: Any) -> Any:
    """``value`` with every RFC 3339 time turned into an aware datetime, so that
    outputs compare as instants, not strings (contract §6)."""
    if isinstance(value, dict):
        return {k: instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [instants(v) for v in value]
    if isinstance(value, str) and _INSTANT.match(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def firing(alerts: Iterable[dict[str, Any]]) -> set[tuple[str, str, datetime]]:
    """(rule, key, starts_at) of the firing alerts among ``alerts``."""
    return {
        (a["rule"], a["key"], instants(a["starts_at"])) for a in alerts if a["status"] == "firing"
    }


def view_differences(
    expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]
) -> list[str]:
    """Where the views differ, field by field (empty when they are equal)."""
    found = [f"{o}: missing on Kafka" for o in sorted(expected.keys() - actual.keys())]
    found += [f"{o}: not in replay" for o in sorted(actual.keys() - expected.keys())]
    for orgnr in sorted(expected.keys() & actual.keys()):
        want, got = instants(expected[orgnr]), instants(actual[orgnr])
        for name in sorted(want.keys() | got.keys()):
            if want.get(name, "<absent>") != got.get(name, "<absent>"):
                found.append(
                    f"{orgnr}.{name}: replay {want.get(name, '<absent>')!r} "
                    f"!= kafka {got.get(name, '<absent>')!r}"
                )
    return found
