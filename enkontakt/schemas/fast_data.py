"""A fast path for the ``data`` models: the common, valid case without running
pydantic's validation of the whole event.

``build_data(event_type, value)`` returns the same model instance that
``EVENT_TYPES[event_type].model_validate(value)`` would (equal fields in the
same order, the same fields set), or None when it cannot vouch for the value.
Actors and persons recur in almost every event and have the costly checks
(e-mail, phone): each distinct one is validated by its own pydantic model once
and the instance is shared. The rest is checked here by hand, written
out from ``event_data.py``, which stays the contract's single source: None
means "ask pydantic", which then accepts or gives the exact error. So this
module may be stricter than the models, never more lenient; a test holds it to
that on every shipped example and on variations of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from enkontakt.schemas.event_data import (
    ContactPersonAbsent,
    ContactPersonAssigned,
    ContactRegistered,
    FollowUpEnded,
    FollowUpStarted,
    InquiryAnswered,
    InquiryReceived,
)
from enkontakt.schemas.objects import Actor, Candidate, Deputy, Employer, Person

__all__ = ["build_data"]

M = TypeVar("M", bound=BaseModel)
Fields = dict[str, Any]

_CHANNELS = frozenset({"phone", "video", "meeting", "visit", "email", "sms"})
_DIRECTIONS = frozenset({"outbound", "inbound"})
_PURPOSES = frozenset({"follow_up", "placement", "paperwork", "agreement", "recruitment", "other"})
_TOPICS = frozenset({"candidate_problem", "end_placement", "paperwork", "information", "other"})
_URGENCIES = frozenset({"normal", "urgent"})
_END_REASONS = frozenset({"completed", "hired", "ended_by_employer", "ended_by_candidate", "other"})
_MEASURE = re.compile(r"[A-Z][A-Z0-9_]{2,15}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_DEPUTY_KEYS = frozenset({"actor", "person"})
_CACHE_SIZE = 65_536

_new = object.__new__
_set = object.__setattr__


class _Invalid(Exception):
    """The value is not certainly valid: pydantic decides."""


_INVALID = _Invalid()


def _model(cls: type[M], fields: Fields, given: set[str]) -> M:
    """An instance of ``cls`` holding ``fields``, as pydantic's validation leaves it."""
    instance = _new(cls)
    _set(instance, "__dict__", fields)
    _set(instance, "__pydantic_fields_set__", given)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


def _text(value: object, longest: int) -> str:
    if type(value) is not str or not 0 < len(value) <= longest:
        raise _INVALID
    return value


def _optional_text(value: object, longest: int) -> str | None:
    if value is None:
        return None
    return _text(value, longest)


def _choice(value: object, allowed: frozenset[str]) -> str:
    if type(value) is not str or value not in allowed:
        raise _INVALID
    return value


def _object(value: object, keys: frozenset[str]) -> dict[str, Any]:
    if type(value) is not dict or not keys.issuperset(value):
        raise _INVALID
    return value


def _calendar_date(value: object) -> date:
    if type(value) is not str or len(value) != 10 or not _DATE.fullmatch(value):
        raise _INVALID
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _INVALID from None


class _Shared:
    """Validated instances of one shared object model (actor, person) by their
    JSON fields: the same few thousand objects recur
    in almost every event. Only values the model accepted are kept, so every key
    holds only strings and None, and an equal key is an equal input."""

    __slots__ = ("cache", "model")

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model
        self.cache: dict[tuple[tuple[str, Any], ...], BaseModel] = {}

    def __call__(self, value: object) -> Any:
        if type(value) is not dict:
            raise _INVALID
        key = tuple(value.items())
        try:
            found = self.cache.get(key)
        except TypeError:  # a list or an object inside: never valid here
            raise _INVALID from None
        if found is None:
            try:
                found = self.model.model_validate(value)
            except ValidationError:
                raise _INVALID from None
            if len(self.cache) >= _CACHE_SIZE:
                self.cache.clear()
            self.cache[key] = found
        return found


_actor = _Shared(Actor)
_person = _Shared(Person)
_EMPLOYER_KEYS = frozenset({"orgnr", "name"})
_CANDIDATE_KEYS = frozenset({"ref"})
_CANDIDATE_REF = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _employer(value: object) -> Employer:
    raw = _object(value, _EMPLOYER_KEYS)
    orgnr = raw.get("orgnr")
    if type(orgnr) is not str:
        raise _INVALID
    fields = {"orgnr": orgnr, "name": _optional_text(raw.get("name"), 200)}
    return _model(Employer, fields, set(raw))


def _candidate(value: object) -> Candidate:
    raw = _object(value, _CANDIDATE_KEYS)
    ref = raw.get("ref")
    if type(ref) is not str or not _CANDIDATE_REF.fullmatch(ref):
        raise _INVALID
    return _model(Candidate, {"ref": ref}, set(raw))


def _deputy(value: object) -> Deputy:
    raw = _object(value, _DEPUTY_KEYS)
    fields = {"actor": _actor(raw.get("actor")), "person": _person(raw.get("person"))}
    return _model(Deputy, fields, set(raw))


def _measure(value: object) -> str:
    if type(value) is not str or not _MEASURE.fullmatch(value):
        raise _INVALID
    return value


def _optional(build: Callable[[object], Any], value: object) -> Any:
    return None if value is None else build(value)


