"""The employer view (CONTRACT §4): what one employer's contact looks like at a moment.

A view never holds candidate refs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from enkontakt.services.coordinator.consolidation import Contact, at_of, consolidate
from enkontakt.services.coordinator.contact_person import Choice, choose
from enkontakt.services.coordinator.employer import EmployerState
from enkontakt.services.coordinator.facts import rfc3339
from enkontakt.services.coordinator.people import People
from enkontakt.services.notifier.deadlines import due_at
from enkontakt.services.rules_config import RuleConfig

RECENT_CONTACTS = 20


def contact_person_out(choice: Choice | None, people: People) -> dict[str, Any] | None:
    """The contact person as shown: the human's newest details, the actor of the
    event that made them the contact, the basis and availability."""
    if choice is None:
        return None
    shown = people.shown(choice.ident)
    return {
        "name": shown["name"],
        "email": shown["email"],
        "phone": shown["phone"],
        "actor": choice.actor.as_dict() if choice.actor is not None else shown["actor"],
        "basis": choice.basis,
        "designated": choice.designated,
        "available": choice.available,
    }


def unit_of(state: EmployerState, choice: Choice | None) -> str | None:
    """The NAV unit the employer's alerts go to (CONTRACT §2, "Unit")."""
    if choice is not None and choice.actor is not None and choice.actor.is_nav:
        return choice.actor.id
    if state.nav_actor is not None:
        return state.nav_actor[1].id
    return None


def unit_at(
    state: EmployerState, people: People, t: int, config: RuleConfig, contacts: Sequence[Contact]
) -> str | None:
    """The unit of the employer's view at ``t``, without the rest of the view."""
    past = contacts[: bisect_right(contacts, t, key=at_of)]
    return unit_of(state, choose(state, people, past, t, config.most_active_window))


def open_inquiries(state: EmployerState, t: int, config: RuleConfig) -> list[dict[str, Any]]:
    """The inquiries open at ``t``, oldest first."""
    rows = []
    for inquiry_id, inquiry in state.inquiries.items():
        if inquiry.received is None or inquiry.received.at > t:
            continue
        closed = inquiry.closed_at
        if closed is not None and closed <= t:
            continue
        due = due_at(inquiry, config)
        rows.append((inquiry.received.at, inquiry_id, inquiry, due))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [
        {
            "inquiry_id": inquiry_id,
            "topic": inquiry.topic,
            "urgency": inquiry.urgency,
            "received_at": rfc3339(received),
            "due_at": rfc3339(due),
            "overdue": due is not None and t >= due,
        }
        for received, inquiry_id, inquiry, due in rows
    ]


def recent_contact_out(contact: Contact, people: People) -> dict[str, Any]:
    """One entry of ``recent_contacts``."""
    return {
        "at": rfc3339(contact.at),
        "channel": contact.first.channel,
        "person": people.shown(contact.human),
        "reports": contact.reports,
        "reported_by": list(contact.reported_by),
    }


def build_view(
    state: EmployerState,
    people: People,
    t: int,
    config: RuleConfig,
    contacts: Sequence[Contact] | None = None,
) -> dict[str, Any]:
    """The view of the employer at instant ``t`` (``contacts``: its consolidated
    contacts, ordered by time)."""
    if contacts is None:
        contacts = consolidate(state.reports, people, config.session_gap)
    past = contacts[: bisect_right(contacts, t, key=at_of)]
    window = past[bisect_right(past, t - config.contact_window, key=at_of) :]
    choice = choose(state, people, past, t, config.most_active_window)
    return {
        "orgnr": state.orgnr,
        "name": state.name[1] if state.name is not None else None,
        "contact_person": contact_person_out(choice, people),
        "contact_persons_30d": len({c.human for c in window}),
        "contacts_30d": len(window),
        "contacts_total": len(past) + state.pruned_contacts,
        "last_contact_at": rfc3339(past[-1].at) if past else None,
        "recent_contacts": [
            recent_contact_out(c, people) for c in reversed(past[-RECENT_CONTACTS:])
        ],
        "open_inquiries": open_inquiries(state, t, config),
        "active_follow_ups": sum(1 for f in state.follow_ups.values() if f.active_at(t)),
        "unit": unit_of(state, choice),
        "updated_at": rfc3339(state.updated_at),
    }
