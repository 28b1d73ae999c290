"""Builders of contract events for tests: valid by default, terse to read."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from enkontakt.services.rules_config import RuleConfig

OSLO = ZoneInfo("Europe/Oslo")
ORGNRS = ("974760606", "974760614", "974760622", "974760630", "974760649", "974760657")
EMPLOYER = "974760673"
PROVIDER = "974760681"
_ids = itertools.count(1)

NAV = {"type": "nav_office", "id": "1902", "name": "NAV Tromsø"}
SPECIALIST = {"type": "job_specialist", "id": "1902", "name": "NAV Tromsø"}
OTHER_NAV = {"type": "nav_office", "id": "0314", "name": "NAV Sagene"}
MEASURE_PROVIDER = {"type": "measure_provider", "id": PROVIDER, "name": "Arbeidshuset AS"}


def oslo(text: str) -> str:
    """An Oslo local time "YYYY-MM-DD HH:MM" as RFC 3339 with its offset."""
    return datetime.fromisoformat(text).replace(tzinfo=OSLO).isoformat()


def person(n: int, *, id: bool = True, email: bool = True, phone: bool = False) -> dict[str, Any]:
    """Person number ``n``, with the identifiers asked for."""
    found: dict[str, Any] = {"name": f"Person {n}"}
    if id:
        found["id"] = f"Z{n:06d}"
    if email:
        found["email"] = f"person{n}@nav.no"
    if phone:
        found["phone"] = f"+47 41{n:06d}"
    return found


def event(kind: str, data: dict[str, Any], at: str, **attrs: Any) -> dict[str, Any]:
    """A structured-mode CloudEvent of type ``enkontakt.<kind>.v1`` at Oslo time ``at``."""
    return {
        "specversion": "1.0",
        "id": attrs.pop("id", f"ev-{next(_ids)}"),
        "source": attrs.pop("source", "urn:system:test"),
        "type": f"enkontakt.{kind}.v1",
        "time": oslo(at) if " " in at else at,
        "data": data,
        **attrs,
    }


def contact(
    at: str,
    who: dict[str, Any],
    *,
    orgnr: str = EMPLOYER,
    actor: dict[str, Any] = NAV,
    channel: str = "phone",
    **attrs: Any,
) -> dict[str, Any]:
    """A contact.registered report."""
    data = {"employer": {"orgnr": orgnr}, "actor": actor, "person": who, "channel": channel}
    return event("contact.registered", data, at, **attrs)


def inquiry(
    at: str,
    inquiry_id: str,
    *,
    orgnr: str = EMPLOYER,
    topic: str = "information",
    urgency: str = "normal",
    **attrs: Any,
) -> dict[str, Any]:
    """An inquiry.received."""
    data = {
        "employer": {"orgnr": orgnr},
        "inquiry_id": inquiry_id,
        "topic": topic,
        "urgency": urgency,
        "channel": "phone",
    }
    return event("inquiry.received", data, at, **attrs)


def answer(
    at: str,
    inquiry_id: str,
    who: dict[str, Any],
    *,
    orgnr: str = EMPLOYER,
    actor: dict[str, Any] = NAV,
    **attrs: Any,
) -> dict[str, Any]:
    """An inquiry.answered."""
    data = {"employer": {"orgnr": orgnr}, "inquiry_id": inquiry_id, "actor": actor, "person": who}
    return event("inquiry.answered", data, at, **attrs)


def assign(
    at: str,
    who: dict[str, Any],
    *,
    orgnr: str = EMPLOYER,
    actor: dict[str, Any] = NAV,
    deputy: dict[str, Any] | None = None,
    valid_until: str | None = None,
    **attrs: Any,
) -> dict[str, Any]:
    """A contact-person.assigned, optionally with a deputy of the same actor."""
    data: dict[str, Any] = {"employer": {"orgnr": orgnr}, "actor": actor, "person": who}
    if deputy is not None:
        data["deputy"] = {"actor": actor, "person": deputy}
    if valid_until is not None:
        data["valid_until"] = valid_until
    return event("contact-person.assigned", data, at, **attrs)


def absent(
    at: str,
    who: dict[str, Any],
    start: str,
    until: str,
    *,
    actor: dict[str, Any] = NAV,
    **attrs: Any,
) -> dict[str, Any]:
    """A contact-person.absent for the Oslo dates [start, until]."""
    data = {"actor": actor, "person": who, "from": start, "until": until}
    return event("contact-person.absent", data, at, **attrs)


def start(
    at: str,
    ref: str,
    who: dict[str, Any],
    *,
    orgnr: str = EMPLOYER,
    actor: dict[str, Any] = NAV,
    measure: str = "ARBTREN",
    **attrs: Any,
) -> dict[str, Any]:
    """A follow-up.started."""
    data = {
        "employer": {"orgnr": orgnr},
        "candidate": {"ref": ref},
        "measure": measure,
        "actor": actor,
        "person": who,
    }
    return event("follow-up.started", data, at, **attrs)


def end(
    at: str, ref: str, *, orgnr: str = EMPLOYER, reason: str = "completed", **attrs: Any
) -> dict[str, Any]:
    """A follow-up.ended."""
    data = {"employer": {"orgnr": orgnr}, "candidate": {"ref": ref}, "reason": reason}
    return event("follow-up.ended", data, at, **attrs)


def joined_while_absent(report_at: str = EMPLOYER) -> list[dict[str, Any]]:
    """Person 1, known by a NAV ident, is assigned at ``EMPLOYER`` with person 2
    as deputy (1 October); an absence (19 to 30 October) names a human known only by
    e-mail; a report at ``report_at`` with both (20 October 09:00) makes them one
    human, absent."""
    assigned = person(1, email=False)
    absent_one = person(9, id=False)
    both = {"id": assigned["id"], "email": absent_one["email"]}
    return [
        assign("2026-10-01 08:00", assigned, deputy=person(2)),
        absent("2026-10-14 12:00", absent_one, "2026-10-19", "2026-10-30"),
        contact("2026-10-20 09:00", both, orgnr=report_at),
    ]


def lines(*events: dict[str, Any]) -> list[str]:
    """Events as JSON Lines."""
    return [json.dumps(e, ensure_ascii=False) for e in events]


def replay(*events: dict[str, Any], now: str | None = None, **config: int) -> Any:
    """Replay these events (in this arrival order) and return the result."""
    from enkontakt.replay import replay_lines
    from enkontakt.replay_cli import parse_now

    moment = parse_now(oslo(now) if now and " " in now else now) if now else None
    return replay_lines(lines(*events), moment, RuleConfig(**config))


def view_of(result: Any, orgnr: str = EMPLOYER) -> dict[str, Any]:
    """The view of one employer in a replay result."""
    return next(v for v in result.views if v["orgnr"] == orgnr)


def alerts_of(result: Any, rule: str) -> list[dict[str, Any]]:
    """The alerts of one rule in a replay result."""
    return [a for a in result.alerts if a["rule"] == rule]


def instant(text: str) -> datetime:
    """An RFC 3339 text (or Oslo "YYYY-MM-DD HH:MM") as an aware datetime."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=OSLO)


def to_us(text: str) -> int:
    """An Oslo "YYYY-MM-DD HH:MM" (or RFC 3339) time in µs since the epoch."""
    from enkontakt.services.coordinator.facts import to_us as core_to_us

    return core_to_us(instant(text))
