"""The configurable numbers of the rules (CONTRACT §3), as a plain value."""

from __future__ import annotations

from dataclasses import dataclass

from enkontakt.services.coordinator.facts import DAY, MINUTE


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """Thresholds and windows; the defaults are the contract's."""

    response_days: int = 3
    urgent_response_days: int = 1
    max_contact_persons: int = 3
    contact_window_days: int = 30
    follow_up_gap_days: int = 90
    most_active_days: int = 90
    max_caseload: int = 30
    session_gap_minutes: int = 30
    retention_days: int = 400

    @property
    def session_gap(self) -> int:
        """The session-window gap of consolidated contacts, in µs."""
        return self.session_gap_minutes * MINUTE

    @property
    def contact_window(self) -> int:
        """The window of ``contact_persons_30d`` and ``too-many-contact-persons``, in µs."""
        return self.contact_window_days * DAY

    @property
    def follow_up_gap(self) -> int:
        """The gap after which ``follow-up-gap`` fires, in µs."""
        return self.follow_up_gap_days * DAY

    @property
    def most_active_window(self) -> int:
        """The window in which the ``most_active`` contact person is counted, in µs."""
        return self.most_active_days * DAY

    @property
    def retention(self) -> int:
        """How long history is kept, in µs."""
        return self.retention_days * DAY
