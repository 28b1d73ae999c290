"""The container health check: GET ``$ENKONTAKT_HEALTH_URL`` and expect 200.

Each command serves ``/isalive`` on its own port (coordinator 8081, notifier
8082, api 8080 by default), so the URL is set per container; ``off`` skips the
check for commands without an HTTP server (``project``, ``deliver``, one-shot
jobs). Standard library only: the slim image has no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8080/isalive"


def healthy(url: str, timeout: float = 3.0) -> bool:
    """Whether ``url`` answers 200 within ``timeout`` seconds; ``off`` is always healthy."""
    if url == "off":
        return True
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    sys.exit(0 if healthy(os.environ.get("ENKONTAKT_HEALTH_URL", DEFAULT_URL)) else 1)
