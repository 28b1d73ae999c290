"""Response bodies of the HTTP API, the source of its OpenAPI document.

They follow CONTRACT §3 and §4; unknown fields of stored documents are dropped.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base of the response models: ignores fields it does not know."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Rule(StrEnum):
    """The alert rules of CONTRACT §3."""

    RESPONSE_OVERDUE = "response-overdue"
    TOO_MANY_CONTACT_PERSONS = "too-many-contact-persons"
    NO_DESIGNATED_CONTACT = "no-designated-contact"
    CONTACT_PERSON_ABSENT = "contact-person-absent"
    FOLLOW_UP_GAP = "follow-up-gap"
    CASELOAD_HIGH = "caseload-high"


AlertStatus = Literal["firing", "resolved"]


class Actor(Model):
    """An organisation that contacts employers."""

    type: str = Field(
        description="nav_office, measure_provider, job_specialist or working_life_centre."
    )
    id: str = Field(description="NAV unit number, or the measure provider's orgnr.")
    name: str | None = Field(default=None, description="The actor's name, if reported.")


class Person(Model):
    """A human working for an actor, as last reported."""

    name: str | None = Field(default=None, description="Name, if reported.")
    email: str | None = Field(default=None, description="E-mail, trimmed and lower-cased.")
    phone: str | None = Field(default=None, description="Phone number in E.164.")
    actor: Actor | None = Field(default=None, description="The actor the human works for.")


class ContactPerson(Person):
    """The employer's single contact person."""

    basis: Literal["assigned", "deputy", "job_specialist", "most_active"] = Field(
        description="Why this human is the contact person."
    )
    designated: bool = Field(description="True for assigned, deputy and job_specialist.")
    available: bool = Field(description="False exactly when the human is absent now.")


class Contact(Model):
    """One consolidated contact."""

    at: datetime = Field(description="Time of its first report.")
    channel: str = Field(description="Channel of its first report.")
    person: Person = Field(description="The human who made the contact.")
    reports: int = Field(description="Number of reports merged into this contact.")
    reported_by: list[str] = Field(description="Sorted sources that reported it.")


class OpenInquiry(Model):
    """An inquiry from the employer that has not been answered."""

    inquiry_id: str = Field(description="The inquiry's id.")
    topic: str = Field(description="What the inquiry is about.")
    urgency: str = Field(description="normal or urgent.")
    received_at: datetime = Field(description="When it was received.")
    due_at: datetime = Field(description="The response deadline.")
    overdue: bool = Field(description="True once the deadline has passed.")


class EmployerView(Model):
    """Everything known about one employer's contacts (CONTRACT §4)."""

    orgnr: str = Field(description="The employer's organisation number.")
    name: str | None = Field(default=None, description="The employer's name.")
    contact_person: ContactPerson | None = Field(description="The single contact person.")
    contact_persons_30d: int = Field(description="Distinct humans in contact, last 30 days.")
    contacts_30d: int = Field(description="Consolidated contacts in the last 30 days.")
    contacts_total: int = Field(description="Consolidated contacts in all.")
    last_contact_at: datetime | None = Field(default=None, description="Latest contact.")
    recent_contacts: list[Contact] = Field(description="The 20 latest contacts, newest first.")
    open_inquiries: list[OpenInquiry] = Field(description="Unanswered inquiries.")
    active_follow_ups: int = Field(description="Number of active follow-ups.")
    unit: str | None = Field(default=None, description="The NAV unit the employer belongs to.")
    updated_at: datetime = Field(description="Latest event time applied to this employer.")


class EmployerSummary(Model):
    """One line of a supervisor's employer list."""

    orgnr: str = Field(description="The employer's organisation number.")
    name: str | None = Field(default=None, description="The employer's name.")
    unit: str | None = Field(default=None, description="The employer's NAV unit.")
    contact_person: ContactPerson | None = Field(description="The single contact person.")
    contact_persons_30d: int = Field(description="Distinct humans in contact, last 30 days.")
    open_inquiry_count: int = Field(description="Number of unanswered inquiries.")
    overdue_inquiry_count: int = Field(description="Number of those past their deadline.")
    updated_at: datetime = Field(description="Latest event time applied to this employer.")


class EmployerContact(Model):
    """What an employer needs: whom to call, and their own open inquiries."""

    orgnr: str = Field(description="The employer's organisation number.")
    name: str | None = Field(default=None, description="The employer's name.")
    contact_person: ContactPerson | None = Field(description="The single contact person.")
    open_inquiries: list[OpenInquiry] = Field(description="The employer's unanswered inquiries.")


class Alert(Model):
    """An alert for supervisors (CONTRACT §3) and its acknowledgement."""

    alert_id: str = Field(description="Stable for one firing.")
    rule: str = Field(description="One of the rules of CONTRACT §3.")
    orgnr: str | None = Field(default=None, description="The employer; null for caseload-high.")
    inquiry_id: str | None = Field(default=None, description="For response-overdue.")
    person: Person | None = Field(default=None, description="For caseload-high.")
    unit: str | None = Field(default=None, description="The NAV unit the alert goes to.")
    severity: Literal["warning", "critical"] = Field(description="How urgent.")
    status: AlertStatus = Field(description="firing or resolved.")
    starts_at: datetime = Field(description="When the condition became true.")
    ends_at: datetime | None = Field(default=None, description="When it cleared.")
    summary: str = Field(description="One sentence.")
    acknowledged_by: str | None = Field(default=None, description="Subject who acknowledged.")
    acknowledged_at: datetime | None = Field(default=None, description="When acknowledged.")


class Problem(Model):
    """An error."""

    detail: str = Field(description="What went wrong.")
