"""The outputs: views, alerts and notices (CONTRACT §3, §4) and the replay files (§5).

The core produces plain dicts; these models document them and the tests check
the dicts against them. Times are RFC 3339 strings with an offset.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, NonNegativeInt, PositiveInt, model_validator
from pydantic.config import JsonDict

from enkontakt.schemas.base import ORGNR_PATTERN, UNIT_PATTERN, ContractModel, Instant
from enkontakt.schemas.objects import Actor, Channel, Topic, Urgency
from enkontakt.schemas.rejection import RejectionCode

Orgnr = Annotated[str, Field(pattern=ORGNR_PATTERN)]
Unit = Annotated[str, Field(pattern=UNIT_PATTERN)]
E164 = Annotated[str, Field(pattern=r"^\+[1-9][0-9]{1,14}$")]
Basis = Literal["assigned", "deputy", "job_specialist", "most_active"]
Rule = Literal[
    "response-overdue",
    "too-many-contact-persons",
    "no-designated-contact",
    "contact-person-absent",
    "follow-up-gap",
    "caseload-high",
]
DESIGNATED_BASES = frozenset({"assigned", "deputy", "job_specialist"})

_UNIT = "NAV unit (4-digit id) to which the employer's alerts go, or null."


class ShownPerson(ContractModel):
    """A human as shown: each field from the latest report that carries it."""

    name: str | None = Field(description="Name, or null if no report carried one.")
    email: str | None = Field(description="E-mail, trimmed and lower-cased, or null.")
    phone: E164 | None = Field(description="Phone number in E.164, or null.")
    actor: Actor = Field(description="The organisation of the latest report.")


class ContactPersonOut(ShownPerson):
    """The single contact person of an employer, and why it is that human."""

    actor: Actor = Field(description="The actor of the event that made them the contact.")
    basis: Basis = Field(description="Which rule chose this human.")
    designated: bool = Field(description="True for the bases assigned, deputy, job_specialist.")
    available: bool = Field(description="False exactly when the shown human is absent now.")

    @model_validator(mode="after")
    def _designated_by_basis(self) -> Self:
        if self.designated != (self.basis in DESIGNATED_BASES):
            raise ValueError("designated must be true exactly for a designating basis")
        return self


class RecentContact(ContractModel):
    """A consolidated contact: reports of one human at one employer within 30 minutes."""

    at: Instant = Field(description="The time of its first report.")
    channel: Channel = Field(description="The channel of its first report.")
    person: ShownPerson = Field(description="The human who had the contact.")
    reports: PositiveInt = Field(description="How many reports were consolidated.")
    reported_by: list[str] = Field(min_length=1, description="The sorted set of sources.")

    @model_validator(mode="after")
    def _sorted_set(self) -> Self:
        if self.reported_by != sorted(set(self.reported_by)):
            raise ValueError("reported_by must be sorted and without repeats")
        return self


class OpenInquiry(ContractModel):
    """An inquiry not yet answered."""

    inquiry_id: str = Field(description="The inquiry's id.")
    topic: Topic = Field(description="What the inquiry is about.")
    urgency: Urgency = Field(description="normal or urgent.")
    received_at: Instant = Field(description="When it was received (the earliest receipt).")
    due_at: Instant = Field(description="The response deadline.")
    overdue: bool = Field(description="True from the instant the clock reaches due_at.")


class View(ContractModel):
    """An employer's view: its contact person, contacts, inquiries and follow-ups."""

    orgnr: Orgnr = Field(description="The employer's organisation number.")
    name: str | None = Field(description="The employer's name from the latest event naming it.")
    contact_person: ContactPersonOut | None = Field(description="The contact person, or null.")
    contact_persons_30d: NonNegativeInt = Field(
        description="Distinct humans with consolidated contacts in the 30 days before now."
    )
    contacts_30d: NonNegativeInt = Field(description="Consolidated contacts in the last 30 days.")
    contacts_total: NonNegativeInt = Field(description="All consolidated contacts.")
    last_contact_at: Instant | None = Field(description="The latest consolidated contact's at.")
    recent_contacts: list[RecentContact] = Field(
        max_length=20, description="The 20 latest consolidated contacts, newest first."
    )
    open_inquiries: list[OpenInquiry] = Field(description="Inquiries not yet answered.")
    active_follow_ups: NonNegativeInt = Field(description="Number of active follow-ups.")
    unit: Unit | None = Field(description=_UNIT)
    updated_at: Instant = Field(description="The latest event time applied to this employer.")


