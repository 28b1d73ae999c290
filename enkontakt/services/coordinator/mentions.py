"""An event's person records: who it names, as the people directory takes them."""

from __future__ import annotations

from typing import Any

from enkontakt.schemas.events import ContactEvent
from enkontakt.services.coordinator.facts import (
    ActorRef,
    Stamp,
    actor_ref,
    person_identifiers,
    to_us,
)
from enkontakt.services.coordinator.people import Mention


def actor_of(actor: Any) -> ActorRef:
    """The (shared) actor value of an event's ``actor`` object."""
    return actor_ref(actor.type, actor.id, actor.name)


def mention_of(stamp: Stamp, actor: Any, person: Any) -> Mention:
    """The person record of an event's ``actor`` and ``person`` objects."""
    ref = actor_of(actor)
    idents = person_identifiers(actor.id, person.id, person.email, person.phone)
    return Mention(idents, stamp, ref, person.name, person.email, person.phone)


def mentions_in(event: ContactEvent) -> list[Mention]:
    """Every person record an event carries (for the people directories of other
    workers)."""
    stamp = Stamp(to_us(event.time), event.source, event.id)
    # The model's fields (pydantic keeps them in ``__dict__``): ``getattr`` with a
    # default would raise and catch an AttributeError for every field a type lacks.
    fields = event.data.__dict__
    found = []
    actor = fields.get("actor")
    person = fields.get("person")
    if actor is not None and person is not None:
        found.append(mention_of(stamp, actor, person))
    deputy = fields.get("deputy")
    if deputy is not None:
        found.append(mention_of(stamp, deputy.actor, deputy.person))
    return found