_REGISTERED_KEYS = frozenset(ContactRegistered.model_fields)
_RECEIVED_KEYS = frozenset(InquiryReceived.model_fields)
_ANSWERED_KEYS = frozenset(InquiryAnswered.model_fields)
_ASSIGNED_KEYS = frozenset(ContactPersonAssigned.model_fields)
_ABSENT_KEYS = frozenset({"actor", "person", "from", "until"})
_STARTED_KEYS = frozenset(FollowUpStarted.model_fields)
_ENDED_KEYS = frozenset(FollowUpEnded.model_fields)


def _contact_registered(raw: dict[str, Any]) -> ContactRegistered:
    direction = raw.get("direction")
    purpose = raw.get("purpose")
    fields = {
        "employer": _employer(raw.get("employer")),
        "actor": _actor(raw.get("actor")),
        "person": _person(raw.get("person")),
        "channel": _choice(raw.get("channel"), _CHANNELS),
        "direction": "outbound" if direction is None else _choice(direction, _DIRECTIONS),
        "purpose": None if purpose is None else _choice(purpose, _PURPOSES),
        "candidate": _optional(_candidate, raw.get("candidate")),
        "measure": _optional(_measure, raw.get("measure")),
    }
    return _model(ContactRegistered, fields, set(raw))


def _inquiry_received(raw: dict[str, Any]) -> InquiryReceived:
    urgency = raw.get("urgency")
    actor = _optional(_actor, raw.get("actor"))
    person = _optional(_person, raw.get("person"))
    if person is not None and actor is None:
        raise _INVALID
    fields = {
        "employer": _employer(raw.get("employer")),
        "inquiry_id": _text(raw.get("inquiry_id"), 128),
        "topic": _choice(raw.get("topic"), _TOPICS),
        "urgency": "normal" if urgency is None else _choice(urgency, _URGENCIES),
        "channel": _choice(raw.get("channel"), _CHANNELS),
        "actor": actor,
        "person": person,
    }
    return _model(InquiryReceived, fields, set(raw))


def _inquiry_answered(raw: dict[str, Any]) -> InquiryAnswered:
    fields = {
        "employer": _employer(raw.get("employer")),
        "inquiry_id": _text(raw.get("inquiry_id"), 128),
        "actor": _actor(raw.get("actor")),
        "person": _person(raw.get("person")),
    }
    return _model(InquiryAnswered, fields, set(raw))


def _contact_person_assigned(raw: dict[str, Any]) -> ContactPersonAssigned:
    fields = {
        "employer": _employer(raw.get("employer")),
        "actor": _actor(raw.get("actor")),
        "person": _person(raw.get("person")),
        "deputy": _optional(_deputy, raw.get("deputy")),
        "valid_until": _optional(_calendar_date, raw.get("valid_until")),
    }
    return _model(ContactPersonAssigned, fields, set(raw))


def _contact_person_absent(raw: dict[str, Any]) -> ContactPersonAbsent:
    start = _calendar_date(raw.get("from"))
    until = _calendar_date(raw.get("until"))
    if start > until:
        raise _INVALID
    fields = {
        "actor": _actor(raw.get("actor")),
        "person": _person(raw.get("person")),
        "from_": start,
        "until": until,
    }
    given = {"from_" if key == "from" else key for key in raw}
    return _model(ContactPersonAbsent, fields, given)


def _follow_up_started(raw: dict[str, Any]) -> FollowUpStarted:
    fields = {
        "employer": _employer(raw.get("employer")),
        "candidate": _candidate(raw.get("candidate")),
        "measure": _measure(raw.get("measure")),
        "actor": _actor(raw.get("actor")),
        "person": _person(raw.get("person")),
    }
    return _model(FollowUpStarted, fields, set(raw))


def _follow_up_ended(raw: dict[str, Any]) -> FollowUpEnded:
    fields = {
        "employer": _employer(raw.get("employer")),
        "candidate": _candidate(raw.get("candidate")),
        "reason": _choice(raw.get("reason"), _END_REASONS),
    }
    return _model(FollowUpEnded, fields, set(raw))


_BUILDERS: dict[str, tuple[frozenset[str], Callable[[dict[str, Any]], BaseModel]]] = {
    "enkontakt.contact.registered.v1": (_REGISTERED_KEYS, _contact_registered),
    "enkontakt.inquiry.received.v1": (_RECEIVED_KEYS, _inquiry_received),
    "enkontakt.inquiry.answered.v1": (_ANSWERED_KEYS, _inquiry_answered),
    "enkontakt.contact-person.assigned.v1": (_ASSIGNED_KEYS, _contact_person_assigned),
    "enkontakt.contact-person.absent.v1": (_ABSENT_KEYS, _contact_person_absent),
    "enkontakt.follow-up.started.v1": (_STARTED_KEYS, _follow_up_started),
    "enkontakt.follow-up.ended.v1": (_ENDED_KEYS, _follow_up_ended),
}


def build_data(event_type: str, value: object) -> BaseModel | None:
    """The validated ``data`` model of ``value`` for ``event_type``, or None when the
    fast checks cannot vouch for it (then the pydantic model decides)."""
    found = _BUILDERS.get(event_type)
    if found is None or type(value) is not dict:
        return None
    keys, build = found
    if not keys.issuperset(value):
        return None
    try:
        return build(value)
    except _Invalid:
        return None
