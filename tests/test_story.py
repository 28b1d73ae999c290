"""The demo story: valid events, and every strand of the research is in it."""

from __future__ import annotations

import importlib
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import holidays
import orjson
import phonenumbers
import pytest
from stdnum.no import orgnr as stdnum_orgnr

from enkontakt.generate import OSLO
from enkontakt.story import story_events

Event = dict[str, Any]
NOWS = (
    datetime(2026, 6, 15, 12, 0, tzinfo=OSLO),  # a Monday
    datetime(2026, 4, 7, 8, 0, tzinfo=OSLO),  # the Tuesday after Easter
    datetime(2026, 1, 3, 18, 0, tzinfo=OSLO),  # a Saturday just after New Year
    datetime(2026, 10, 25, 3, 30, tzinfo=OSLO),  # the night summer time ends
)
TABLE_2 = (
    "Blomster",
    "Matkroken",
    "sentrallageret",
    "Møbellageret",
    "Bilverksted",
    "Opphogging",
    "Dekk og Felg",
    "Betong og Forskaling",
    "driftsavdelingen",
    "barneskole",
    "Nordnes skole",
    "Solsikken barnehage",
    "Trollskogen barnehage",
    "Hjemmetjenesten",
    "dialyseavdelingen",
    "geriatri og slag",
)


@pytest.fixture(params=NOWS, ids=lambda now: now.strftime("%Y-%m-%d"))
def now(request: pytest.FixtureRequest) -> datetime:
    moment: datetime = request.param
    return moment


def kind(event: Event) -> str:
    return ".".join(event["type"].split(".")[1:3])


def instant(event: Event) -> datetime:
    return datetime.fromisoformat(event["time"])


def of(events: list[Event], name: str) -> list[Event]:
    return [e for e in events if kind(e) == name]


def identifiers(actor: Event, person: Event) -> set[str]:
    """The contract's identifiers of a person record (CONTRACT §2, "Same human")."""
    found = set()
    if "id" in person:
        found.add(f"id:{actor['id']}:{person['id']}")
    if "email" in person:
        found.add("email:" + person["email"].strip().lower())
    if "phone" in person:
        number = phonenumbers.parse(person["phone"], "NO")
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        found.add("phone:" + e164)
    return found


