"""The synthetic event stream: deterministic, valid, and shaped like the domain."""

from __future__ import annotations

import importlib
import io
import itertools
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import holidays
import orjson
import phonenumbers
import pytest
from email_validator import validate_email
from stdnum.no import orgnr as stdnum_orgnr

from enkontakt import cli
from enkontakt.generate import EVENT_TYPES, MEASURES, OSLO, generate_events, orgnr_for, write_events

START = datetime(2026, 1, 5, tzinfo=OSLO)
DAYS = 180
REQUIRED = ("specversion", "id", "source", "type", "time", "data")
ELEVEN_DIGITS = re.compile(r"\d{11}")
BETWEEN_DIGITS = re.compile(r"(?<=\d)[ .-]+(?=\d)")
Event = dict[str, Any]


@cache
def lines(
    events: int = 20_000,
    employers: int = 200,
    seed: int = 7,
    duplicate_rate: float = 0.05,
    redelivery_rate: float = 0.02,
) -> tuple[bytes, ...]:
    """A generated stream as JSON Lines (cached: the stream is deterministic)."""
    out = io.BytesIO()
    write_events(
        generate_events(
            employers=employers,
            events=events,
            seed=seed,
            start=START,
            days=DAYS,
            duplicate_rate=duplicate_rate,
            redelivery_rate=redelivery_rate,
        ),
        out,
    )
    return tuple(out.getvalue().splitlines())


@cache
def stream() -> tuple[Event, ...]:
    """The default stream, decoded."""
    return tuple(orjson.loads(line) for line in lines())


def of_type(kind: str, events: Iterable[Event] | None = None) -> list[Event]:
    return [e for e in (stream() if events is None else events) if e["type"].split(".")[1] == kind]


def instant(event: Event) -> datetime:
    return datetime.fromisoformat(event["time"])


def identifiers(actor: Event, person: Event) -> list[str]:
    """The contract's identifiers of a person record (CONTRACT §2, "Same human")."""
    found = []
    if "id" in person:
        found.append(f"id:{actor['id']}:{person['id']}")
    if "email" in person:
        found.append("email:" + person["email"].strip().lower())
    if "phone" in person:
        number = phonenumbers.parse(person["phone"], "NO")
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        found.append("phone:" + e164)
    return found


class Humans:
    """Union-find over identifiers: which person records are the same human."""

    def __init__(self, events: Iterable[Event]) -> None:
        self.parent: dict[str, str] = {}
        for event in events:
            for actor, person in _person_records(event["data"]):
                keys = identifiers(actor, person)
                for key in keys[1:]:
                    self._union(keys[0], key)

    def _find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def _union(self, a: str, b: str) -> None:
        self.parent[self._find(a)] = self._find(b)

    def of(self, actor: Event, person: Event) -> str:
        """The human a person record belongs to."""
        return self._find(identifiers(actor, person)[0])


def _person_records(data: Event) -> list[tuple[Event, Event]]:
    records = [(data["actor"], data["person"])] if "person" in data else []
    if "deputy" in data:
        records.append((data["deputy"]["actor"], data["deputy"]["person"]))
    return records


def most_contact_persons_in_30_days(contacts: list[Event], humans: Humans) -> int:
    """The largest number of distinct humans met by one employer in any 30-day window."""
    by_employer: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for event in contacts:
        data = event["data"]
        by_employer[data["employer"]["orgnr"]].append(
            (instant(event), humans.of(data["actor"], data["person"]))
        )
    best = 0
    for meetings in by_employer.values():
        meetings.sort()
        for end, _ in meetings:
            window = {who for at, who in meetings if end - timedelta(days=30) < at <= end}
            best = max(best, len(window))
    return best


# ---------------------------------------------------------------- determinism


def test_the_same_seed_gives_the_same_bytes() -> None:
    again = io.BytesIO()
    write_events(
        generate_events(
            employers=200,
            events=20_000,
            seed=7,
            start=START,
            days=DAYS,
            duplicate_rate=0.05,
            redelivery_rate=0.02,
        ),
        again,
    )
    assert again.getvalue().splitlines() == list(lines())


def test_another_seed_gives_another_stream() -> None:
    assert lines(events=2_000, seed=8) != lines(events=2_000, seed=7)


