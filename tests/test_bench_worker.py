"""The worker benchmark runs the coordinator's work as the service does, and its
table reports what it measured."""

from __future__ import annotations

import re
import sys

import pytest

from bench import bench_worker


def test_the_worker_benchmark_measures_the_backlog_and_the_load(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench_worker.py", "--events", "600", "--employers", "60", "--load", "300"]
    monkeypatch.setattr(sys, "argv", argv)

    assert bench_worker.main() == 0

    rows = {}
    for line in capsys.readouterr().out.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] in ("backlog", "load (random reports, now)"):
            rows[cells[0]] = cells
    backlog, load = rows["backlog"], rows["load (random reports, now)"]
    assert (backlog[1], load[1]) == ("600", "300")
    for row in (backlog, load):
        rate, *per_event, derived, published = (float(re.sub(",", "", c)) for c in row[2:])
        assert rate > 0 and all(us >= 0 for us in per_event)
        # A derivation publishes at most one view, and new contacts change views.
        assert derived >= published > 0
