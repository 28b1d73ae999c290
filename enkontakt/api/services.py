"""What the request handlers share, and the scope rules they apply.

Scope rules: a supervisor sees employers and alerts whose unit is among the
token's ``units``; an employer sees only their own contact page — never another
employer, alerts, other people's workloads or anything about candidates.
No or a bad token is 401; a valid token outside its scope is 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from enkontakt.api.auth import InvalidToken, Principal, TokenVerifier
from enkontakt.api.settings import ApiSettings
from enkontakt.projection.queries import ProjectionQueries, ViewRecord

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A JWT with `roles`, `units` (supervisors) and `orgnr` (employers).",
)


@dataclass(frozen=True)
class Services:
    """The dependencies wired once per process by :func:`enkontakt.api.app.create_app`."""

    settings: ApiSettings
    queries: ProjectionQueries
    verifier: TokenVerifier
    clock: Callable[[], datetime]


def services(request: Request) -> Services:
    """The process's services."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


def unauthorized(reason: str = "a valid bearer token is required") -> HTTPException:
    """401 with the challenge a client needs."""
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, reason, headers={"WWW-Authenticate": "Bearer"}
    )


def forbidden(reason: str = "outside the token's scope") -> HTTPException:
    """403: a valid token that does not reach this resource."""
    return HTTPException(status.HTTP_403_FORBIDDEN, reason)


def findable(key: str) -> bool:
    """Whether ``key`` (an orgnr or alert id from a path) could name a stored
    record: not too long, and no NUL, which PostgreSQL refuses in any text."""
    return 0 < len(key) <= 200 and "\x00" not in key


def not_found(what: str) -> HTTPException:
    """404 for a missing employer or alert."""
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found")


def bearer_principal(
    found: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The caller of an API route, from the Authorization header."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    try:
        return found.verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        raise unauthorized("the bearer token is not valid") from exc


PrincipalDep = Annotated[Principal, Depends(bearer_principal)]


def supervisor(principal: PrincipalDep) -> Principal:
    """The caller, who must be a supervisor of at least one unit."""
    if not principal.is_supervisor:
        raise forbidden("supervisors only")
    return principal


SupervisorDep = Annotated[Principal, Depends(supervisor)]


def check_unit(principal: Principal, unit: str | None) -> None:
    """403 unless the supervisor may see ``unit``."""
    if not principal.may_see_unit(unit):
        raise forbidden()


def supervised_view(found: Services, principal: Principal, orgnr: str) -> ViewRecord:
    """An employer's view for a supervisor of its unit."""
    record = found.queries.view(orgnr)
    if record is None:
        raise not_found("employer")
    check_unit(principal, record.unit)
    return record


def contact_view(found: Services, principal: Principal, orgnr: str) -> dict[str, Any]:
    """An employer's view for the employer themselves or a supervisor of its unit."""
    if principal.is_employer and principal.orgnr == orgnr:
        record = found.queries.view(orgnr)
        if record is None:
            raise not_found("employer")
        return record.document
    if not principal.is_supervisor:
        raise forbidden()
    return supervised_view(found, principal, orgnr).document
