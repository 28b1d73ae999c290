"""Employer state to and from JSON-able values, for tables and changelogs.

The encoding is plain lists and dicts (orjson-friendly), versioned by a leading
number so that a stored state of an older layout is recognised.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from enkontakt.services.coordinator.employer import (
    Assignment,
    Designation,
    EmployerState,
    FollowUp,
    Inquiry,
    Report,
    Start,
)
from enkontakt.services.coordinator.facts import ActorRef, Stamp

VERSION = 1


def _actor(actor: ActorRef | None) -> list[Any] | None:
    return None if actor is None else [actor.type, actor.id, actor.name]


def _unactor(value: list[Any] | None) -> ActorRef | None:
    return None if value is None else ActorRef(value[0], value[1], value[2])


def _stamp(value: list[Any]) -> Stamp:
    return Stamp(value[0], value[1], value[2])


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _unday(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def encode_state(state: EmployerState) -> dict[str, Any]:
    """The state as a JSON-able dict."""
    return {
        "v": VERSION,
        "orgnr": state.orgnr,
        "name": None if state.name is None else [list(state.name[0]), state.name[1]],
        "reports": [[list(r.stamp), r.ident, r.channel] for r in state.reports],
        "inquiries": {
            k: [None if q.received is None else list(q.received), q.topic, q.urgency, q.answered_at]
            for k, q in state.inquiries.items()
        },
        "assignments": [
            [
                list(a.stamp),
                a.ident,
                _actor(a.actor),
                a.deputy_ident,
                _actor(a.deputy_actor),
                _day(a.valid_until),
            ]
            for a in state.assignments
        ],
        "follow_ups": {
            k: [[[list(s.stamp), s.ident, _actor(s.actor)] for s in f.starts], f.ended_at]
            for k, f in state.follow_ups.items()
        },
        "nav_actor": None
        if state.nav_actor is None
        else [list(state.nav_actor[0]), _actor(state.nav_actor[1])],
        "updated_at": state.updated_at,
        "seen": [[s, i, at] for (s, i), at in state.seen.items()],
        "pruned_contacts": state.pruned_contacts,
        "designation": [
            state.designation.ident,
            state.designation.shown,
            state.designation.at,
            state.designation.checked,
        ],
    }


def decode_state(value: dict[str, Any]) -> EmployerState:
    """The state encoded by ``encode_state``."""
    if value.get("v") != VERSION:
        raise ValueError(f"unknown employer state version {value.get('v')!r}")
    name = value["name"]
    nav = value["nav_actor"]
    return EmployerState(
        orgnr=value["orgnr"],
        name=None if name is None else (_stamp(name[0]), name[1]),
        reports=[Report(_stamp(s), ident, ch) for s, ident, ch in value["reports"]],
        inquiries={
            k: Inquiry(None if r is None else _stamp(r), topic, urgency, answered)
            for k, (r, topic, urgency, answered) in value["inquiries"].items()
        },
        assignments=[
            Assignment(_stamp(s), ident, _unactor(actor), dep, _unactor(dep_actor), _unday(until))  # type: ignore[arg-type]
            for s, ident, actor, dep, dep_actor, until in value["assignments"]
        ],
        follow_ups={
            k: FollowUp([Start(_stamp(s), i, _unactor(a)) for s, i, a in starts], ended)  # type: ignore[arg-type]
            for k, (starts, ended) in value["follow_ups"].items()
        },
        nav_actor=None if nav is None else (_stamp(nav[0]), _unactor(nav[1])),  # type: ignore[arg-type]
        updated_at=value["updated_at"],
        seen={(s, i): at for s, i, at in value["seen"]},
        designation=Designation(*value["designation"]),
        pruned_contacts=value.get("pruned_contacts", 0),  # absent before it was kept
    )
