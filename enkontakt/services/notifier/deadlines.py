"""The response deadline of an inquiry (CONTRACT §2)."""

from __future__ import annotations

from enkontakt.services.coordinator.employer import Inquiry
from enkontakt.services.notifier.calendar import deadline_us
from enkontakt.services.rules_config import RuleConfig


def is_urgent(inquiry: Inquiry) -> bool:
    """True when the short deadline applies: urgent, or a request to end a placement."""
    return inquiry.urgency == "urgent" or inquiry.topic == "end_placement"


def response_days(inquiry: Inquiry, config: RuleConfig) -> int:
    """N, the business days the inquiry may wait for an answer."""
    return config.urgent_response_days if is_urgent(inquiry) else config.response_days


def due_at(inquiry: Inquiry, config: RuleConfig) -> int | None:
    """The deadline of the inquiry in µs, or None while only its answer is known."""
    if inquiry.received is None:
        return None
    return deadline_us(inquiry.received.at, response_days(inquiry, config))