def human_of(events: list[Event]) -> Any:
    """A function from a person record to its human (a representative identifier)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            key = parent[key]
        return key

    for event in events:
        data = event["data"]
        records = [(data["actor"], data["person"])] if "person" in data else []
        records += [(data["deputy"]["actor"], data["deputy"]["person"])] if "deputy" in data else []
        for actor, person in records:
            keys = sorted(identifiers(actor, person))
            for key in keys[1:]:
                parent[find(key)] = find(keys[0])
    return lambda actor, person: find(min(identifiers(actor, person)))


def business_days_between(first: date, last: date) -> int:
    """Whole business days strictly after ``first`` and strictly before ``last``."""
    closed = holidays.country_holidays("NO", years=range(first.year, last.year + 1))
    days = (first + timedelta(days=n) for n in range(1, (last - first).days))
    return sum(1 for day in days if day.weekday() < 5 and day not in closed)


def local_date(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


# ---------------------------------------------------------------- the envelope


def test_events_are_valid_cloudevents_in_the_last_120_days(now: datetime) -> None:
    events = story_events(now)
    for event in events:
        assert event["specversion"] == "1.0" and event["id"] and event["source"]
        assert now - timedelta(days=121) <= instant(event) < now
        assert event["time"][-6:] == instant(event).astimezone(OSLO).isoformat()[-6:]
        if "subject" in event:
            assert event["subject"] == event["data"]["employer"]["orgnr"]
    assert {kind(e) for e in events} == {
        "contact.registered",
        "inquiry.received",
        "inquiry.answered",
        "contact-person.assigned",
        "contact-person.absent",
        "follow-up.started",
        "follow-up.ended",
    }


def test_the_story_is_deterministic(now: datetime) -> None:
    assert orjson.dumps(story_events(now)) == orjson.dumps(story_events(now))


def test_no_run_of_eleven_digits(now: datetime) -> None:
    for event in story_events(now):
        text = re.sub(r"(?<=\d)[ .-]+(?=\d)", "", orjson.dumps(event).decode())
        assert not re.search(r"\d{11}", text), event


def test_the_sixteen_employers_of_table_2_with_valid_distinct_orgnrs() -> None:
    events = story_events(NOWS[0])
    names = {
        e["data"]["employer"]["orgnr"]: e["data"]["employer"].get("name")
        for e in events
        if "employer" in e["data"] and "name" in e["data"]["employer"]
    }
    orgnrs = {e["data"]["employer"]["orgnr"] for e in events if "employer" in e["data"]}
    assert all(stdnum_orgnr.is_valid(number) for number in orgnrs)
    assert orgnrs == names.keys(), "every employer is named somewhere"
    for word in TABLE_2:
        assert sum(word in name for name in names.values()) >= 1, word
    providers = {
        e["data"]["actor"]["id"]
        for e in events
        if e["data"].get("actor", {}).get("type") == "measure_provider"
    }
    assert len(providers) == 3 and all(stdnum_orgnr.is_valid(p) for p in providers)


# ---------------------------------------------------------------- the strands


def test_an_oslo_employer_met_more_than_ten_nav_contact_persons_in_30_days(now: datetime) -> None:
    events = story_events(now)
    human = human_of(events)
    met: dict[str, set[str]] = defaultdict(set)
    for event in of(events, "contact.registered"):
        data = event["data"]
        recent = now - timedelta(days=30) < instant(event) <= now
        if recent and data["actor"]["type"] == "nav_office":
            met[data["employer"]["orgnr"]].add(human(data["actor"], data["person"]))
    crowded = [orgnr for orgnr, humans in met.items() if len(humans) > 10]
    assert len(crowded) == 1
    assert all(len(humans) <= 3 for orgnr, humans in met.items() if orgnr not in crowded)
    offices = {
        e["data"]["actor"]["name"]
        for e in of(events, "contact.registered")
        if e["data"]["employer"]["orgnr"] == crowded[0]
        and e["data"]["actor"]["type"] == "nav_office"
    }
    assert len(offices) == 6 and all(
        e["data"]["actor"]["id"].startswith("03")
        for e in of(events, "contact.registered")
        if e["data"]["actor"]["name"] in offices
    )
    last_assigned = max(
        (
            e
            for e in of(events, "contact-person.assigned")
            if e["data"]["employer"]["orgnr"] == crowded[0]
        ),
        key=instant,
    )
    assert last_assigned["data"]["actor"]["type"] == "measure_provider"


def test_a_job_specialist_takes_over_the_follow_up_of_a_candidate(now: datetime) -> None:
    events = story_events(now)
    contacts = of(events, "contact.registered")
    taken_over = []
    for start in of(events, "follow-up.started"):
        if start["data"]["actor"]["type"] != "job_specialist":
            continue
        orgnr, candidate = start["data"]["employer"]["orgnr"], start["data"]["candidate"]
        here = [e for e in contacts if e["data"]["employer"]["orgnr"] == orgnr]
        adviser = [e for e in here if e["data"]["actor"]["type"] == "nav_office"]
        specialist = [e for e in here if e["data"]["actor"]["type"] == "job_specialist"]
        if (
            any(e["data"].get("candidate") == candidate for e in adviser)
            and all(instant(e) < instant(start) for e in adviser)
            and specialist
            and all(instant(e) > instant(start) for e in specialist)
        ):
            taken_over.append(orgnr)
    assert len(taken_over) == 1


def _assignment_of(events: list[Event], who: set[str], human: Any) -> Event | None:
    for event in sorted(of(events, "contact-person.assigned"), key=instant, reverse=True):
        if human(event["data"]["actor"], event["data"]["person"]) in who:
            return event
    return None


def test_contact_persons_on_leave_with_and_without_a_deputy(now: datetime) -> None:
    events = story_events(now)
    human = human_of(events)
    today = local_date(now)
    absent_now = [
        e
        for e in of(events, "contact-person.absent")
        if date.fromisoformat(e["data"]["from"]) <= today <= date.fromisoformat(e["data"]["until"])
    ]
    with_deputy = without = 0
    for absence in absent_now:
        who = {human(absence["data"]["actor"], absence["data"]["person"])}
        assignment = _assignment_of(events, who, human)
        assert assignment is not None
        if "deputy" in assignment["data"]:
            deputy = assignment["data"]["deputy"]
            assert human(deputy["actor"], deputy["person"]) not in who
            with_deputy += 1
        else:
            without += 1
    assert (with_deputy, without) == (1, 1)


def test_an_urgent_emergency_brake_inquiry_unanswered_past_its_deadline(now: datetime) -> None:
    events = story_events(now)
    answered = {
        (e["data"]["employer"]["orgnr"], e["data"]["inquiry_id"])
        for e in of(events, "inquiry.answered")
    }
    brakes = [
        e
        for e in of(events, "inquiry.received")
        if e["data"]["topic"] == "end_placement" and e["data"]["urgency"] == "urgent"
    ]
    assert len(brakes) == 1
    brake = brakes[0]
    assert (brake["data"]["employer"]["orgnr"], brake["data"]["inquiry_id"]) not in answered
    assert business_days_between(local_date(instant(brake)), local_date(now)) >= 1


def test_a_normal_inquiry_answered_slowly(now: datetime) -> None:
    events = story_events(now)
    received = {e["data"]["inquiry_id"]: e for e in of(events, "inquiry.received")}
    slow = [
        a
        for a in of(events, "inquiry.answered")
        if received[a["data"]["inquiry_id"]]["data"]["urgency"] == "normal"
        and received[a["data"]["inquiry_id"]]["data"]["topic"] != "end_placement"
        and business_days_between(
            local_date(instant(received[a["data"]["inquiry_id"]])), local_date(instant(a))
        )
        > 3
    ]
    assert len(slow) == 1


def _active_follow_ups(events: list[Event]) -> dict[tuple[str, str], Event]:
    active = {
        (e["data"]["employer"]["orgnr"], e["data"]["candidate"]["ref"]): e
        for e in of(events, "follow-up.started")
    }
    for ended in of(events, "follow-up.ended"):
        active.pop((ended["data"]["employer"]["orgnr"], ended["data"]["candidate"]["ref"]))
    return active


def test_a_follow_up_without_contact_for_more_than_90_days(now: datetime) -> None:
    events = story_events(now)
    latest: dict[str, datetime] = defaultdict(lambda: datetime.min.replace(tzinfo=OSLO))
    for event in of(events, "contact.registered") + list(_active_follow_ups(events).values()):
        orgnr = event["data"]["employer"]["orgnr"]
        latest[orgnr] = max(latest[orgnr], instant(event))
    active_at = {orgnr for orgnr, _ in _active_follow_ups(events)}
    gaps = [orgnr for orgnr in active_at if now - latest[orgnr] > timedelta(days=90)]
    assert len(gaps) == 1


def test_one_job_specialist_responsible_for_more_than_30_active_follow_ups(now: datetime) -> None:
    events = story_events(now)
    human = human_of(events)
    load = Counter(
        human(e["data"]["actor"], e["data"]["person"]) for e in _active_follow_ups(events).values()
    )
    (busiest, count), (_, runner_up) = load.most_common(2)
    assert count > 30 and runner_up <= 30
    assert {
        e["data"]["actor"]["type"]
        for e in _active_follow_ups(events).values()
        if human(e["data"]["actor"], e["data"]["person"]) == busiest
    } == {"job_specialist"}


def test_one_contact_reported_by_two_systems_minutes_apart(now: datetime) -> None:
    events = story_events(now)
    contacts = sorted(of(events, "contact.registered"), key=instant)
    pairs = [
        (a, b)
        for i, a in enumerate(contacts)
        for b in contacts[i + 1 :]
        if a["source"] != b["source"]
        and a["data"]["employer"]["orgnr"] == b["data"]["employer"]["orgnr"]
        and timedelta(0) < instant(b) - instant(a) <= timedelta(minutes=30)
        and identifiers(a["data"]["actor"], a["data"]["person"])
        & identifiers(b["data"]["actor"], b["data"]["person"])
    ]
    assert len(pairs) == 1


def test_one_exact_redelivery_arriving_later(now: datetime) -> None:
    events = story_events(now)
    keys = Counter((e["source"], e["id"]) for e in events)
    repeated = [key for key, n in keys.items() if n > 1]
    assert len(repeated) == 1
    copies = [orjson.dumps(e) for e in events if (e["source"], e["id"]) == repeated[0]]
    assert copies[0] == copies[1]
    assert (events[-1]["source"], events[-1]["id"]) == repeated[0]


# ---------------------------------------------------------------- against the real code


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name != name:
            raise
        pytest.skip(f"{name} is not there yet")


def test_the_validator_accepts_every_story_event(now: datetime) -> None:
    validation = _module("enkontakt.services.coordinator.validation")
    for event in story_events(now):
        result = validation.decode(orjson.dumps(event))
        assert not isinstance(result, validation.Rejection), (result, event)


def test_replaying_the_story_fires_every_kind_of_alert(tmp_path: Path) -> None:
    _module("enkontakt.replay")
    from enkontakt import cli

    now = NOWS[0]
    events = story_events(now)
    corpus = tmp_path / "story.jsonl"
    corpus.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    out = tmp_path / "out"
    assert cli.main(["replay", str(corpus), "--now", now.isoformat(), "--out", str(out)]) == 0
    firing = Counter(
        a["rule"] for a in json.loads((out / "alerts.json").read_text()) if a["status"] == "firing"
    )
    assert firing["response-overdue"] == 1
    assert firing["too-many-contact-persons"] == 1
    assert firing["contact-person-absent"] == 1
    assert firing["follow-up-gap"] == 1
    assert firing["caseload-high"] == 1
    assert firing["no-designated-contact"] >= 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["duplicates"] == 1 and summary["merged_reports"] == 1
    assert summary["rejected"] == 0
    bases = Counter(
        (v["contact_person"] or {}).get("basis")
        for v in json.loads((out / "views.json").read_text())
    )
    assert bases["deputy"] == 1 and bases["job_specialist"] >= 2 and bases["assigned"] >= 3
