"""The dashboard: server-rendered HTML for supervisors and employers.

Sign-in is a link ``/login?token=…`` that stores the token in an HttpOnly,
SameSite=Lax cookie. Forms that change something carry a token derived from
the session, so another site cannot post them on the user's behalf.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from enkontakt.api.auth import InvalidToken, Principal
from enkontakt.api.pages import csrf_token, page
from enkontakt.api.services import (
    Services,
    ServicesDep,
    check_unit,
    findable,
    forbidden,
    not_found,
)
from enkontakt.projection.queries import AlertFilter, EmployerSort

COOKIE = "enkontakt_session"
router = APIRouter(include_in_schema=False)


def session_of(request: Request) -> str | None:
    """The session token from the cookie, or from an Authorization header."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE)


def signed_in(request: Request, found: Services) -> tuple[Principal, str] | None:
    """The principal and session token of the visitor, if signed in."""
    session = session_of(request)
    if not session:
        return None
    try:
        return found.verifier.verify(session), session
    except InvalidToken:
        return None


@router.get("/login")
def login(request: Request, found: ServicesDep, token: str = "") -> Response:
    """Check the token and keep it in the session cookie."""
    try:
        principal = found.verifier.verify(token)
    except InvalidToken:
        return page(request, "signin.html", 401, failed=True)
    response = RedirectResponse("/", status_code=303)
    lifetime = int((principal.expires_at - found.clock()).total_seconds())
    response.set_cookie(
        COOKIE,
        token,
        max_age=max(lifetime, 0),
        httponly=True,
        samesite="lax",
        secure=found.settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the session cookie."""
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, found: ServicesDep) -> Response:
    """The supervisor's overview, or the employer's contact page."""
    visitor = signed_in(request, found)
    if visitor is None:
        return page(request, "signin.html", 401, failed=session_of(request) is not None)
    principal, session = visitor
    if principal.is_supervisor:
        return supervisor_home(request, found, principal, session)
    if principal.is_employer:
        return employer_home(request, found, principal)
    return page(request, "error.html", 403, message="This sign-in gives access to nothing here.")


def supervisor_home(
    request: Request, found: Services, principal: Principal, session: str
) -> HTMLResponse:
    """Firing alerts of the units and the employers with most contact persons."""
    alerts = found.queries.alerts(principal.units, AlertFilter(status="firing"), 200)
    busiest = found.queries.views(principal.units, EmployerSort.CONTACT_PERSONS_30D, 10)
    return page(
        request,
        "supervisor.html",
        principal=principal,
        alerts=alerts,
        employers=busiest,
        csrf=csrf_token(session),
    )


def employer_home(request: Request, found: Services, principal: Principal) -> HTMLResponse:
    """The employer's own contact person and how to reach them — nothing more."""
    assert principal.orgnr is not None
    record = found.queries.view(principal.orgnr)
    view = record.document if record else {"orgnr": principal.orgnr}
    return page(request, "employer_home.html", principal=principal, view=view)


@router.get("/employers/{orgnr}", response_class=HTMLResponse)
def employer_page(request: Request, orgnr: str, found: ServicesDep) -> Response:
    """A supervisor's page about one employer."""
    visitor = signed_in(request, found)
    if visitor is None:
        return page(request, "signin.html", 401, failed=False)
    principal, session = visitor
    try:
        if not principal.is_supervisor:
            raise forbidden()
        record = found.queries.view(orgnr) if findable(orgnr) else None
        if record is None:
            raise not_found("employer")
        check_unit(principal, record.unit)
    except HTTPException as exc:
        return page(request, "error.html", exc.status_code, message=exc.detail)
    alerts = found.queries.alerts({record.unit or ""}, AlertFilter(orgnr=orgnr), 50)
    return page(
        request,
        "employer_page.html",
        principal=principal,
        view=record.document,
        alerts=alerts,
        notices=found.queries.notices(orgnr, 10),
        csrf=csrf_token(session),
    )


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of a URL-encoded form post (first value of each)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body).items()}


@router.post("/alerts/{alert_id}/ack")
async def acknowledge(request: Request, alert_id: str, found: ServicesDep) -> Response:
    """Acknowledge an alert from a dashboard form, then go back."""
    visitor = signed_in(request, found)
    if visitor is None:
        return page(request, "signin.html", 401, failed=False)
    principal, session = visitor
    fields = await form_fields(request)
    if not hmac.compare_digest(fields.get("csrf", ""), csrf_token(session)):
        return page(request, "error.html", 403, message="The form has expired; reload the page.")
    record = found.queries.alert(alert_id) if findable(alert_id) else None
    if record is None or not principal.may_see_unit(record.unit):
        return page(request, "error.html", 404, message="No such alert.")
    found.queries.acknowledge(alert_id, principal.subject, found.clock())
    back = fields.get("back", "/")
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)
