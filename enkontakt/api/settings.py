"""Configuration of the API process (``enkontakt api``)."""

from __future__ import annotations

from pydantic import SecretStr, model_validator

from enkontakt.projection.settings import DatabaseSettings, env_field


class ApiSettings(DatabaseSettings):
    """Everything ``enkontakt api`` reads from the environment.

    Tokens are checked with exactly one of: an HS256 secret (development and
    tests) or a JWKS URL with issuer and audience (production).
    """

    jwt_secret: SecretStr | None = env_field(
        "ENKONTAKT_JWT_SECRET",
        None,
        "HS256 secret (at least 32 characters) for development and test tokens.",
    )
    jwks_url: str | None = env_field(
        "ENKONTAKT_JWKS_URL", None, "JWKS URL of the token issuer (production)."
    )
    jwt_issuer: str | None = env_field(
        "ENKONTAKT_JWT_ISSUER", None, "Required `iss` of tokens (required with a JWKS URL)."
    )
    jwt_audience: str | None = env_field(
        "ENKONTAKT_JWT_AUDIENCE", None, "Required `aud` of tokens (required with a JWKS URL)."
    )
    subject_key: SecretStr | None = env_field(
        "ENKONTAKT_SUBJECT_KEY",
        None,
        "Key (at least 32 characters) of the keyed hash that stands for a token subject "
        "that is a national identity number; without it, the HS256 secret, else such "
        "subjects are all stored alike.",
    )
    cookie_secure: bool = env_field(
        "ENKONTAKT_COOKIE_SECURE",
        False,
        "Mark the dashboard's session cookie Secure (send it over HTTPS only).",
    )

    @model_validator(mode="after")
    def _one_way_to_check_tokens(self) -> ApiSettings:
        if (self.jwt_secret is None) == (self.jwks_url is None):
            raise ValueError("set exactly one of ENKONTAKT_JWT_SECRET and ENKONTAKT_JWKS_URL")
        if self.jwks_url is not None and not (self.jwt_issuer and self.jwt_audience):
            raise ValueError(
                "ENKONTAKT_JWKS_URL needs ENKONTAKT_JWT_ISSUER and ENKONTAKT_JWT_AUDIENCE"
            )
        if self.jwt_secret is not None and len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("ENKONTAKT_JWT_SECRET must be at least 32 characters")
        if self.subject_key is not None and len(self.subject_key.get_secret_value()) < 32:
            raise ValueError("ENKONTAKT_SUBJECT_KEY must be at least 32 characters")
        return self
