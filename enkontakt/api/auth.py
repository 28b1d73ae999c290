"""Bearer tokens: who is asking, and what they may see.

A token is a JWT carrying ``roles`` (``supervisor`` and/or ``employer``),
``units`` (the 4-digit NAV units a supervisor may see) and ``orgnr`` (an
employer's own). It is checked with an HS256 secret (development and tests)
or against a JWKS with issuer and audience (production).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard
from urllib.parse import urlencode

import jwt
from stdnum.no import fodselsnummer

from enkontakt.api.settings import ApiSettings

SUPERVISOR = "supervisor"
EMPLOYER = "employer"
ROLES = frozenset({SUPERVISOR, EMPLOYER})
UNIT = re.compile(r"[0-9]{4}")  # matched whole (fullmatch): no final line feed
ORGNR = re.compile(r"[0-9]{9}")
ASYMMETRIC = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"]
SUBJECT_LENGTH = 200  # the longest subject kept (as who acknowledged an alert)
HIDDEN_SUBJECT = "identity-number"  # every such subject, when there is no key


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or its claims make no sense."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller, as the token describes them."""

    subject: str
    roles: frozenset[str]
    units: frozenset[str]
    orgnr: str | None
    expires_at: datetime

    @property
    def is_supervisor(self) -> bool:
        """True for a supervisor with at least one unit."""
        return SUPERVISOR in self.roles and bool(self.units)

    @property
    def is_employer(self) -> bool:
        """True for an employer bound to an orgnr."""
        return EMPLOYER in self.roles and self.orgnr is not None

    def may_see_unit(self, unit: str | None) -> bool:
        """True when a supervisor's units include ``unit``."""
        return self.is_supervisor and unit is not None and unit in self.units


class TokenVerifier:
    """Checks signatures and standard claims, then reads ours."""

    def __init__(self, settings: ApiSettings) -> None:
        """Prepare the HS256 secret or the JWKS client named in ``settings``."""
        self._secret = settings.jwt_secret
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        key = settings.subject_key or settings.jwt_secret
        self._subject_key = None if key is None else key.get_secret_value().encode()

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; :class:`InvalidToken` otherwise."""
        try:
            claims = self._decode(token)
            return principal_from(claims, self._subject_key)
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
            # A claim of the wrong type or size fails inside PyJWT or here alike.
            raise InvalidToken(type(exc).__name__) from exc

    def _decode(self, token: str) -> dict[str, Any]:
        options: Any = {"require": ["exp", "sub"]}
        if self._jwks is not None:
            key = self._jwks.get_signing_key_from_jwt(token).key
            return jwt.decode(
                token,
                key,
                algorithms=ASYMMETRIC,
                audience=self._audience,
                issuer=self._issuer,
                options=options,
            )
        assert self._secret is not None
        return jwt.decode(
            token,
            self._secret.get_secret_value(),
            algorithms=["HS256"],
            audience=self._audience,
            issuer=self._issuer,
            options=options,
        )


def principal_from(claims: dict[str, Any], subject_key: bytes | None = None) -> Principal:
    """Read and check our claims; anything out of shape is an invalid token."""
    roles, units, orgnr = claims.get("roles"), claims.get("units", []), claims.get("orgnr")
    subject, expires = claims["sub"], claims["exp"]
    if not isinstance(subject, str) or not 0 < len(subject) <= SUBJECT_LENGTH:
        raise InvalidToken("sub")
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise InvalidToken("exp")
    if not _strings(roles) or not set(roles) <= ROLES:
        raise InvalidToken("roles")
    if not _strings(units) or not all(UNIT.fullmatch(unit) for unit in units):
        raise InvalidToken("units")
    if orgnr is not None and not (isinstance(orgnr, str) and ORGNR.fullmatch(orgnr)):
        raise InvalidToken("orgnr")
    return Principal(
        subject=pseudonymous(subject, subject_key),
        roles=frozenset(roles),
        units=frozenset(units),
        orgnr=orgnr,
        expires_at=datetime.fromtimestamp(int(expires), UTC),
    )


def _strings(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def pseudonymous(subject: str, key: bytes | None) -> str:
    """The subject, unless it is a national identity number: then a keyed hash of
    it (a plain hash of one of the few hundred million numbers can be reversed
    by trying them all), or without a key the same word for all of them."""
    digits = subject.replace(" ", "").replace("-", "").replace(".", "")
    if not fodselsnummer.is_valid(digits):
        return subject
    if key is None:
        return HIDDEN_SUBJECT
    return "hmac:" + hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()[:32]


def demo_tokens(
    secret: str,
    *,
    units: Sequence[str],
    orgnr: str,
    now: datetime | None = None,
    lifetime: timedelta = timedelta(hours=12),
) -> dict[str, str]:
    """HS256 tokens for a demo: a supervisor of ``units`` and the employer ``orgnr``."""
    issued = now or datetime.now(UTC)
    common = {"iat": issued, "exp": issued + lifetime}
    supervisor = {"sub": "demo-supervisor", "roles": [SUPERVISOR], "units": list(units)}
    employer = {"sub": f"demo-employer-{orgnr}", "roles": [EMPLOYER], "orgnr": orgnr}
    return {
        SUPERVISOR: jwt.encode(supervisor | common, secret, algorithm="HS256"),
        EMPLOYER: jwt.encode(employer | common, secret, algorithm="HS256"),
    }


def sign_in_url(base_url: str, token: str) -> str:
    """The dashboard link that signs in with ``token``."""
    return f"{base_url.rstrip('/')}/login?{urlencode({'token': token})}"
