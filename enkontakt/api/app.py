"""The FastAPI application: JSON API, dashboard, health and metrics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from enkontakt.api import dashboard, routes
from enkontakt.api.auth import TokenVerifier
from enkontakt.api.observability import RequestMetrics
from enkontakt.api.services import Services
from enkontakt.api.settings import ApiSettings
from enkontakt.projection.queries import ProjectionQueries
from enkontakt.projection.store import Projection

TITLE = "Én kontakt API"
VERSION = "1"
DESCRIPTION = (
    "Employer views, alerts and contact pages for supervisors and employers. "
    "Every `/api` route takes a bearer JWT; see docs/api.md."
)


def create_app(
    settings: ApiSettings,
    projection: Projection,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """Wire the app over an upgraded projection."""
    app = FastAPI(title=TITLE, version=VERSION, description=DESCRIPTION)
    app.state.services = Services(
        settings=settings,
        queries=ProjectionQueries(projection.engine),
        verifier=TokenVerifier(settings),
        clock=clock or (lambda: datetime.now(UTC)),
    )
    metrics = RequestMetrics()
    app.middleware("http")(metrics.middleware)
    app.include_router(routes.router)
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    add_health(app, metrics)
    return app


def add_health(app: FastAPI, metrics: RequestMetrics) -> None:
    """``/isalive``, ``/isready`` and ``/metrics``, outside the OpenAPI document."""

    @app.get("/isalive", include_in_schema=False)
    def is_alive() -> PlainTextResponse:
        return PlainTextResponse("alive")

    @app.get("/isready", include_in_schema=False)
    def is_ready(request: Request) -> PlainTextResponse:
        try:
            request.app.state.services.queries.ping()
        except SQLAlchemyError:
            return PlainTextResponse("database unavailable", status_code=503)
        return PlainTextResponse("ready")

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
