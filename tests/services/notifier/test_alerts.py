"""The lifecycle of published alerts on Kafka: one message per change, stable ids."""

from __future__ import annotations

from enkontakt.services.notifier.alerts import Lifecycle, alert_id


def alert(start: int, end: int | None) -> tuple[int, int | None, dict]:
    body = {
        "alert_id": alert_id("r", "k", start),
        "rule": "r",
        "key": "k",
        "starts_at": str(start),
        "ends_at": None if end is None else str(end),
        "status": "firing" if end is None else "resolved",
    }
    return (start, end, body)


def test_only_changes_are_published_and_a_moved_start_keeps_the_id() -> None:
    life = Lifecycle()
    [first] = life.update("r", "k", [alert(20, None)])
    assert life.update("r", "k", [alert(20, None)]) == []
    [moved] = life.update("r", "k", [alert(10, None)])
    assert moved["alert_id"] == first["alert_id"]
    assert moved["starts_at"] == "10"


def test_a_firing_split_in_two_gives_two_ids() -> None:
    life = Lifecycle()
    life.update("r", "k", [alert(20, None)])
    life.update("r", "k", [alert(0, None)])
    changed = life.update("r", "k", [alert(0, 10), alert(20, None)])
    assert len({a["alert_id"] for a in changed}) == 2


def test_a_firing_that_never_held_is_resolved_with_no_duration() -> None:
    life = Lifecycle()
    life.update("r", "k", [alert(20, None)])
    [gone] = life.update("r", "k", [])
    assert (gone["status"], gone["ends_at"], gone["starts_at"]) == ("resolved", "20", "20")
    assert life.update("r", "k", []) == []


def test_each_change_of_a_firing_carries_a_higher_version() -> None:
    life = Lifecycle()
    [first] = life.update("r", "k", [alert(20, None)])
    [resolved] = life.update("r", "k", [alert(20, 30)])
    [again] = life.update("r", "k", [alert(20, None)])  # a late event: it never cleared
    [earlier] = life.update("r", "k", [alert(20, 25)])
    assert life.update("r", "k", [alert(20, 25)]) == []
    [gone] = life.update("r", "k", [])
    messages = (first, resolved, again, earlier, gone)
    assert [(a["status"], a["version"]) for a in messages] == [
        ("firing", 1),
        ("resolved", 2),
        ("firing", 3),
        ("resolved", 4),
        ("resolved", 5),
    ]
    assert len({a["alert_id"] for a in messages}) == 1


def test_a_firing_stored_before_versions_goes_on_from_one() -> None:
    life = Lifecycle()
    life.update("r", "k", [alert(20, None)])
    [stored] = life.published[("r", "k")]
    del stored.alert["version"]
    [resolved] = life.update("r", "k", [alert(20, 30)])
    assert resolved["version"] == 1
