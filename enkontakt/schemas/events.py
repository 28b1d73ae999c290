"""The input events: a CloudEvents 1.0 envelope around one of seven typed ``data``.

``ContactEvent`` is the envelope; each event type has its subclass fixing ``type``
and ``data`` (``ContactRegisteredEvent`` and so on), from which the JSON Schema of
that type is generated. ``EVENT_TYPES`` maps each type string to its data model.
CloudEvents extension attributes (lower-case alphanumeric names) are accepted
and ignored.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from enkontakt.schemas.base import ContractModel, EventTime
from enkontakt.schemas.event_data import (
    ContactPersonAbsent,
    ContactPersonAssigned,
    ContactRegistered,
    FollowUpEnded,
    FollowUpStarted,
    InquiryAnswered,
    InquiryReceived,
)
from enkontakt.schemas.objects import Actor, Candidate, Deputy, Employer, Measure, Person

__all__ = [
    "EVENT_ENVELOPES",
    "EVENT_TYPES",
    "Actor",
    "Candidate",
    "ContactEvent",
    "ContactPersonAbsent",
    "ContactPersonAbsentEvent",
    "ContactPersonAssigned",
    "ContactPersonAssignedEvent",
    "ContactRegistered",
    "ContactRegisteredEvent",
    "Deputy",
    "Employer",
    "EventData",
    "EventType",
    "FollowUpEnded",
    "FollowUpEndedEvent",
    "FollowUpStarted",
    "FollowUpStartedEvent",
    "InquiryAnswered",
    "InquiryAnsweredEvent",
    "InquiryReceived",
    "InquiryReceivedEvent",
    "Measure",
    "Person",
]

MAX_EVENT_BYTES = 65_536
"""The largest event taken: what CloudEvents asks every intermediary to forward
(an event here is about a kilobyte)."""
EXTENSION_NAME_PATTERN = r"^[a-z0-9]+$"
DATACONTENTTYPE_PATTERN = r"^application/json(\s*;.*)?$"
# A URI-reference (RFC 3986): only its characters, and % only as an escape. Any
# such text parses as a URI or a relative reference, save rare misplaced
# brackets ("[" and "]" are for an IP-literal host).
SOURCE_PATTERN = r"^([A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})+$"
_EXTENSION_NAME = re.compile(EXTENSION_NAME_PATTERN)

EventType = Literal[
    "enkontakt.contact.registered.v1",
    "enkontakt.inquiry.received.v1",
    "enkontakt.inquiry.answered.v1",
    "enkontakt.contact-person.assigned.v1",
    "enkontakt.contact-person.absent.v1",
    "enkontakt.follow-up.started.v1",
    "enkontakt.follow-up.ended.v1",
]
EventData = (
    ContactRegistered
    | InquiryReceived
    | InquiryAnswered
    | ContactPersonAssigned
    | ContactPersonAbsent
    | FollowUpStarted
    | FollowUpEnded
)

_DATA = "The event's data."
_set = object.__setattr__


class ContactEvent(ContractModel):
    """A CloudEvents 1.0 event in JSON structured mode; (source, id) identifies it."""

    model_config = ConfigDict(json_schema_extra={"patternProperties": {EXTENSION_NAME_PATTERN: {}}})

    specversion: Literal["1.0"] = Field(description="CloudEvents version, always 1.0.")
    id: str = Field(min_length=1, description="Event id, unique within its source.")
    source: str = Field(
        min_length=1,
        pattern=SOURCE_PATTERN,
        description="URI-reference naming the upstream system, e.g. urn:system:arena.",
    )
    type: EventType = Field(description="The event type, which fixes the shape of data.")
    time: EventTime = Field(
        description="When the thing happened (RFC 3339 with an offset), in the years 1970 to 2099."
    )
    datacontenttype: str | None = Field(
        None, pattern=DATACONTENTTYPE_PATTERN, description="Media type of data: application/json."
    )
    subject: str | None = Field(
        None, description="If present, the employer's orgnr: it must equal data.employer.orgnr."
    )
    data: EventData = Field(description=_DATA)

    @model_validator(mode="before")
    @classmethod
    def _ignore_extensions(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {
            name: item
            for name, item in value.items()
            if name in cls.model_fields
            or not (isinstance(name, str) and _EXTENSION_NAME.fullmatch(name))
        }

    @classmethod
    def from_checked(cls, fields: dict[str, Any]) -> Self:
        """Build an event from values that are already validated, without validating again.

        The decoder's fast path: what ``model_construct`` does, minus its per-field
        loop. ``fields`` holds every required field; the dict becomes the event's own.
        """
        event = cls.__new__(cls)
        fields_set = set(fields)
        fields.setdefault("datacontenttype", None)
        fields.setdefault("subject", None)
        _set(event, "__dict__", fields)
        _set(event, "__pydantic_fields_set__", fields_set)
        _set(event, "__pydantic_extra__", None)
        _set(event, "__pydantic_private__", None)
        return event

    @model_validator(mode="after")
    def _data_fits_type(self) -> Self:
        if not isinstance(self.data, EVENT_TYPES[self.type]):
            raise ValueError("data does not have the shape of the event type")
        return self


class ContactRegisteredEvent(ContactEvent):
    """An enkontakt.contact.registered.v1 event: a contact with an employer took place."""

    type: Literal["enkontakt.contact.registered.v1"] = Field(description="The event type.")
    data: ContactRegistered = Field(description=_DATA)


class InquiryReceivedEvent(ContactEvent):
    """An enkontakt.inquiry.received.v1 event: an employer's inquiry came in."""

    type: Literal["enkontakt.inquiry.received.v1"] = Field(description="The event type.")
    data: InquiryReceived = Field(description=_DATA)


