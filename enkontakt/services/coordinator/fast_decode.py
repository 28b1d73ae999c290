"""The decoder's fast path: an ordinary event accepted in one pydantic-core call.

``accept`` validates the raw JSON bytes against strict envelope schemas (one per
event type, unknown attributes forbidden, ``data`` by the contract's own data
models) without building Python dicts first, then runs the checks that remain:
the identity-number pre-scan, organisation-number check digits and the
subject. It returns the event only when every check passes and None otherwise,
without saying why: ``validation.decode`` then falls back to the full decoder,
which alone produces rejections. The fast path therefore accepts a subset of what
the full decoder accepts — never an extension attribute, a ``null`` envelope
attribute, a ``datacontenttype`` other than ``application/json``, a time ending
in a lower-case ``z``, text that may hold an identity number, or a name written
twice in one object (pydantic-core keeps the last value and never looks at the
first, which may even be ``NaN`` or a number too large for a float, both of
which the full decoder refuses as JSON) — and builds the
same ``ContactEvent`` the full decoder would: the same classes, field values,
``time`` (``datetime.fromisoformat`` of the same text), set fields and field
order.

The organisation-number and subject rules are defined here once and used by
both decoders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import CoreSchema, SchemaValidator
from pydantic_core import core_schema as cs

from enkontakt.schemas.base import EVENT_TIME_PATTERN
from enkontakt.schemas.events import (
    EVENT_ENVELOPES,
    EVENT_TYPES,
    MAX_EVENT_BYTES,
    SOURCE_PATTERN,
    ContactEvent,
    Deputy,
)
from enkontakt.schemas.identity_numbers import digit_shape, may_hold_identity_number
from enkontakt.schemas.normalise import is_valid_orgnr

__all__ = ["accept", "invalid_orgnr_at", "subject_mismatch"]

_OPTIONAL = ("datacontenttype", "subject")
# RFC 3339 in the years the full decoder accepts, but without the lower-case "z" that it
# rewrites before parsing: what matches here is parsed from the very same text.
_TIME_PATTERN = EVENT_TIME_PATTERN.replace("[Zz]", "Z")
_VALID_ORGNRS: set[str] = set()
_VALID_ORGNRS_LIMIT = 65_536


def accept(raw: bytes | str) -> ContactEvent | None:
    """The event in ``raw`` if the fast path accepts it, else None (nothing is said why)."""
    try:
        event: ContactEvent = _validate(raw)
    except Exception:  # any failure, including unexpected ones, leaves it to the full decoder
        return None
    text = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(text) > MAX_EVENT_BYTES:
        return None
    shape = digit_shape(text)
    if may_hold_identity_number(text, shape) or shape.count(b'":') != _members(event):
        return None
    fields = event.__dict__
    data = fields["data"]
    if invalid_orgnr_at(data) is not None:
        return None
    subject = fields["subject"]
    if subject is not None:
        if subject_mismatch(subject, data) is not None:
            return None
        if fields["datacontenttype"] is None:
            # The full decoder adds a missing datacontenttype after the subject.
            fields["datacontenttype"] = fields.pop("datacontenttype")
    return event


def invalid_orgnr_at(data: BaseModel) -> str | None:
    """The path of the first organisation number in ``data`` without a valid check digit.

    The employer's orgnr, and the id of a measure provider as actor or as deputy.
    """
    fields = data.__dict__
    employer = fields.get("employer")
    if employer is not None and not _valid_orgnr(employer.orgnr):
        return "data.employer.orgnr"
    actor = fields.get("actor")
    if actor is not None and actor.type == "measure_provider" and not _valid_orgnr(actor.id):
        return "data.actor.id"
    deputy = fields.get("deputy")
    if deputy is not None:
        actor = deputy.actor
        if actor.type == "measure_provider" and not _valid_orgnr(actor.id):
            return "data.deputy.actor.id"
    return None


def subject_mismatch(subject: str, data: BaseModel) -> str | None:
    """Why ``subject`` does not fit ``data`` (a rejection detail), or None when it does."""
    employer = data.__dict__.get("employer")
    if employer is None:
        return "Attribute subject is set on an event without employer."
    if subject != employer.orgnr:
        return "Attribute subject differs from data.employer.orgnr."
    return None


def _members(event: ContactEvent) -> int:
    """How many members the objects of ``event`` hold, the envelope's and data's included.

    Every member name in the JSON text ends in ``":`` once whitespace is removed,
    so the text has at least as many ``":`` as members, and has more whenever a
    name was written twice in one object (the event has it once). More ``":``
    inside strings only make ``accept`` hand the event over.
    """
    data = event.__dict__["data"]
    count = len(event.__pydantic_fields_set__) + len(data.__pydantic_fields_set__)
    fields = data.__dict__
    for name in _OBJECT_FIELDS[type(data)]:
        value = fields[name]
        if value is not None:
            count += len(value.__pydantic_fields_set__)
            if isinstance(value, Deputy):
                count += len(value.actor.__pydantic_fields_set__)
                count += len(value.person.__pydantic_fields_set__)
    return count


def _object_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model`` that hold a model (optional ones included)."""
    return tuple(
        name
        for name, field in model.model_fields.items()
        if any(
            isinstance(kind, type) and issubclass(kind, BaseModel)
            for kind in (field.annotation, *get_args(field.annotation))
        )
    )


