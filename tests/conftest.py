"""Test-wide settings.

Property tests are randomised on developers' machines, where a failure is
shrunk and kept in the local example database; under CI (``CI`` set) they run
derandomised, so that a submission's run can be repeated exactly.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
