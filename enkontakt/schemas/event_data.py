"""The ``data`` of each of the seven input event types (CONTRACT §1).

``null`` in an optional field means the field is absent: optional fields with a
default (``direction``, ``urgency``) take their default when sent as ``null``.
"""

from __future__ import annotations

from typing import Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from enkontakt.schemas.base import CalendarDate, ContractModel, accepts_null
from enkontakt.schemas.objects import (
    Actor,
    Candidate,
    Channel,
    Deputy,
    Direction,
    Employer,
    EndReason,
    Identifier,
    Measure,
    Person,
    Purpose,
    Topic,
    Urgency,
)

_EMPLOYER = "The employer."
_ACTOR = "The organisation of the person."
_INQUIRY_ID = "The inquiry's id, unique at the employer."


class ContactRegistered(ContractModel):
    """One system's report of a contact between a person and an employer."""

    employer: Employer = Field(description=_EMPLOYER)
    actor: Actor = Field(description=_ACTOR)
    person: Person = Field(description="The person who had the contact.")
    channel: Channel = Field(description="How the contact took place.")
    direction: Direction = Field(
        "outbound",
        description="Who took the contact: outbound = the actor, inbound = the employer.",
        json_schema_extra=accepts_null,
    )
    purpose: Purpose | None = Field(None, description="What the contact was about.")
    candidate: Candidate | None = Field(None, description="The candidate concerned, if any.")
    measure: Measure | None = Field(None, description="The measure concerned, if any.")

    @field_validator("direction", mode="before")
    @classmethod
    def _null_is_outbound(cls, value: object) -> object:
        return "outbound" if value is None else value


class InquiryReceived(ContractModel):
    """An employer asked for something; the answer is due within the response deadline."""

    model_config = ConfigDict(json_schema_extra={"dependentRequired": {"person": ["actor"]}})

    employer: Employer = Field(description=_EMPLOYER)
    inquiry_id: Identifier = Field(description=_INQUIRY_ID)
    topic: Topic = Field(description="What the inquiry is about.")
    urgency: Urgency = Field(
        "normal", description="urgent shortens the deadline.", json_schema_extra=accepts_null
    )
    channel: Channel = Field(description="How the inquiry came in.")
    actor: Actor | None = Field(None, description="The addressee's organisation, if known.")
    person: Person | None = Field(None, description="The addressee, if known; needs actor.")

    @field_validator("urgency", mode="before")
    @classmethod
    def _null_is_normal(cls, value: object) -> object:
        return "normal" if value is None else value

    @model_validator(mode="after")
    def _person_has_actor(self) -> Self:
        if self.person is not None and self.actor is None:
            raise ValueError("a person needs its actor beside it")
        return self


class InquiryAnswered(ContractModel):
    """The inquiry with the same inquiry_id at the same employer was answered."""

    employer: Employer = Field(description=_EMPLOYER)
    inquiry_id: Identifier = Field(description=_INQUIRY_ID)
    actor: Actor = Field(description=_ACTOR)
    person: Person = Field(description="The person who answered.")


class ContactPersonAssigned(ContractModel):
    """A person was made the employer's contact person."""

    employer: Employer = Field(description=_EMPLOYER)
    actor: Actor = Field(description=_ACTOR)
    person: Person = Field(description="The assigned contact person.")
    deputy: Deputy | None = Field(None, description="Stands in while the person is absent.")
    valid_until: CalendarDate | None = Field(
        None, description="Last day (Europe/Oslo) on which the assignment holds."
    )


class ContactPersonAbsent(ContractModel):
    """A person is away; this applies wherever that person is the contact person."""

    # The first day is "from" in JSON; in Python the field is from_, filled through
    # its alias only, e.g. ContactPersonAbsent.model_validate({"from": ...}).
    model_config = ConfigDict(serialize_by_alias=True)

    actor: Actor = Field(description=_ACTOR)
    person: Person = Field(description="The absent person.")
    from_: CalendarDate = Field(alias="from", description="First day away (Europe/Oslo).")
    until: CalendarDate = Field(description="Last day away, inclusive (Europe/Oslo).")

    @model_validator(mode="after")
    def _from_not_after_until(self) -> Self:
        if self.from_ > self.until:
            raise ValueError("from is after until")
        return self


class FollowUpStarted(ContractModel):
    """A candidate's follow-up at an employer started under a measure."""

    employer: Employer = Field(description=_EMPLOYER)
    candidate: Candidate = Field(description="The candidate followed up.")
    measure: Measure = Field(description="The measure under which the follow-up runs.")
    actor: Actor = Field(description=_ACTOR)
    person: Person = Field(description="The person responsible for following up the employer.")


class FollowUpEnded(ContractModel):
    """The follow-up identified by (employer orgnr, candidate ref) ended."""

    employer: Employer = Field(description=_EMPLOYER)
    candidate: Candidate = Field(description="The candidate whose follow-up ended.")
    reason: EndReason = Field(description="Why the follow-up ended.")