# Of the objects in data only Deputy holds objects (its actor and person), which
# _members counts by hand; a test holds this.
_OBJECT_FIELDS = {model: _object_fields(model) for model in EVENT_TYPES.values()}


def _valid_orgnr(text: str) -> bool:
    if text in _VALID_ORGNRS:
        return True
    if not is_valid_orgnr(text):
        return False
    if len(_VALID_ORGNRS) >= _VALID_ORGNRS_LIMIT:
        _VALID_ORGNRS.clear()
    _VALID_ORGNRS.add(text)
    return True


def _envelope_schema(event_type: str, data_model: type[BaseModel]) -> CoreSchema:
    """The envelope of one event type, built as that type's ``ContactEvent`` subclass."""
    text = cs.str_schema(strict=True)
    attributes: dict[str, CoreSchema] = {
        "specversion": cs.literal_schema(["1.0"]),
        "id": cs.str_schema(min_length=1, strict=True),
        "source": cs.str_schema(min_length=1, pattern=SOURCE_PATTERN, strict=True),
        "type": cs.literal_schema([event_type]),
        "time": cs.chain_schema(
            [
                cs.str_schema(pattern=_TIME_PATTERN, strict=True),
                cs.no_info_plain_validator_function(datetime.fromisoformat),
            ]
        ),
        # The data model's own schema: pydantic-core uses the model's validator.
        "data": data_model.__pydantic_core_schema__,
        "datacontenttype": cs.literal_schema(["application/json"]),
        "subject": text,
    }
    fields = {
        name: cs.model_field(
            cs.with_default_schema(schema, default=None) if name in _OPTIONAL else schema
        )
        for name, schema in attributes.items()
    }
    return cs.model_schema(
        EVENT_ENVELOPES[event_type],
        cs.model_fields_schema(fields, extra_behavior="forbid"),
    )


@contextmanager
def _compiled_afresh(classes: list[type[BaseModel]]) -> Iterator[None]:
    """While building a validator, have pydantic-core compile the schemas given for
    ``classes`` instead of reusing the classes' own validators.

    pydantic-core reuses the validator of a model class that is complete wherever
    a schema names the class; pydantic itself builds a class's validator while the
    class is not yet marked complete. The mark is restored before returning.
    """
    marks = [cls.__pydantic_complete__ for cls in classes]
    for cls in classes:
        cls.__pydantic_complete__ = False
    try:
        yield
    finally:
        for cls, mark in zip(classes, marks, strict=True):
            cls.__pydantic_complete__ = mark


def _build_validator() -> Callable[[bytes | str], Any]:
    schema = cs.tagged_union_schema(
        {name: _envelope_schema(name, model) for name, model in EVENT_TYPES.items()},
        discriminator="type",
    )
    # Only names are cached: values are mostly distinct (ids, times), and a cache
    # of every string costs more in a long replay than it saves.
    config = cs.CoreConfig(cache_strings="keys")
    with _compiled_afresh(list(EVENT_ENVELOPES.values())):
        validator = SchemaValidator(schema, config)
    return validator.validate_json


_validate = _build_validator()
