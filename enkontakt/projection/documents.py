"""From the JSON documents of CONTRACT §3 and §4 to the rows that store them.

Pure functions: each maps one document to the column values kept beside it,
including the ``revision`` that decides which of two versions is newer.

Ordering of versions ("never regress"):

* a **view** is newer when its ``updated_at`` is later; with equal
  ``updated_at`` the one written last wins (the clock can change a view without
  a new event, and on Kafka a redelivery is followed by what came after it);
* an **alert** (one ``alert_id``) is ordered by its ``version`` first (the
  notifier counts each message of one firing: a late event can take a resolved
  firing back to firing), then, between versions with the same number (or
  none, as replay writes them), by status — ``resolved`` beats ``firing`` — and
  among resolved ones by ``ends_at``; with an equal revision the one written
  last wins;
* a **notice** is never overwritten: each distinct document is kept once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from enkontakt.projection.times import parse_instant, parse_optional_instant, sortable

STATUS_RANK = {"firing": 0, "resolved": 1}


def canonical_json(document: dict[str, Any]) -> str:
    """The document as compact JSON with sorted keys."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def view_row(view: dict[str, Any], written_at: datetime) -> dict[str, Any]:
    """Columns of the ``employer_views`` row holding ``view``."""
    inquiries = view.get("open_inquiries") or []
    return {
        "orgnr": view["orgnr"],
        "name": view.get("name"),
        "unit": view.get("unit"),
        "updated_at": parse_instant(view["updated_at"]),
        "contact_persons_30d": int(view.get("contact_persons_30d") or 0),
        "open_inquiries": len(inquiries),
        "overdue_inquiries": sum(1 for inquiry in inquiries if inquiry.get("overdue")),
        "document": view,
        "written_at": written_at,
    }


def alert_revision(status: str, ends_at: datetime | None, version: int = 0) -> str:
    """A text that sorts like the alert versions it stands for."""
    rank = STATUS_RANK[status]
    return f"{version:012d}|{rank}|{sortable(ends_at) if ends_at is not None and rank else ''}"


def alert_change_key(alert: dict[str, Any]) -> str:
    """What a webhook receiver must hear about again when it changes.

    Times are taken as instants: ``15:10:00+02:00`` and ``13:10:00.000Z`` are
    the same start, and no change.
    """
    ends_at = parse_optional_instant(alert.get("ends_at"))
    parts = (
        alert["status"],
        alert["severity"],
        sortable(parse_instant(alert["starts_at"])),
        "" if ends_at is None else sortable(ends_at),
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def alert_row(alert: dict[str, Any], written_at: datetime) -> dict[str, Any]:
    """Columns of the ``alerts`` row holding ``alert`` (acknowledgement excluded)."""
    status = alert["status"]
    if status not in STATUS_RANK:
        raise ValueError(f"unknown alert status: {status!r}")
    ends_at = parse_optional_instant(alert.get("ends_at"))
    return {
        "alert_id": alert["alert_id"],
        "rule": alert["rule"],
        "orgnr": alert.get("orgnr"),
        "inquiry_id": alert.get("inquiry_id"),
        "unit": alert.get("unit"),
        "status": status,
        "severity": alert["severity"],
        "starts_at": parse_instant(alert["starts_at"]),
        "ends_at": ends_at,
        "revision": alert_revision(status, ends_at, alert.get("version") or 0),
        "change_key": alert_change_key(alert),
        "document": alert,
        "written_at": written_at,
    }


def notice_row(notice: dict[str, Any], written_at: datetime) -> dict[str, Any]:
    """Columns of the ``employer_notices`` row holding ``notice``."""
    return {
        "digest": hashlib.sha256(canonical_json(notice).encode()).hexdigest(),
        "orgnr": notice["orgnr"],
        "at": parse_instant(notice["at"]),
        "document": notice,
        "written_at": written_at,
    }


def newest_per_key(rows: Iterable[dict[str, Any]], key: str, order: str) -> list[dict[str, Any]]:
    """Keep, per ``key``, the row with the greatest ``order``; ties: the later one.

    One SQL statement may not touch a row twice, so a batch is reduced first,
    by the same rule the database applies between batches.
    """
    newest: dict[Any, dict[str, Any]] = {}
    for row in rows:
        kept = newest.get(row[key])
        if kept is None or row[order] >= kept[order]:
            newest[row[key]] = row
    return list(newest.values())
