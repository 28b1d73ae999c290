"""The JSON API under ``/api`` (bearer tokens only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from enkontakt.api import models
from enkontakt.api.services import (
    PrincipalDep,
    ServicesDep,
    SupervisorDep,
    check_unit,
    contact_view,
    findable,
    not_found,
    supervised_view,
)
from enkontakt.projection.queries import AlertFilter, AlertRecord, EmployerSort

ORGNR = Path(
    pattern=r"^[0-9]{9}$",
    description="The employer's organisation number.",
    examples=["974760673"],
)
UNIT_QUERY = Query(pattern=r"^[0-9]{4}$", description="Only this NAV unit (one of the token's).")
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": models.Problem, "description": "No token, or not a valid one."},
    403: {"model": models.Problem, "description": "Outside the token's scope."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": models.Problem, "description": "No such employer or alert."}
}

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/employers", response_model=list[models.EmployerSummary], tags=["employers"])
def list_employers(
    found: ServicesDep,
    principal: SupervisorDep,
    sort: EmployerSort = EmployerSort.CONTACT_PERSONS_30D,
    unit: Annotated[str | None, UNIT_QUERY] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[models.EmployerSummary]:
    """A supervisor's employers, most contact persons (or open inquiries) first."""
    if unit is not None:
        check_unit(principal, unit)
    units = {unit} if unit is not None else principal.units
    views = found.queries.views(units, sort, limit, offset)
    return [summary(view) for view in views]


@router.get(
    "/employers/{orgnr}",
    response_model=models.EmployerView,
    responses=NOT_FOUND,
    tags=["employers"],
)
def get_employer(orgnr: Annotated[str, ORGNR], found: ServicesDep, principal: SupervisorDep) -> Any:
    """The view of one employer, for a supervisor of its unit."""
    return supervised_view(found, principal, orgnr).document


@router.get(
    "/employers/{orgnr}/contact",
    response_model=models.EmployerContact,
    responses=NOT_FOUND,
    tags=["employers"],
)
def get_employer_contact(
    orgnr: Annotated[str, ORGNR], found: ServicesDep, principal: PrincipalDep
) -> Any:
    """The contact person and open inquiries, for the employer or a supervisor."""
    view = contact_view(found, principal, orgnr)
    return {key: view.get(key) for key in ("orgnr", "name", "contact_person", "open_inquiries")}


@router.get("/alerts", response_model=list[models.Alert], tags=["alerts"])
def list_alerts(
    found: ServicesDep,
    principal: SupervisorDep,
    status: models.AlertStatus | None = None,
    rule: models.Rule | None = None,
    unit: Annotated[str | None, UNIT_QUERY] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Alerts of the supervisor's units, newest first."""
    if unit is not None:
        check_unit(principal, unit)
    where = AlertFilter(status=status, rule=rule.value if rule else None, unit=unit)
    return [alert_body(record) for record in found.queries.alerts(principal.units, where, limit)]


@router.post(
    "/alerts/{alert_id}/ack", response_model=models.Alert, responses=NOT_FOUND, tags=["alerts"]
)
def acknowledge_alert(
    alert_id: Annotated[str, Path(min_length=1, max_length=200)],
    found: ServicesDep,
    principal: SupervisorDep,
) -> dict[str, Any]:
    """Acknowledge an alert of the supervisor's units; the first acknowledgement stays."""
    record = found.queries.alert(alert_id) if findable(alert_id) else None
    if record is None:
        raise not_found("alert")
    check_unit(principal, record.unit)
    acknowledged = found.queries.acknowledge(alert_id, principal.subject, found.clock())
    assert acknowledged is not None
    return alert_body(acknowledged)


def summary(view: dict[str, Any]) -> models.EmployerSummary:
    """The list line of a view."""
    inquiries = view.get("open_inquiries") or []
    return models.EmployerSummary.model_validate(
        view
        | {
            "open_inquiry_count": len(inquiries),
            "overdue_inquiry_count": sum(1 for inquiry in inquiries if inquiry.get("overdue")),
        }
    )


def alert_body(record: AlertRecord) -> dict[str, Any]:
    """An alert document with its acknowledgement."""
    return record.document | {
        "acknowledged_by": record.acknowledged_by,
        "acknowledged_at": record.acknowledged_at,
    }
