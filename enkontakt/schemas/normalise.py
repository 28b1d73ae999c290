"""Normalising and checking the identifiers that events carry, with caches.

The same e-mail addresses, phone numbers and organisation numbers recur in
almost every event, and the libraries that check them are slow, so each answer
is computed once per distinct input. Inputs are bounded in length by the models
before they reach these functions, which keeps the caches small.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.no import orgnr

_CACHE_SIZE = 65_536
PHONE_REGION = "NO"


@lru_cache(maxsize=_CACHE_SIZE)
def normalise_email(text: str) -> str | None:
    """The address trimmed and lower-cased, or None when ``text`` is not an e-mail address."""
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


@lru_cache(maxsize=_CACHE_SIZE)
def normalise_phone(text: str) -> str | None:
    """The number in E.164 (no country code means Norway, +47), or None if it is not one."""
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_valid_orgnr(text: str) -> bool:
    """True when ``text`` is exactly nine ASCII digits with a valid mod-11 check digit."""
    return len(text) == 9 and text.isascii() and text.isdigit() and _orgnr_checks(text)


@lru_cache(maxsize=_CACHE_SIZE)
def _orgnr_checks(digits: str) -> bool:
    return bool(orgnr.is_valid(digits))


def is_unit_number(text: str) -> bool:
    """True when ``text`` is a NAV unit number (enhetsnummer): exactly four ASCII digits."""
    return len(text) == 4 and text.isascii() and text.isdigit()
