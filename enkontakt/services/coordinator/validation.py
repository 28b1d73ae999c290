"""Decoding input events: raw bytes in, a typed ``ContactEvent`` or a ``Rejection`` out.

The checks run in the order of CONTRACT §6, so that when several problems apply
the first code in that order is the one reported: malformed-json, not-cloudevent,
unknown-type, personal-identifier, invalid-data, invalid-orgnr, subject-mismatch.
A rejection's detail is one sentence naming at most a field path, never a value
from the payload. The decoder never raises on bad input.

``decode`` first tries the fast path (``fast_decode.accept``), which validates
the raw bytes in one call and accepts only what this decoder accepts, as the
same event; anything it does not accept is decoded here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from enkontakt.schemas.base import FIRST_YEAR, LAST_YEAR, in_years, parse_rfc3339
from enkontakt.schemas.events import (
    DATACONTENTTYPE_PATTERN,
    EVENT_ENVELOPES,
    EVENT_TYPES,
    EXTENSION_NAME_PATTERN,
    MAX_EVENT_BYTES,
    SOURCE_PATTERN,
    ContactEvent,
)
from enkontakt.schemas.identity_numbers import (
    Path,
    find_identity_number,
    may_hold_identity_number,
)
from enkontakt.schemas.rejection import RejectionCode
from enkontakt.services.coordinator.fast_decode import accept, invalid_orgnr_at, subject_mismatch
from enkontakt.services.coordinator.repeated_names import has_repeated_name

__all__ = [
    "Rejection",
    "RejectionCode",
    "decode",
    "decode_binary",
    "decode_full",
    "decode_object",
]

_OPTIONAL = ("datacontenttype", "subject")
_REQUIRED_STRINGS = ("id", "source", "type")
_ATTRIBUTES = frozenset({"specversion", "id", "source", "type", "time", *_OPTIONAL, "data"})
_EXTENSION_NAME = re.compile(EXTENSION_NAME_PATTERN)
_DATACONTENTTYPE = re.compile(DATACONTENTTYPE_PATTERN)
_SOURCE = re.compile(SOURCE_PATTERN)
_SHOWN_NAME = re.compile(r"[A-Za-z_]{1,40}")
_REPEATED_NAME = "A name appears more than once in one JSON object."
_PYDANTIC_MESSAGES_WITHOUT_INPUT = frozenset(
    {
        "literal_error",
        "string_type",
        "string_too_short",
        "string_too_long",
        "string_pattern_mismatch",
        "model_type",
        "model_attributes_type",
    }
)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why an event was not accepted: a code and one sentence without payload values."""

    code: RejectionCode
    detail: str


class _Rejected(Exception):
    def __init__(self, code: RejectionCode, detail: str) -> None:
        super().__init__(detail)
        self.rejection = Rejection(code, detail)


def decode(raw: bytes | str | None) -> ContactEvent | Rejection:
    """Decode one event in CloudEvents JSON structured mode (None: a message without value)."""
    if raw is None:
        return Rejection(RejectionCode.MALFORMED_JSON, "The message has no value.")
    event = accept(raw)
    if event is not None:
        return event
    return decode_full(raw)


def decode_full(raw: bytes | str) -> ContactEvent | Rejection:
    """Decode one event without the fast path: JSON parsed first, then every check.

    ``decode`` returns the same; this is the decoder that the fast path is held to.
    """
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return Rejection(RejectionCode.MALFORMED_JSON, "The value is not valid UTF-8 JSON.")
    if has_repeated_name(raw):
        return Rejection(RejectionCode.MALFORMED_JSON, _REPEATED_NAME)
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    return _decode(parsed, scan=may_hold_identity_number(raw), size=size)


def decode_object(obj: object) -> ContactEvent | Rejection:
    """Decode one event already parsed from JSON (dicts, lists, strings, numbers);
    its size is that of its compact JSON."""
    try:
        size = len(orjson.dumps(obj))
    except TypeError:
        size = 0  # not JSON's values (a deeply nested one): the checks say why
    return _decode(obj, scan=True, size=size)


def decode_binary(
    headers: Sequence[tuple[str, bytes | None]], value: bytes | None
) -> ContactEvent | Rejection:
    """Decode a Kafka message in CloudEvents binary mode: ``ce_*`` headers, JSON data.

    Without a ``ce_specversion`` header the message is taken to be in structured
    mode, so this function decodes any message from the input topic.
    """
    if not any(name.lower() == "ce_specversion" for name, _ in headers):
        return decode(value)
    data: dict[str, object] = {}
    if value:  # without a value (None or empty) the event has no data: not-cloudevent
        try:
            data["data"] = orjson.loads(value)
        except orjson.JSONDecodeError:
            return Rejection(RejectionCode.MALFORMED_JSON, "The data is not valid UTF-8 JSON.")
        if has_repeated_name(value):
            return Rejection(RejectionCode.MALFORMED_JSON, _REPEATED_NAME)
    try:
        attributes = _header_attributes(headers)
    except _Rejected as rejected:
        return rejected.rejection
    size = len(value or b"") + sum(len(v) for _, v in headers if v is not None)
    return _decode({**attributes, **data}, scan=True, size=size)


