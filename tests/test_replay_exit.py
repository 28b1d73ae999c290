"""How ``enkontakt replay`` ends: as a command it exits without freeing its state,
called in-process it returns; either way every output is complete and the status right."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from enkontakt.cli import main
from tests import builders as b

CONSOLE_SCRIPT = Path(sys.executable).parent / "enkontakt"
FILES = ("views.json", "alerts.json", "notices.json", "summary.json")


def events(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    lines = b.lines(b.contact("2026-10-05 09:30", b.person(1)), b.inquiry("2026-09-28 14:00", "Q1"))
    path.write_text("\n".join([*lines, "{not json"]) + "\n", encoding="utf-8")
    return path


def assert_complete(out: Path) -> None:
    for name in FILES:
        json.loads((out / name).read_text(encoding="utf-8"))
    [rejected] = (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(rejected)["error"] == "malformed-json"
    assert json.loads((out / "summary.json").read_text())["received"] == 3


def test_in_process_the_command_returns_and_collection_resumes(tmp_path: Path) -> None:
    assert main(["replay", str(events(tmp_path)), "--out", str(tmp_path / "out")]) == 0
    assert gc.isenabled()
    assert_complete(tmp_path / "out")


def test_in_process_a_usage_error_returns_two_and_collection_resumes(tmp_path: Path) -> None:
    assert main(["replay", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert gc.isenabled()


def commands() -> list[list[str]]:
    found = [[sys.executable, "-m", "enkontakt.cli"]]
    if CONSOLE_SCRIPT.exists():
        found.append([str(CONSOLE_SCRIPT)])
    return found


@pytest.mark.parametrize("command", commands(), ids=lambda c: Path(c[-1]).name)
def test_as_a_command_every_output_is_written_before_the_process_ends(
    tmp_path: Path, command: list[str]
) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [*command, "replay", str(events(tmp_path)), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("replayed 3 events: 2 applied, 0 duplicates, 1 rejected")
    assert_complete(out)


@pytest.mark.parametrize("command", commands(), ids=lambda c: Path(c[-1]).name)
def test_as_a_command_a_usage_error_exits_with_two(tmp_path: Path, command: list[str]) -> None:
    done = subprocess.run(
        [*command, "replay", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("enkontakt replay: cannot read")
    assert not (tmp_path / "o").exists()


def test_as_a_command_the_process_ends_without_interpreter_teardown(tmp_path: Path) -> None:
    # As the console script does: main imported from enkontakt.cli, arguments in sys.argv.
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('teardown', file=sys.stderr))\n"
        "from enkontakt.cli import main\n"
        "sys.exit(main())\n"
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", script, "replay", str(events(tmp_path)), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "teardown" not in done.stderr
    assert_complete(out)