class InquiryAnsweredEvent(ContactEvent):
    """An enkontakt.inquiry.answered.v1 event: an employer's inquiry was answered."""

    type: Literal["enkontakt.inquiry.answered.v1"] = Field(description="The event type.")
    data: InquiryAnswered = Field(description=_DATA)


class ContactPersonAssignedEvent(ContactEvent):
    """An enkontakt.contact-person.assigned.v1 event: a contact person was assigned."""

    type: Literal["enkontakt.contact-person.assigned.v1"] = Field(description="The event type.")
    data: ContactPersonAssigned = Field(description=_DATA)


class ContactPersonAbsentEvent(ContactEvent):
    """An enkontakt.contact-person.absent.v1 event: a person is away for some days."""

    type: Literal["enkontakt.contact-person.absent.v1"] = Field(description="The event type.")
    data: ContactPersonAbsent = Field(description=_DATA)


class FollowUpStartedEvent(ContactEvent):
    """An enkontakt.follow-up.started.v1 event: a candidate's follow-up started."""

    type: Literal["enkontakt.follow-up.started.v1"] = Field(description="The event type.")
    data: FollowUpStarted = Field(description=_DATA)


class FollowUpEndedEvent(ContactEvent):
    """An enkontakt.follow-up.ended.v1 event: a candidate's follow-up ended."""

    type: Literal["enkontakt.follow-up.ended.v1"] = Field(description="The event type.")
    data: FollowUpEnded = Field(description=_DATA)


EVENT_ENVELOPES: dict[str, type[ContactEvent]] = {
    "enkontakt.contact.registered.v1": ContactRegisteredEvent,
    "enkontakt.inquiry.received.v1": InquiryReceivedEvent,
    "enkontakt.inquiry.answered.v1": InquiryAnsweredEvent,
    "enkontakt.contact-person.assigned.v1": ContactPersonAssignedEvent,
    "enkontakt.contact-person.absent.v1": ContactPersonAbsentEvent,
    "enkontakt.follow-up.started.v1": FollowUpStartedEvent,
    "enkontakt.follow-up.ended.v1": FollowUpEndedEvent,
}
"""The envelope subclass of each event type."""

EVENT_TYPES: dict[str, type[BaseModel]] = {
    "enkontakt.contact.registered.v1": ContactRegistered,
    "enkontakt.inquiry.received.v1": InquiryReceived,
    "enkontakt.inquiry.answered.v1": InquiryAnswered,
    "enkontakt.contact-person.assigned.v1": ContactPersonAssigned,
    "enkontakt.contact-person.absent.v1": ContactPersonAbsent,
    "enkontakt.follow-up.started.v1": FollowUpStarted,
    "enkontakt.follow-up.ended.v1": FollowUpEnded,
}
"""The data model of each event type."""
