"""``enkontakt replay`` as a command (CONTRACT §5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from enkontakt.cli import main
from tests import builders as b

SHARED_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "events.jsonl"


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def outputs(out: Path) -> dict:
    found = {
        name: json.loads((out / f"{name}.json").read_text())
        for name in ("views", "alerts", "notices", "summary")
    }
    found["rejected"] = [
        json.loads(line) for line in (out / "rejected.jsonl").read_text().splitlines()
    ]
    return found


def test_replay_writes_the_five_files(tmp_path: Path) -> None:
    good = b.lines(b.contact("2026-10-05 09:30", b.person(1)), b.inquiry("2026-09-28 14:00", "Q1"))
    path = write(tmp_path, good[0], "", "{not json", good[0], '{"specversion": "1.0"}', good[1])
    out = tmp_path / "out"
    assert main(["replay", str(path), "--out", str(out)]) == 0
    found = outputs(out)
    assert found["summary"] == {
        "received": 5,
        "applied": 2,
        "duplicates": 1,
        "rejected": 2,
        "contacts": 1,
        "merged_reports": 0,
    }
    assert [(r["line"], r["error"]) for r in found["rejected"]] == [
        (3, "malformed-json"),
        (5, "not-cloudevent"),
    ]
    assert [v["orgnr"] for v in found["views"]] == ["974760673"]
    assert found["alerts"][0]["rule"] == "response-overdue"


def test_the_rejected_detail_never_echoes_the_payload(tmp_path: Path) -> None:
    secret = b.contact("2026-10-05 09:30", {"name": "Kari Nordmann", "email": "not-an-address"})
    path = write(tmp_path, *b.lines(secret))
    out = tmp_path / "out"
    assert main(["replay", str(path), "--out", str(out)]) == 0
    [rejected] = outputs(out)["rejected"]
    assert rejected["error"] == "invalid-data"
    assert "not-an-address" not in rejected["detail"] and "Kari" not in rejected["detail"]


def test_views_are_sorted_by_orgnr_and_now_moves_the_clock(tmp_path: Path) -> None:
    events = [b.inquiry("2026-10-02 14:00", "Q1", orgnr=o) for o in ("974760673", "974760606")]
    path = write(tmp_path, *b.lines(*events))
    out = tmp_path / "out"
    assert main(["replay", str(path), "--out", str(out), "--now", "2026-10-09T12:00:00+02:00"]) == 0
    found = outputs(out)
    assert [v["orgnr"] for v in found["views"]] == ["974760606", "974760673"]
    assert all(v["open_inquiries"][0]["overdue"] for v in found["views"])
    assert len(found["alerts"]) == 2


def test_now_may_be_written_in_lower_case_as_rfc_3339_allows(tmp_path: Path) -> None:
    path = write(tmp_path, *b.lines(b.contact("2026-10-05 09:30", b.person(1))))
    statuses = []
    for n, now in enumerate(["2026-12-01T00:00:00Z", "2026-12-01t00:00:00z"]):
        out = tmp_path / f"out-{n}"
        statuses.append(main(["replay", str(path), "--out", str(out), "--now", now]))
    assert statuses == [0, 0]
    assert outputs(tmp_path / "out-0") == outputs(tmp_path / "out-1")


def test_thresholds_are_options(tmp_path: Path) -> None:
    path = write(tmp_path, *b.lines(b.inquiry("2026-10-02 14:00", "Q1")))
    out = tmp_path / "out"
    assert (
        main(
            [
                "replay",
                str(path),
                "--out",
                str(out),
                "--response-days",
                "5",
                "--now",
                "2026-10-08T12:00:00+02:00",
            ]
        )
        == 0
    )
    assert outputs(out)["alerts"] == []


@pytest.mark.parametrize(
    "args",
    [
        ["replay", "/nonexistent/events.jsonl"],
        ["replay", "EVENTS", "--now", "2026-10-01T00:00:00+02:00"],
        ["replay", "EVENTS", "--now", "yesterday"],
        ["replay", "EVENTS", "--now", "2026-12-01T00:00:00"],
        ["replay", "EVENTS", "--now", "2026-12-01"],
        ["replay", "EVENTS", "--now", "20261201T000000Z"],
        ["replay", "EVENTS", "--out", "A_FILE"],
        ["replay", "EVENTS", "--out", "A_FILE/below"],
        ["replay"],
    ],
)
def test_usage_errors_exit_with_two(tmp_path: Path, args: list[str]) -> None:
    path = write(tmp_path, *b.lines(b.contact("2026-10-05 09:30", b.person(1))))
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    args = [str(path) if a == "EVENTS" else a.replace("A_FILE", str(a_file)) for a in args]
    if "--out" not in args and len(args) > 1:
        args += ["--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit) if args == ["replay"] else _no_raise() as caught:
        status = main(args)
    status = caught.value.code if caught is not None and hasattr(caught, "value") else status
    assert status == 2
    assert not (tmp_path / "out").exists()
    assert a_file.read_text() == "not a folder"


class _no_raise:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_standard_input_and_the_console_command(tmp_path: Path) -> None:
    data = "\n".join(b.lines(b.contact("2026-10-05 09:30", b.person(1)))) + "\n"
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "enkontakt.cli", "replay", "-", "--out", str(out)],
        input=data,
        text=True,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert outputs(out)["summary"]["applied"] == 1


@pytest.mark.skipif(
    not SHARED_EXAMPLES.exists(), reason="the shared example events are not beside the project"
)
def test_the_shared_example_story(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["replay", str(SHARED_EXAMPLES), "--out", str(out)]) == 0
    found = outputs(out)
    assert found["summary"]["rejected"] == 0
    assert found["summary"]["merged_reports"] == 1
    [view] = found["views"]
    assert view["name"] == "Dekk og Felg Nord AS"
    assert view["contact_person"]["basis"] == "assigned"


def test_times_and_dates_outside_the_years_computed_with_are_rejected(tmp_path: Path) -> None:
    invalid = Path(__file__).resolve().parents[1] / "enkontakt" / "schemas" / "examples" / "invalid"
    names = [
        "not-cloudevent--time-after-2099.json",
        "not-cloudevent--time-year-9999.json",
        "not-cloudevent--time-before-1970.json",
        "not-cloudevent--time-offset-minutes-60.json",
        "invalid-data--valid-until-year-9999.json",
        "invalid-data--absence-until-year-9999.json",
    ]
    lines = [json.dumps(json.loads((invalid / name).read_text("utf-8"))) for name in names]
    last_days = [  # the latest the contract allows, which must not break the rules either
        json.loads(line) for line in lines if '"valid_until"' in line or '"until"' in line
    ]
    last_days[0]["data"]["valid_until"] = "2099-12-31"
    last_days[1]["data"]["until"] = "2099-12-31"
    inquiry = json.loads(lines[0]) | {"time": "2099-12-31T23:59:59-23:59"}
    accepted = [json.dumps(value) for value in (*last_days, inquiry)]
    out = tmp_path / "out"
    path = write(tmp_path, *lines, *accepted)
    result = subprocess.run(
        [sys.executable, "-m", "enkontakt.cli", "replay", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    found = outputs(out)
    assert [(r["line"], r["error"]) for r in found["rejected"]] == [
        (n, name.split("--")[0]) for n, name in enumerate(names, start=1)
    ]
    assert found["summary"]["applied"] == 3
