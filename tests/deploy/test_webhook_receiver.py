"""The compose setup's webhook receiver accepts only correctly signed notifications."""

from __future__ import annotations

import hashlib
import hmac
import runpy

from tests.deploy.conftest import ROOT

RECEIVER = runpy.run_path(str(ROOT / "deploy" / "compose" / "webhook_receiver.py"))


def test_the_signature_is_checked() -> None:
    body = b'{"status": "firing"}'
    good = "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert RECEIVER["signature_ok"](body, good, "secret")
    assert not RECEIVER["signature_ok"](body, good, "other")
    assert not RECEIVER["signature_ok"](body, None, "secret")


def test_the_summary_names_rules_and_unit_only() -> None:
    notification = {
        "status": "firing",
        "groupLabels": {"unit": "1902"},
        "alerts": [{"labels": {"rule": "response-overdue"}, "annotations": {"summary": "x"}}],
    }
    assert RECEIVER["summary"](notification) == ("unit 1902: firing (1 alert(s): response-overdue)")
