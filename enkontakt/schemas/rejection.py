"""The codes with which an input event is rejected (CONTRACT §1, in the order of §6)."""

from __future__ import annotations

from enum import StrEnum


class RejectionCode(StrEnum):
    """Why an event was rejected; when several apply, the first in this order wins."""

    MALFORMED_JSON = "malformed-json"
    NOT_CLOUDEVENT = "not-cloudevent"
    UNKNOWN_TYPE = "unknown-type"
    PERSONAL_IDENTIFIER = "personal-identifier"
    INVALID_DATA = "invalid-data"
    INVALID_ORGNR = "invalid-orgnr"
    SUBJECT_MISMATCH = "subject-mismatch"
