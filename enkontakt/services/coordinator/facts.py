"""Small values shared by the core: instants, stamps, actors and identifiers.

Every instant in the core is an integer number of microseconds since the Unix
epoch (UTC): cheap to compare, hash and subtract. Conversion to and from
``datetime`` happens only at the edges (decoding events, writing outputs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from sys import intern
from typing import NamedTuple
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

NAV_ACTOR_TYPES = frozenset({"nav_office", "job_specialist", "working_life_centre"})


def to_us(moment: datetime) -> int:
    """The instant of an aware datetime, in microseconds since the epoch."""
    elapsed = moment - EPOCH
    return (elapsed.days * 86_400 + elapsed.seconds) * SECOND + elapsed.microseconds


def from_us(us: int) -> datetime:
    """The instant ``us`` as an aware datetime in Europe/Oslo."""
    return (EPOCH + timedelta(microseconds=us)).astimezone(OSLO)


@lru_cache(maxsize=1 << 17)
def rfc3339(us: int | None) -> str | None:
    """An instant as RFC 3339 text with the Oslo offset, or None.

    Cached: a view writes the times of its recent contacts each time it is
    derived, and the same contacts are derived again and again."""
    if us is None:
        return None
    if us < 0:
        return from_us(us).isoformat()
    offset, suffix = _oslo_offset_of_hour(us // HOUR)
    return (_NAIVE_EPOCH + timedelta(microseconds=us + offset)).isoformat() + suffix


@lru_cache(maxsize=65_536)
def _oslo_offset_of_hour(hour: int) -> tuple[int, str]:
    """Oslo's UTC offset (µs, and as written) throughout UTC hour number ``hour``
    after the epoch: since 1970 it is whole hours and changes only on the hour."""
    local = from_us(hour * HOUR)
    offset = local.utcoffset()
    assert offset is not None
    return offset // timedelta(microseconds=1), local.isoformat()[-6:]


class Stamp(NamedTuple):
    """When a fact happened and which event said so; orders facts with ties broken
    by the larger (``source``, ``id``), as the contract's "latest report" rule asks."""

    at: int
    source: str
    event_id: str


@dataclass(frozen=True, slots=True)
class ActorRef:
    """An organisation that contacts employers, as named by one event."""

    type: str
    id: str
    name: str | None = None

    @property
    def is_nav(self) -> bool:
        """True for the three NAV actor types, whose id is a NAV unit number."""
        return self.type in NAV_ACTOR_TYPES

    def as_dict(self) -> dict[str, str | None]:
        """The actor as the contract's output object."""
        return {"type": self.type, "id": self.id, "name": self.name}


@lru_cache(maxsize=65_536)
def person_identifiers(
    actor_id: str, person_id: str | None, email: str | None, phone: str | None
) -> tuple[str, ...]:
    """The identifiers by which a person record names a human, written as the
    contract's ``person_key`` forms: ``id:ACTOR:ID``, ``email:ADDRESS``, ``phone:E164``.

    E-mail and phone are expected already normalised (trimmed lower-case, E.164).
    The same person is named in many events, so each answer is kept.
    """
    idents: list[str] = []
    if person_id is not None:
        idents.append(intern(f"id:{actor_id}:{person_id}"))
    if email is not None:
        idents.append(intern(f"email:{email}"))
    if phone is not None:
        idents.append(intern(f"phone:{phone}"))
    return tuple(idents)


@lru_cache(maxsize=65_536)
def actor_ref(type: str, id: str, name: str | None) -> ActorRef:
    """The (shared) actor value for these fields: every event names one, and
    millions of equal copies would cost memory for nothing."""
    return ActorRef(intern(type), intern(id), name)