def _header_attributes(headers: Sequence[tuple[str, bytes | None]]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for name, raw in headers:
        lowered = name.lower()
        if lowered == "content-type":
            attribute = "datacontenttype"
        elif lowered.startswith("ce_"):
            attribute = lowered[3:]
        else:
            continue
        if attribute == "data" or attribute in attributes:
            raise _not_cloudevent("A CloudEvents header is repeated or names the data.")
        if raw is None:
            continue
        try:
            attributes[attribute] = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _not_cloudevent("A CloudEvents header value is not UTF-8.") from None
    return attributes


def _decode(obj: object, *, scan: bool, size: int = 0) -> ContactEvent | Rejection:
    try:
        if size > MAX_EVENT_BYTES:
            raise _not_cloudevent(
                f"The event is larger than {MAX_EVENT_BYTES} bytes, "
                "the most CloudEvents asks every intermediary to forward."
            )
        event = _check_envelope(obj)
        data_model = _data_model(event["type"])
        if scan:
            _check_no_identity_number(obj)
        event["data"] = data = _validate_data(data_model, event["data"])
        _check_orgnrs(data)
        _check_subject(event.get("subject"), data)
    except _Rejected as rejected:
        return rejected.rejection
    return EVENT_ENVELOPES[event["type"]].from_checked(event)


def _not_cloudevent(detail: str) -> _Rejected:
    return _Rejected(RejectionCode.NOT_CLOUDEVENT, detail)


def _check_envelope(obj: object) -> dict[str, Any]:
    """The envelope's attributes and data, with ``time`` parsed and without extensions."""
    if not isinstance(obj, dict):
        raise _not_cloudevent("The value is not a JSON object.")
    get = obj.get
    if get("specversion") != "1.0":
        raise _not_cloudevent('Attribute specversion is missing or not "1.0".')
    envelope: dict[str, Any] = {"specversion": "1.0"}
    for name in _REQUIRED_STRINGS:
        value = get(name)
        if not isinstance(value, str) or not value:
            raise _not_cloudevent(f"Attribute {name} is missing, empty or not a string.")
        envelope[name] = value
    if _SOURCE.fullmatch(envelope["source"]) is None:
        raise _not_cloudevent("Attribute source is not a URI-reference.")
    envelope["time"] = _event_time(get("time"))
    _check_optional_attributes(obj)
    if not isinstance(data := obj.get("data"), dict):
        raise _not_cloudevent("Attribute data is missing or not a JSON object.")
    envelope["data"] = data
    for name in _OPTIONAL:
        if (value := obj.get(name)) is not None:
            envelope[name] = value
    return envelope


def _event_time(value: object) -> datetime:
    time = parse_rfc3339(value) if isinstance(value, str) else None
    if time is None:
        raise _not_cloudevent("Attribute time is missing or not RFC 3339 with an offset.")
    if not in_years(time):
        raise _not_cloudevent(f"Attribute time must lie in the years {FIRST_YEAR} to {LAST_YEAR}.")
    return time


def _check_optional_attributes(obj: Mapping[str, object]) -> None:
    content_type = obj.get("datacontenttype")
    if content_type is not None and not (
        content_type == "application/json"
        or (isinstance(content_type, str) and _DATACONTENTTYPE.fullmatch(content_type))
    ):
        raise _not_cloudevent("Attribute datacontenttype is not application/json.")
    subject = obj.get("subject")
    if subject is not None and not isinstance(subject, str):
        raise _not_cloudevent("Attribute subject is not a string.")
    if _ATTRIBUTES.issuperset(obj):
        return
    for name in obj.keys() - _ATTRIBUTES:
        if not (isinstance(name, str) and _EXTENSION_NAME.fullmatch(name)):
            raise _not_cloudevent("An attribute name is not lower-case alphanumeric.")


def _data_model(event_type: str) -> type[BaseModel]:
    model = EVENT_TYPES.get(event_type)
    if model is None:
        raise _Rejected(RejectionCode.UNKNOWN_TYPE, "Attribute type names no known event type.")
    return model


def _check_no_identity_number(obj: object) -> None:
    path = find_identity_number(obj)
    if path is not None:
        raise _Rejected(
            RejectionCode.PERSONAL_IDENTIFIER,
            f"The string at {_render(path)} holds a national identity number.",
        )


def _validate_data(model: type[BaseModel], data: object) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        detail = _describe(errors[0])
        if len(errors) > 1:
            detail = f"{detail} (and {len(errors) - 1} more)"
        raise _Rejected(RejectionCode.INVALID_DATA, f"{detail}.") from None


def _describe(error: ErrorDetails) -> str:
    where = _render(("data", *error["loc"]))
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"Unknown field {where}"
    if kind == "missing":
        return f"Missing field {where}"
    if kind == "value_error":
        return f"Invalid {where}: {error.get('ctx', {}).get('error')}"
    if kind in _PYDANTIC_MESSAGES_WITHOUT_INPUT:
        return f"Invalid {where}: {error['msg']}"
    return f"Invalid {where} ({kind})"


def _check_orgnrs(data: BaseModel) -> None:
    where = invalid_orgnr_at(data)
    if where is not None:
        raise _Rejected(
            RejectionCode.INVALID_ORGNR,
            f"The organisation number at {where} is not 9 digits with a valid check digit.",
        )


def _check_subject(subject: str | None, data: BaseModel) -> None:
    if subject is None:
        return
    detail = subject_mismatch(subject, data)
    if detail is not None:
        raise _Rejected(RejectionCode.SUBJECT_MISMATCH, detail)


def _render(path: Path) -> str:
    """A field path for a detail; names that could carry payload text are masked."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            shown = part if _SHOWN_NAME.fullmatch(part) else "<field>"
            text += f".{shown}" if text else shown
    return text or "the event"
