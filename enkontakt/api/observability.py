"""Request logging and metrics of the API process.

Each request yields one log line and two metrics, labelled by the route's
template (``/api/employers/{orgnr}``) and never by the raw path or query,
which may carry tokens or identifiers.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram

from enkontakt.logging import get_logger

log = get_logger(__name__)


class RequestMetrics:
    """Prometheus metrics of one app, in a registry of its own."""

    def __init__(self) -> None:
        """Create the registry and the request metrics."""
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "enkontakt_http_requests_total",
            "HTTP requests handled.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "enkontakt_http_request_duration_seconds",
            "Time to handle an HTTP request.",
            ["method", "route"],
            registry=self.registry,
        )

    async def middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Time the request, count it and log one line; a request whose handler
        raised is counted and logged as the 500 the server answers with."""
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:
            self._record(request, 500, started, error=type(exc).__name__)
            raise
        self._record(request, response.status_code, started)
        return response

    def _record(
        self, request: Request, status: int, started: float, error: str | None = None
    ) -> None:
        elapsed = time.perf_counter() - started
        route = getattr(request.scope.get("route"), "path", "unmatched")
        self.requests.labels(request.method, route, str(status)).inc()
        self.latency.labels(request.method, route).observe(elapsed)
        fields = {"error": error} if error is not None else {}
        log.info(
            "http_request",
            method=request.method,
            route=route,
            status=status,
            ms=round(elapsed * 1000, 1),
            **fields,
        )