_ALERT_RULES: JsonDict = {
    "allOf": [
        {
            "if": {"properties": {"rule": {"const": "caseload-high"}}},
            "then": {"properties": {"orgnr": {"type": "null"}}, "required": ["person"]},
            "else": {"properties": {"orgnr": {"type": "string"}}},
        },
        {
            "if": {"properties": {"status": {"const": "firing"}}},
            "then": {"properties": {"ends_at": {"type": "null"}}},
            "else": {"properties": {"ends_at": {"type": "string"}}},
        },
    ]
}


class Alert(ContractModel):
    """One firing of a supervisor alert, or its resolution."""

    model_config = ConfigDict(json_schema_extra=_ALERT_RULES)

    alert_id: str = Field(description="Stable for one firing.")
    rule: Rule = Field(description="The rule that fired.")
    key: str = Field(
        description="The rule's key: the orgnr; orgnr/inquiry_id for response-overdue; the "
        "person_key for caseload-high. With the rule it forms the Kafka message key rule/key."
    )
    orgnr: Orgnr | None = Field(description="The employer; null for caseload-high.")
    inquiry_id: str | None = Field(None, description="The inquiry, for response-overdue.")
    person: ShownPerson | None = Field(None, description="The human, for caseload-high.")
    unit: Unit | None = Field(description=_UNIT)
    severity: Literal["critical", "warning"] = Field(description="critical or warning.")
    status: Literal["firing", "resolved"] = Field(description="firing or resolved.")
    starts_at: Instant = Field(description="When the condition became true.")
    ends_at: Instant | None = Field(description="When it cleared; null while firing.")
    summary: str = Field(min_length=1, description="One sentence.")
    version: int | None = Field(
        None,
        ge=1,
        description="On Kafka: 1 for a firing's first message, one higher for each change "
        "of it after (a late event can take a resolved firing back to firing); keep the "
        "highest. Absent in replay's alerts.json.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.orgnr is None) != (self.rule == "caseload-high"):
            raise ValueError("orgnr is null exactly for caseload-high")
        if self.rule == "caseload-high" and self.person is None:
            raise ValueError("caseload-high names its person")
        if self.rule == "response-overdue" and self.inquiry_id is None:
            raise ValueError("response-overdue names its inquiry")
        if (self.ends_at is None) != (self.status == "firing"):
            raise ValueError("ends_at is null exactly while firing")
        return self


class EmployerNotice(ContractModel):
    """The designated contact person of an employer changed (either side may be null)."""

    orgnr: Orgnr = Field(description="The employer's organisation number.")
    contact_person: ContactPersonOut | None = Field(description="The designated human now.")
    previous_contact_person: ContactPersonOut | None = Field(
        description="The designated human before the change."
    )
    at: Instant = Field(description="The moment of the change.")


class ReplaySummary(ContractModel):
    """The summary.json of a replay."""

    received: NonNegativeInt = Field(description="Non-blank lines read.")
    applied: NonNegativeInt = Field(description="Events accepted and applied.")
    duplicates: NonNegativeInt = Field(description="Accepted events seen before (source, id).")
    rejected: NonNegativeInt = Field(description="Lines rejected.")
    contacts: NonNegativeInt = Field(description="Consolidated contacts.")
    merged_reports: NonNegativeInt = Field(
        description="Applied contact.registered reports minus contacts."
    )

    @model_validator(mode="after")
    def _counts_add_up(self) -> Self:
        if self.received != self.applied + self.duplicates + self.rejected:
            raise ValueError("received must equal applied + duplicates + rejected")
        return self


class RejectedLine(ContractModel):
    """One line of the rejected.jsonl of a replay."""

    line: PositiveInt = Field(description="Line number, counting from 1.")
    error: RejectionCode = Field(description="The rejection code.")
    detail: str = Field(min_length=1, description="One sentence, without payload values.")