def test_the_command_writes_the_same_stream(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    status = cli.main(
        [
            "generate",
            "--employers",
            "200",
            "--events",
            "20000",
            "--seed",
            "7",
            "--start",
            "2026-01-05",
            "--days",
            "180",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    assert out.read_bytes().splitlines() == list(lines())


# ---------------------------------------------------------------- the envelope


def test_exactly_the_requested_number_of_lines() -> None:
    assert len(lines()) == 20_000
    assert len(lines(events=1, employers=1)) == 1
    assert lines(events=0) == ()


def test_every_line_is_a_cloudevent_of_one_of_the_seven_types() -> None:
    for event in stream():
        assert all(event.get(name) for name in REQUIRED), event
        assert event["specversion"] == "1.0"
        assert event["type"] in EVENT_TYPES
        assert isinstance(event["data"], dict)
        if "subject" in event:
            assert event["subject"] == event["data"]["employer"]["orgnr"]
    assert set(Counter(e["type"] for e in stream())) == set(EVENT_TYPES)


def test_times_fall_in_oslo_office_hours_on_business_days_in_the_span() -> None:
    closed = holidays.country_holidays("NO", years=[2026])
    for event in stream():
        moment = instant(event)
        local = moment.astimezone(OSLO)
        assert moment.utcoffset() == local.utcoffset(), event["time"]
        assert event["time"][-6:] in ("+01:00", "+02:00")
        assert START <= moment < START + timedelta(days=DAYS)
        assert local.weekday() < 5 and local.date() not in closed
        assert "07:30:00" <= local.strftime("%H:%M:%S") < "16:00:00"
    offsets = {event["time"][-6:] for event in stream()}
    assert offsets == {"+01:00", "+02:00"}, "the span crosses the change to summer time"


def test_mostly_in_time_order_with_a_little_jitter() -> None:
    times = [instant(event) for event in stream()]
    late = sum(1 for before, after in itertools.pairwise(times) if after < before)
    assert 0.005 * len(times) < late < 0.06 * len(times)
    assert times[-1] - times[0] > timedelta(days=DAYS - 10)


# ---------------------------------------------------------------- the values


def test_orgnrs_are_valid_and_distinct_per_index() -> None:
    employers = [orgnr_for(i) for i in range(20_000)]
    providers = [orgnr_for(i, 97_000_000) for i in range(2_000)]
    assert all(stdnum_orgnr.is_valid(number) for number in employers + providers)
    assert len(set(employers + providers)) == len(employers) + len(providers)
    assert orgnr_for(12) == orgnr_for(12)


def test_every_orgnr_in_the_stream_is_valid() -> None:
    seen = set()
    for event in stream():
        data = event["data"]
        numbers = [data["employer"]["orgnr"]] if "employer" in data else []
        numbers += [actor["id"] for actor in _actors(data) if actor["type"] == "measure_provider"]
        for number in numbers:
            assert stdnum_orgnr.is_valid(number), number
            seen.add(number)
    assert len(seen) > 150


def _actors(data: Event) -> list[Event]:
    return [actor for actor in (data.get("actor"), data.get("deputy", {}).get("actor")) if actor]


def test_nav_units_have_four_digits() -> None:
    for event in stream():
        for actor in _actors(event["data"]):
            if actor["type"] != "measure_provider":
                assert re.fullmatch(r"\d{4}", actor["id"]), actor


def test_no_run_of_eleven_digits_anywhere() -> None:
    for line in lines() + lines(events=50_000, employers=5_000, seed=3):
        text = BETWEEN_DIGITS.sub("", line.decode())
        assert not ELEVEN_DIGITS.search(text), line


def test_people_are_written_in_varied_ways() -> None:
    shapes: Counter[frozenset[str]] = Counter()
    formats: Counter[str] = Counter()
    for event in stream():
        for _, person in _person_records(event["data"]):
            shapes[frozenset(person) - {"name"}] += 1
            if "phone" in person:
                number = phonenumbers.parse(person["phone"], "NO")
                assert phonenumbers.is_valid_number(number), person["phone"]
                formats[re.sub(r"\d", "9", person["phone"])] += 1
                assert person["phone"].startswith(("+47", "4", "9")), person["phone"]
            if "email" in person:
                validate_email(person["email"].strip(), check_deliverability=False)
            assert person.keys() & {"id", "email", "phone"}
    assert {frozenset({"email"}), frozenset({"phone"}), frozenset({"id"})} <= set(shapes)
    assert {"+99 999 99 999", "99999999", "999 99 999"} <= set(formats)
    assert any(p.startswith(" ") for e in stream() for _, p in _emails(e)), "untrimmed e-mail"
    assert re.fullmatch(
        r"[A-Z]\d{6}",
        next(
            e["data"]["person"]["id"]
            for e in of_type("contact")
            if "id" in e["data"]["person"] and e["data"]["actor"]["type"] == "nav_office"
        ),
    )


def _emails(event: Event) -> list[tuple[Event, str]]:
    return [(a, p["email"]) for a, p in _person_records(event["data"]) if "email" in p]


def test_no_free_text_fields() -> None:
    allowed = {
        "employer",
        "actor",
        "person",
        "channel",
        "direction",
        "purpose",
        "candidate",
        "measure",
        "inquiry_id",
        "topic",
        "urgency",
        "deputy",
        "valid_until",
        "from",
        "until",
        "reason",
    }
    for event in stream():
        assert set(event["data"]) <= allowed, event["data"]


# ---------------------------------------------------------------- the domain


def test_duplicates_and_redeliveries_at_roughly_the_requested_rates() -> None:
    counts = Counter((e["source"], e["id"]) for e in stream())
    redelivered = sum(n - 1 for n in counts.values())
    assert 0.014 < redelivered / len(lines()) < 0.026
    repeated = [orjson.loads(line) for line in lines()]
    first: dict[tuple[str, str], bytes] = {}
    for line, event in zip(lines(), repeated, strict=True):
        assert first.setdefault((event["source"], event["id"]), line) == line, "exact repeats"
    contacts = _unique(of_type("contact"))
    assert 0.03 < _second_reports(contacts) / len(contacts) < 0.07


def test_zero_rates_give_no_duplicates_or_redeliveries() -> None:
    events = [
        orjson.loads(line) for line in lines(events=5_000, duplicate_rate=0.0, redelivery_rate=0.0)
    ]
    assert len({(e["source"], e["id"]) for e in events}) == len(events)
    assert _second_reports(of_type("contact", events)) == 0


def _unique(events: Iterable[Event]) -> list[Event]:
    return list({(e["source"], e["id"]): e for e in events}.values())


def _second_reports(contacts: list[Event]) -> int:
    """Contacts re-reported by another system within 15 minutes, sharing an identifier."""
    seen: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
    found = 0
    for event in sorted(contacts, key=instant):
        data, at = event["data"], instant(event)
        keys = identifiers(data["actor"], data["person"])
        orgnr = data["employer"]["orgnr"]
        if any(
            at - then <= timedelta(minutes=15) and source != event["source"]
            for key in keys
            for then, source in seen[orgnr, key]
        ):
            found += 1
        for key in keys:
            seen[orgnr, key].append((at, event["source"]))
    return found


def test_load_is_skewed_and_one_employer_meets_more_than_ten_contact_persons() -> None:
    contacts = _unique(of_type("contact"))
    per_employer = Counter(e["data"]["employer"]["orgnr"] for e in contacts)
    counts = sorted(per_employer.values())
    assert counts[-1] > 8 * counts[len(counts) // 2]
    humans = Humans(stream())
    assert most_contact_persons_in_30_days(contacts, humans) > 10


def test_inquiries_are_urgent_or_not_and_answered_fast_late_or_never() -> None:
    received = {
        e["data"]["inquiry_id"]: e for e in of_type("inquiry") if e["type"].endswith("received.v1")
    }
    answered = {
        e["data"]["inquiry_id"]: e for e in of_type("inquiry") if e["type"].endswith("answered.v1")
    }
    assert answered.keys() <= received.keys()
    assert sum(e["data"].get("urgency") == "urgent" for e in received.values()) > 20
    assert sum(e["data"]["topic"] == "end_placement" for e in received.values()) > 20
    waits = [instant(answered[i]) - instant(received[i]) for i in answered]
    assert min(waits) > timedelta(0)
    assert sum(w < timedelta(days=1) for w in waits) > 0.3 * len(waits)
    assert sum(w > timedelta(days=5) for w in waits) > 0.05 * len(waits)
    assert 0.05 < 1 - len(answered) / len(received) < 0.25


def test_assignments_absences_and_follow_ups_look_like_the_domain() -> None:
    assigned = [e["data"] for e in of_type("contact-person") if e["type"].endswith("assigned.v1")]
    assert any("deputy" in d for d in assigned) and any("deputy" not in d for d in assigned)
    assert any("valid_until" in d for d in assigned)
    for data in (e["data"] for e in of_type("contact-person") if e["type"].endswith("absent.v1")):
        assert date.fromisoformat(data["from"]) <= date.fromisoformat(data["until"])
    started = {
        (e["data"]["employer"]["orgnr"], e["data"]["candidate"]["ref"]): e
        for e in of_type("follow-up")
        if e["type"].endswith("started.v1")
    }
    ended = [e for e in of_type("follow-up") if e["type"].endswith("ended.v1")]
    assert {e["data"]["measure"] for e in started.values()} == set(MEASURES)
    assert {e["data"]["actor"]["type"] for e in started.values()} == {
        "nav_office",
        "job_specialist",
        "measure_provider",
    }
    assert len(ended) > 100
    for event in ended:
        begun = started[event["data"]["employer"]["orgnr"], event["data"]["candidate"]["ref"]]
        assert instant(begun) < instant(event)
    contact_types = {e["data"]["actor"]["type"] for e in of_type("contact")}
    assert contact_types == {
        "nav_office",
        "job_specialist",
        "measure_provider",
        "working_life_centre",
    }


# ---------------------------------------------------------------- the contract's decoder


def _validation() -> Any:
    try:
        return importlib.import_module("enkontakt.services.coordinator.validation")
    except ModuleNotFoundError as missing:
        if missing.name != "enkontakt.services.coordinator.validation":
            raise
        pytest.skip("the validator enkontakt/services/coordinator/validation.py is not there yet")


def test_the_validator_accepts_every_generated_event() -> None:
    validation = _validation()
    for line in lines() + lines(events=20_000, employers=2_000, seed=11):
        result = validation.decode(line)
        assert not isinstance(result, validation.Rejection), (result, line)


# ---------------------------------------------------------------- speed


def test_generation_is_fast() -> None:
    started = time.perf_counter()
    written = write_events(
        generate_events(
            employers=5_000,
            events=50_000,
            seed=5,
            start=START,
            days=DAYS,
            duplicate_rate=0.05,
            redelivery_rate=0.02,
        ),
        io.BytesIO(),
    )
    rate = written / (time.perf_counter() - started)
    assert rate > 40_000, f"{rate:,.0f} events/s (about 120,000 expected on one core)"
