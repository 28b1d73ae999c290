"""The shared objects of the contract (CONTRACT §1): employer, actor, person, candidate.

An organisation number is only checked for its type here: a wrong one is
rejected as ``invalid-orgnr``, after the schema, by the decoder. The JSON Schema
still states the nine-digit form.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.config import JsonDict

from enkontakt.schemas.base import ORGNR_PATTERN, UNIT_PATTERN, ContractModel
from enkontakt.schemas.normalise import is_unit_number, normalise_email, normalise_phone

ActorType = Literal["nav_office", "measure_provider", "job_specialist", "working_life_centre"]
Channel = Literal["phone", "video", "meeting", "visit", "email", "sms"]
Direction = Literal["outbound", "inbound"]
Purpose = Literal["follow_up", "placement", "paperwork", "agreement", "recruitment", "other"]
Topic = Literal["candidate_problem", "end_placement", "paperwork", "information", "other"]
Urgency = Literal["normal", "urgent"]
EndReason = Literal["completed", "hired", "ended_by_employer", "ended_by_candidate", "other"]

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Measure = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{2,15}$"),
    Field(description="Measure code, e.g. the Arena codes ARBTREN, MIDLONTIL, IPSUNG."),
]

_ACTOR_ID_RULE: JsonDict = {
    "if": {"properties": {"type": {"const": "measure_provider"}}},
    "then": {"properties": {"id": {"pattern": ORGNR_PATTERN}}},
    "else": {"properties": {"id": {"pattern": UNIT_PATTERN}}},
}
_PERSON_IDENTIFIED: JsonDict = {
    "anyOf": [
        {"properties": {key: {"type": "string"}}, "required": [key]}
        for key in ("id", "email", "phone")
    ]
}


class Employer(ContractModel):
    """A virksomhet, identified by its organisasjonsnummer."""

    orgnr: str = Field(
        description="Organisation number: 9 digits with a valid mod-11 check digit.",
        json_schema_extra={"pattern": ORGNR_PATTERN},
    )
    name: Name | None = Field(None, description="The employer's name.")


class Actor(ContractModel):
    """An organisation that contacts employers."""

    model_config = ConfigDict(json_schema_extra=_ACTOR_ID_RULE)

    type: ActorType = Field(description="The kind of organisation.")
    id: str = Field(
        description="For the NAV types a 4-digit NAV unit number (enhetsnummer); "
        "for measure_provider a valid organisation number.",
    )
    name: Name | None = Field(None, description="The actor's name, e.g. NAV Tromsø.")

    @model_validator(mode="after")
    def _nav_actor_has_unit_number(self) -> Self:
        if self.type != "measure_provider" and not is_unit_number(self.id):
            raise ValueError("the id of a NAV actor must be a 4-digit unit number")
        return self


class Person(ContractModel):
    """A human working for an actor, with at least one of id, email and phone."""

    model_config = ConfigDict(json_schema_extra=_PERSON_IDENTIFIED)

    id: Identifier | None = Field(
        None, description="Actor-local id, e.g. a NAV ident such as Z123456; kept as given."
    )
    name: Name | None = Field(None, description="The person's name.")
    email: str | None = Field(
        None,
        max_length=320,
        description="E-mail address; normalised to trimmed and lower-case.",
        json_schema_extra={"format": "email"},
    )
    phone: str | None = Field(
        None,
        max_length=64,
        description="Phone number; normalised to E.164 (without a country code: Norway, +47).",
    )

    @field_validator("email")
    @classmethod
    def _normalise_email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if (address := normalise_email(value)) is None:
            raise ValueError("not an e-mail address")
        return address

    @field_validator("phone")
    @classmethod
    def _normalise_phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if (number := normalise_phone(value)) is None:
            raise ValueError("not a possible phone number")
        return number

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if self.id is None and self.email is None and self.phone is None:
            raise ValueError("a person needs at least one of id, email and phone")
        return self


class Candidate(ContractModel):
    """A young person in work training, known only by a pseudonym."""

    ref: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Opaque pseudonym, 1-64 characters of A-Z, a-z, 0-9, _ and -.",
    )


class Deputy(ContractModel):
    """The stand-in for an assigned contact person while that person is absent."""

    actor: Actor = Field(description="The deputy's organisation.")
    person: Person = Field(description="The deputy.")
