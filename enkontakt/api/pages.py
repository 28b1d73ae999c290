"""Rendering the dashboard's pages: templates, their filters, and form tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

OSLO = ZoneInfo("Europe/Oslo")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def local_time(value: str | datetime | None) -> str:
    """An instant as Oslo wall-clock time, e.g. ``2026-10-09 15:10``."""
    if value is None:
        return ""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return instant.astimezone(OSLO).strftime("%Y-%m-%d %H:%M")


def words(value: str | None) -> str:
    """A code such as ``end_placement`` as words: ``End placement``."""
    text = (value or "").replace("_", " ").replace("-", " ")
    return text[:1].upper() + text[1:]


templates.env.filters["local_time"] = local_time
templates.env.filters["words"] = words


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render the template ``name`` with ``context``."""
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def csrf_token(session: str) -> str:
    """The form token belonging to a session token: only its holder can compute it."""
    return hashlib.sha256(f"enkontakt-form:{session}".encode()).hexdigest()
