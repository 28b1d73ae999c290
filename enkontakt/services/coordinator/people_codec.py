"""Person records as JSON-able values, for the people topic that keeps every
worker's people directory complete.

Each worker holds the employers of its own partitions, but the same human may be
reported at any employer: the person records of every accepted event (and every
absence, which names no employer) are shared on one topic that every worker
reads in full. Applying a record twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from enkontakt.services.coordinator.facts import ActorRef, Stamp
from enkontakt.services.coordinator.people import Mention


def encode_mention(mention: Mention) -> dict[str, Any]:
    """A person record as a JSON-able dict."""
    actor = mention.actor
    return {
        "kind": "mention",
        "idents": list(mention.idents),
        "stamp": list(mention.stamp),
        "actor": [actor.type, actor.id, actor.name],
        "name": mention.name,
        "email": mention.email,
        "phone": mention.phone,
    }


def decode_mention(value: dict[str, Any]) -> Mention:
    """The person record encoded by ``encode_mention``."""
    actor = value["actor"]
    return Mention(
        idents=tuple(value["idents"]),
        stamp=Stamp(*value["stamp"]),
        actor=ActorRef(actor[0], actor[1], actor[2]),
        name=value["name"],
        email=value["email"],
        phone=value["phone"],
    )
