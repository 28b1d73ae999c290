"""The committed OpenAPI document, ``enkontakt/schemas/openapi.json``.

``python -m enkontakt.api.openapi`` rewrites it; a test fails when it is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from enkontakt.api import routes
from enkontakt.api.app import DESCRIPTION, TITLE, VERSION

COMMITTED = Path(__file__).parent.parent / "schemas" / "openapi.json"


def document() -> dict[str, Any]:
    """The OpenAPI document of the JSON API, as the running app serves it."""
    app = FastAPI(title=TITLE, version=VERSION, description=DESCRIPTION)
    app.include_router(routes.router)
    return app.openapi()


def render() -> str:
    """The document as committed: indented, sorted keys, final newline."""
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    """Write the committed document."""
    COMMITTED.write_text(render(), encoding="utf-8")
    print(f"wrote {COMMITTED}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
