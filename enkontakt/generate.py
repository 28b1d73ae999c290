"""Synthetic streams of contact events, for tests, demos and benchmarks.

`generate_events` imitates what the upstream systems publish about a population
of employers, modelled on the research behind Én kontakt:

- NAV offices whose advisers each follow their own candidates, so an employer
  with several candidates meets several advisers; one employer in Oslo (index 0)
  takes in many candidates and meets more than ten advisers a month;
- job specialists and measure providers who take over follow-up, and
  working-life centres that talk to employers without a candidate;
- the same human written in different ways: sometimes only an e-mail, only a
  phone number (in several formats) or only a NAV ident;
- the same contact reported by two systems a few minutes apart (a duplicate in
  the domain's sense) and exact redeliveries of an earlier event;
- inquiries, some urgent or about ending a placement, answered quickly, late or
  never; assignments with deputies and end dates; absences; follow-ups started
  and ended;
- a skewed load (a few employers get many contacts), times during Oslo office
  hours on business days, and a little arrival jitter.

Everything is drawn from one ``random.Random(seed)``: the same arguments give the
same stream, byte for byte. No value holds free text or a run of eleven digits.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import heapq
import os
import random
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO, TypeVar
from zoneinfo import ZoneInfo

import holidays
import orjson
from stdnum.no import orgnr as stdnum_orgnr

Event = dict[str, Any]
T = TypeVar("T")


def _words(text: str) -> tuple[str, ...]:
    """The words of ``text``: a compact way to write a list of names."""
    return tuple(text.split())


OSLO = ZoneInfo("Europe/Oslo")
CONTACT = "enkontakt.contact.registered.v1"
INQUIRY = "enkontakt.inquiry.received.v1"
ANSWER = "enkontakt.inquiry.answered.v1"
ASSIGNED = "enkontakt.contact-person.assigned.v1"
ABSENT = "enkontakt.contact-person.absent.v1"
STARTED = "enkontakt.follow-up.started.v1"
ENDED = "enkontakt.follow-up.ended.v1"
EVENT_TYPES = (CONTACT, INQUIRY, ANSWER, ASSIGNED, ABSENT, STARTED, ENDED)
MEASURES = _words("ARBTREN MIDLONTIL VARLONTIL MENTOR INKLUTILS IPSUNG INDOPPFAG AVKLARAG")

EMPLOYER_ORGNR_BASE = 91_000_000
PROVIDER_ORGNR_BASE = 97_000_000
WORKDAY_START = 7 * 3600 + 1800  # 07:30 local time
WORKDAY = 8 * 3600 + 1800  # until 16:00 local time
MINUTE = 60

FIRST_NAMES = _words(
    "Kari Ola Ingrid Lars Marte Anders Siri Jonas Hilde Per Nora Emil Ida Sindre Tone "
    "Magnus Liv Henrik Camilla Eirik Silje Håkon Marit Jørgen Astrid Vegard Ragnhild "
    "Øystein Solveig Bjørn Torunn Even Åse Kjetil Guro Trond Mari Stian"
)
SURNAMES = _words(
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen "
    "Johnsen Pettersen Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl "
    "Jørgensen Halvorsen Henriksen Lund Sørensen Moen Gundersen Iversen Strand Solberg "
    "Svendsen Eide Knutsen Martinsen Paulsen Bakken Mathisen Lie Aas Brekke"
)
OSLO_OFFICES = ("Grünerløkka", "Gamle Oslo", "Alna", "Stovner", "Grorud", "Bjerke")
PLACES = _words(
    "Bergen Trondheim Stavanger Kristiansand Tromsø Drammen Fredrikstad Sandnes Bodø "
    "Ålesund Hamar Gjøvik Lillehammer Molde Harstad Alta Narvik Arendal Larvik Sandefjord "
    "Tønsberg Skien Porsgrunn Haugesund Kongsberg Halden Moss Sarpsborg Steinkjer Levanger "
    "Namsos Elverum Kongsvinger Førde Voss Mandal Grimstad Vadsø"
)
# The sixteen kinds of employers in Table 2 of the research article.
EMPLOYER_KINDS = (
    "{place} Blomster AS",
    "Matkroken {place} AS",
    "{place} sykehus, sentrallageret",
    "Møbellageret {place} AS",
    "{surname} Bilverksted AS",
    "{place} Bildeler og Opphogging AS",
    "Dekk og Felg {place} AS",
    "{surname} Betong og Forskaling AS",
    "{place} sykehus, driftsavdelingen",
    "{place} barneskole",
    "{surname}haugen skole",
    "{place} barnehage",
    "Solstua barnehage {place}",
    "Hjemmetjenesten {place}",
    "{place} sykehus, dialyseavdelingen",
    "{place} sykehus, geriatri og slag",
)
PROVIDER_NAMES = (
    "Arbeidshuset",
    "Jobbtrening",
    "Aktiv Oppfølging",
    "Veien Videre",
    "Inkluderingspartner",
    "Arbeid og Mestring",
)
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ü": "u", " ": "-"})


def orgnr_for(index: int, base: int = EMPLOYER_ORGNR_BASE) -> str:
    """The ``index``-th synthetic organisation number counted from ``base``.

    The eight leading digits are ``base + 2 * index``; when no check digit fits
    (mod 11 gives 10) the odd neighbour is used, which always fits, so the
    numbers are distinct, valid and the same for the same index every time.
    """
    prefix = base + 2 * index
    digit = _check_digit(prefix)
    if digit is None:
        prefix += 1
        digit = _check_digit(prefix)
    return f"{prefix}{digit}"


def _check_digit(prefix: int) -> int | None:
    """The mod-11 check digit completing an eight-digit prefix, or None if none fits."""
    digit = -stdnum_orgnr.checksum(f"{prefix}0") % 11
    return None if digit == 10 else digit


# ---------------------------------------------------------------- the people


@dataclass(frozen=True, slots=True)
class Human:
    """One person working for an actor, with the ways upstream systems write them."""

    actor: Event
    actor_bare: Event
    full: Event
    variants: tuple[Event, ...]

    def report(self, rng: random.Random) -> Event:
        """A person object as one upstream system might write this human."""
        return self.variants[int(rng.random() * len(self.variants))]


def _surname(index: int) -> str:
    """The surname of human ``index``; with the first name, unique in each block of
    len(FIRST_NAMES) * len(SURNAMES) humans (39 is coprime with 40)."""
    return SURNAMES[(index + index // len(FIRST_NAMES)) % len(SURNAMES)]


def make_human(index: int, actor: Event, domain: str, ident: str | None) -> Human:
    """Human number ``index`` of the population, working for ``actor``.

    E-mail addresses and phone numbers are unique to the index, so two humans
    never share an identifier.
    """
    first, last = FIRST_NAMES[index % len(FIRST_NAMES)], _surname(index)
    local = f"{first}.{last}".lower().translate(_ASCII)
    block = index // (len(FIRST_NAMES) * len(SURNAMES))
    email = f"{local}{block or ''}@{domain}"
    digits = str(40_000_000 + (index * 7919 + 12_345) % 9_000_000)
    phones = (
        f"+47 {digits[:3]} {digits[3:5]} {digits[5:]}",
        digits,
        f"{digits[:3]} {digits[3:5]} {digits[5:]}",
        f"+47{digits}",
    )
    name = f"{first} {last}"
    full: Event = {"name": name, "email": email, "phone": phones[index % 4]}
    if ident is not None:
        full = {"id": ident, **full}
    by_email: Event = {"email": email if index % 3 else f" {email.capitalize()} "}
    by_phone: Event = {"phone": phones[(index + 1) % 4]}
    by_name_phone: Event = {"name": name, "phone": phones[(index + 2) % 4]}
    others = [by_email, by_phone, by_name_phone]
    if ident is not None:
        others += [{"id": ident}, {"id": ident, "name": name}]
    variants = (full, full, full, *others)
    bare = {"type": actor["type"], "id": actor["id"]}
    return Human(actor, bare, full, tuple(variants))


@dataclass(slots=True)
class Office:
    """A NAV office with its place, advisers and job specialists."""

    place: str
    advisers: list[Human]
    specialists: list[Human]


@dataclass(slots=True)
class FollowUp:
    """A candidate followed up at an employer: who follows, and when it ends."""

    candidate: Event
    measure: str
    responsible: Human
    adviser: Human
    ends: float


@dataclass(slots=True)
class Employer:
    """An employer: its identity, its NAV office and its running follow-ups."""

    orgnr: str
    named: Event
    bare: Event
    office: Office
    provider: list[Human] | None
    centre: list[Human] | None
    main: Human
    follow_ups: list[FollowUp] = field(default_factory=list)


@dataclass(slots=True)
class World:
    """Everyone in a generated stream."""

    offices: list[Office]
    employers: list[Employer]
    crowded_pool: list[Human]
    nav_humans: list[Human]


def build_world(employers: int) -> World:
    """The offices, providers, centres and employers of a stream with ``employers``."""
    counter = iter(range(10**7))
    offices = [_office(i, counter) for i in range(min(400, max(6, employers // 25)))]
    providers = [_provider(i, counter) for i in range(min(300, max(2, employers // 60)))]
    centres = [_centre(i, counter) for i in range(min(15, max(2, employers // 100)))]
    crowded = [h for office in offices[: len(OSLO_OFFICES)] for h in office.advisers[:3]]
    built = [_employer(i, offices, providers, centres) for i in range(employers)]
    nav = [h for office in offices for h in (*office.advisers, *office.specialists)]
    return World(offices, built, crowded, nav)


def _office(i: int, counter: Iterator[int]) -> Office:
    if i < len(OSLO_OFFICES):
        place, unit, name = "Oslo", f"03{31 + i:02d}", f"NAV {OSLO_OFFICES[i]}"
    else:
        k = i - len(OSLO_OFFICES)
        place, unit = PLACES[k % len(PLACES)], f"{10 + i // 60:02d}{10 + i % 60:02d}"
        name = f"NAV {place}" + (f" {k // len(PLACES) + 1}" if k >= len(PLACES) else "")
    office_actor = {"type": "nav_office", "id": unit, "name": name}
    specialist_actor = {"type": "job_specialist", "id": unit, "name": f"{name}, jobbspesialister"}
    advisers = [_nav_human(next(counter), office_actor) for _ in range(12)]
    specialists = [_nav_human(next(counter), specialist_actor) for _ in range(2)]
    return Office(place, advisers, specialists)


def _nav_human(index: int, actor: Event) -> Human:
    letter = _surname(index)[0]
    return make_human(index, actor, "nav.no", f"{letter}{100_000 + index:06d}")


def _provider(i: int, counter: Iterator[int]) -> list[Human]:
    label = PROVIDER_NAMES[i % len(PROVIDER_NAMES)]
    place = PLACES[i // len(PROVIDER_NAMES) % len(PLACES)]
    name = f"{label} {place} AS"
    actor = {"type": "measure_provider", "id": orgnr_for(i, PROVIDER_ORGNR_BASE), "name": name}
    domain = f"{label}-{place}.no".lower().translate(_ASCII)
    return [
        make_human(n, actor, domain, None if n % 2 else f"ansatt-{n % 10_000:04d}")
        for n in (next(counter) for _ in range(3))
    ]


def _centre(i: int, counter: Iterator[int]) -> list[Human]:
    place = PLACES[i % len(PLACES)]
    actor = {
        "type": "working_life_centre",
        "id": f"{1 + i:02d}90",
        "name": f"NAV Arbeidslivssenter {place}",
    }
    return [_nav_human(next(counter), actor) for _ in range(3)]


def _employer(
    i: int,
    offices: Sequence[Office],
    providers: Sequence[list[Human]],
    centres: Sequence[list[Human]],
) -> Employer:
    office = offices[0] if i == 0 else offices[(i * 13) % len(offices)]
    kind = EMPLOYER_KINDS[3 if i == 0 else i % len(EMPLOYER_KINDS)]
    name = kind.format(place=office.place, surname=SURNAMES[(i * 11) % len(SURNAMES)])
    orgnr = orgnr_for(i)
    provider = providers[i % len(providers)] if i % 3 == 0 else None
    centre = centres[i % len(centres)] if i % 5 == 0 else None
    main = office.advisers[(i * 5) % len(office.advisers)]
    return Employer(
        orgnr, {"orgnr": orgnr, "name": name}, {"orgnr": orgnr}, office, provider, centre, main
    )


# ---------------------------------------------------------------- the clock


class Calendar:
    """Maps office-hours seconds to local times on Oslo business days.

    An instant in a stream is a number of office-hours seconds since the first
    business day: each business day contributes 07:30 to 16:00 local time.
    """

    def __init__(self, start: datetime, days: int) -> None:
        local = start.replace(tzinfo=OSLO) if start.tzinfo is None else start.astimezone(OSLO)
        first = local.date()
        span = [first + timedelta(days=n) for n in range(max(1, days))]
        closed = holidays.country_holidays("NO", years=sorted({d.year for d in span}))
        open_days = [d for d in span if d.weekday() < 5 and d not in closed] or span
        self.dates = open_days
        self.texts = [d.isoformat() for d in open_days]
        self.offsets = [_offset(d) for d in open_days]
        self.clock = [_time_of_day(WORKDAY_START + second) for second in range(WORKDAY)]
        since = local.hour * 3600 + local.minute * 60 + local.second - WORKDAY_START
        self.first = float(min(max(since, 0), WORKDAY - 1)) if open_days[0] == first else 0.0
        self.end = float(len(open_days) * WORKDAY)

    def stamp(self, moment: float) -> str:
        """RFC 3339 text, with the Oslo offset, of an office-hours instant."""
        day, second = divmod(min(int(moment), int(self.end) - 1), WORKDAY)
        return self.texts[day] + self.clock[second] + self.offsets[day]

    def day(self, moment: float) -> date:
        """The local date of an office-hours instant."""
        return self.dates[min(int(moment) // WORKDAY, len(self.dates) - 1)]


def _time_of_day(second: int) -> str:
    """``THH:MM:SS`` for a second of the local day."""
    hour, rest = divmod(second, 3600)
    minute, sec = divmod(rest, 60)
    return f"T{hour:02d}:{minute:02d}:{sec:02d}"


def _offset(day: date) -> str:
    """The Oslo UTC offset at noon on ``day``, as ``+01:00`` or ``+02:00``."""
    delta = datetime.combine(day, time(12), OSLO).utcoffset() or timedelta()
    hours, minutes = divmod(int(delta.total_seconds()) // 60, 60)
    return f"+{hours:02d}:{minutes:02d}"


# ---------------------------------------------------------------- the stream


@dataclass(frozen=True, slots=True)
class Source:
    """An upstream system: its URI, its id prefix, and whether it sets ``subject``."""

    uri: str
    prefix: str
    structured: bool


CRM = Source("urn:system:nav-crm", "crm", True)
CALENDAR = Source("urn:system:calendar-sync", "cal", False)
IPS = Source("urn:system:ips-journal", "ips", False)
IA = Source("urn:system:ia-crm", "ia", False)
FORM = Source("urn:system:kontaktskjema", "ks", False)
HR = Source("urn:system:hr", "hr", False)
ARENA = Source("urn:system:arena", "arena", True)
PROVIDER = Source("urn:system:provider-portal", "tp", False)
_SOURCE_OF_ACTOR = {
    "nav_office": CRM,
    "job_specialist": IPS,
    "working_life_centre": IA,
    "measure_provider": PROVIDER,
}

CHANNELS = (
    ("phone",) * 7 + ("email",) * 4 + ("meeting",) * 3 + ("visit",) * 3 + ("video",) * 2 + ("sms",)
)
PURPOSES = ("placement", "paperwork", "agreement", "recruitment", "other", "placement")
TOPICS = (
    ("candidate_problem",) * 4
    + ("paperwork",) * 3
    + ("information",) * 3
    + ("end_placement",) * 2
    + ("other",)
)
REASONS = ("completed",) * 4 + ("hired",) * 2 + ("ended_by_employer", "ended_by_candidate", "other")
NAV_MEASURES = ("ARBTREN", "ARBTREN", "MIDLONTIL", "MIDLONTIL", "VARLONTIL", "MENTOR", "INKLUTILS")
PROVIDER_MEASURES = ("ARBTREN", "INDOPPFAG", "AVKLARAG", "ARBTREN")
JITTER_RATE = 0.01
RING = 4096


class Stream:
    """The state of one generated stream: the world, the clock and what is pending."""

    def __init__(
        self, world: World, calendar: Calendar, rng: random.Random, duplicate_rate: float
    ) -> None:
        self.world = world
        self.calendar = calendar
        self.rng = rng
        self.duplicate_rate = duplicate_rate
        self.pending: list[tuple[float, int, Event]] = []
        self.seq = 0
        self.weights = _skewed_weights(len(world.employers))

    def event(
        self, source: Source, type_: str, moment: float, data: Event, subject: str | None
    ) -> Event:
        """A CloudEvent from ``source`` at an office-hours instant."""
        self.seq += 1
        event: Event = {
            "specversion": "1.0",
            "id": f"{source.prefix}-{self.seq}",
            "source": source.uri,
            "type": type_,
            "time": self.calendar.stamp(moment),
        }
        if source.structured:
            event["datacontenttype"] = "application/json"
            if subject is not None:
                event["subject"] = subject
        event["data"] = data
        return event

    def later(self, moment: float, event: Event) -> None:
        """Schedule ``event`` to happen at ``moment``."""
        heapq.heappush(self.pending, (moment, self.seq, event))

    def employer(self) -> Employer:
        """An employer, drawn with a skew towards the first ones."""
        weights = self.weights
        return self.world.employers[bisect.bisect(weights, self.rng.random() * weights[-1])]

    def follow_up(self, employer: Employer, moment: float) -> FollowUp | None:
        """One of the employer's follow-ups still running at ``moment``, if any."""
        running = employer.follow_ups
        while running:
            index = int(self.rng.random() * len(running))
            chosen = running[index]
            if chosen.ends > moment:
                return chosen
            running[index] = running[-1]
            running.pop()
        return None

    def pick(self, options: Sequence[T]) -> T:
        """A uniformly chosen option."""
        return options[int(self.rng.random() * len(options))]


def _skewed_weights(count: int) -> list[float]:
    """Cumulative draw weights: 70 % uniform, 30 % Zipf over the employer index."""
    harmonic = sum(1.0 / (i + 1) for i in range(count))
    total, cumulative = 0.0, []
    for i in range(count):
        total += 0.7 / count + 0.3 / ((i + 1) * harmonic)
        cumulative.append(total)
    return cumulative


def contact(stream: Stream, moment: float) -> Event:
    """A contact at an employer, about a followed-up candidate or the employer itself."""
    rng = stream.rng
    employer = stream.employer()
    running = stream.follow_up(employer, moment)
    data: Event
    if running is not None and rng.random() < 0.8:
        human = running.responsible if rng.random() < 0.6 else running.adviser
        data = _contact_data(stream, employer, human)
        data["purpose"] = "follow_up"
        data["candidate"] = running.candidate
        if rng.random() < 0.7:
            data["measure"] = running.measure
    else:
        human = _employer_contact(stream, employer)
        data = _contact_data(stream, employer, human)
        if rng.random() < 0.6:
            data["purpose"] = stream.pick(PURPOSES)
    source = _SOURCE_OF_ACTOR[human.actor["type"]]
    event = stream.event(source, CONTACT, moment, data, employer.orgnr)
    if rng.random() < stream.duplicate_rate:
        _second_report(stream, event, data, human, moment)
    return event


def _contact_data(stream: Stream, employer: Employer, human: Human) -> Event:
    rng = stream.rng
    data: Event = {
        "employer": employer.named if rng.random() < 0.6 else employer.bare,
        "actor": human.actor if rng.random() < 0.5 else human.actor_bare,
        "person": human.report(rng),
        "channel": stream.pick(CHANNELS),
    }
    draw = rng.random()
    if draw < 0.2:
        data["direction"] = "inbound"
    elif draw < 0.4:
        data["direction"] = "outbound"
    return data


def _employer_contact(stream: Stream, employer: Employer) -> Human:
    """Who talks to an employer outside a follow-up: mostly its usual adviser."""
    draw = stream.rng.random()
    if employer is stream.world.employers[0]:
        return stream.pick(stream.world.crowded_pool)
    if employer.centre is not None and draw < 0.15:
        return stream.pick(employer.centre)
    if draw < 0.75:
        return employer.main
    return stream.pick(employer.office.advisers)


def _second_report(stream: Stream, first: Event, data: Event, human: Human, moment: float) -> None:
    """The same contact reported by another system a few minutes later."""
    source = CALENDAR if first["source"] == CRM.uri else CRM
    room = WORKDAY - 1 - moment % WORKDAY
    delay = min(stream.rng.uniform(1, 15) * MINUTE, room)
    second = {**data, "person": human.full}
    subject = data["employer"]["orgnr"]
    stream.later(moment + delay, stream.event(source, CONTACT, moment + delay, second, subject))


def inquiry(stream: Stream, moment: float) -> Event:
    """An inquiry from an employer, with its answer scheduled (or never coming)."""
    rng = stream.rng
    employer = stream.employer()
    inquiry_id = f"KS-{stream.seq + 1:07d}"
    data: Event = {
        "employer": employer.bare,
        "inquiry_id": inquiry_id,
        "topic": stream.pick(TOPICS),
        "channel": stream.pick(CHANNELS),
    }
    if rng.random() < 0.15:
        data["urgency"] = "urgent"
    elif rng.random() < 0.3:
        data["urgency"] = "normal"
    answerer = employer.main if rng.random() < 0.7 else stream.pick(employer.office.advisers)
    if rng.random() < 0.5:
        data["actor"] = answerer.actor_bare
        data["person"] = answerer.report(rng)
    event = stream.event(FORM, INQUIRY, moment, data, employer.orgnr)
    if rng.random() < 0.88:
        when = moment + _answer_delay(rng)
        answer = {
            "employer": employer.bare,
            "inquiry_id": inquiry_id,
            "actor": answerer.actor_bare,
            "person": answerer.report(rng),
        }
        stream.later(when, stream.event(CRM, ANSWER, when, answer, employer.orgnr))
    return event


def _answer_delay(rng: random.Random) -> float:
    """Office-hours seconds until an answer: mostly fast, sometimes late."""
    draw = rng.random()
    if draw < 0.55:
        return rng.uniform(0.02, 0.9) * WORKDAY
    if draw < 0.85:
        return rng.uniform(0.9, 3.0) * WORKDAY
    return rng.uniform(3.0, 10.0) * WORKDAY


def start_follow_up(stream: Stream, moment: float) -> Event:
    """A candidate starts at an employer; the follow-up may end later."""
    rng = stream.rng
    employer = stream.employer()
    office = employer.office
    pool = stream.world.crowded_pool if employer is stream.world.employers[0] else office.advisers
    adviser: Human = stream.pick(pool)
    draw = rng.random()
    if draw < 0.25:
        responsible: Human = stream.pick(office.specialists)
        measure = "IPSUNG" if rng.random() < 0.7 else "ARBTREN"
    elif draw < 0.55 and employer.provider is not None:
        responsible = stream.pick(employer.provider)
        measure = stream.pick(PROVIDER_MEASURES)
    else:
        responsible, measure = adviser, stream.pick(NAV_MEASURES)
    candidate = {"ref": f"k{stream.seq + 1:x}-{rng.getrandbits(16):04x}"}
    ends = moment + rng.uniform(40, 130) * WORKDAY if rng.random() < 0.75 else float("inf")
    employer.follow_ups.append(FollowUp(candidate, measure, responsible, adviser, ends))
    data = {
        "employer": employer.bare,
        "candidate": candidate,
        "measure": measure,
        "actor": responsible.actor,
        "person": responsible.report(rng),
    }
    if ends < stream.calendar.end:
        ended = {"employer": employer.bare, "candidate": candidate, "reason": stream.pick(REASONS)}
        stream.later(ends, stream.event(ARENA, ENDED, ends, ended, employer.orgnr))
    return stream.event(ARENA, STARTED, moment, data, employer.orgnr)


def assign(stream: Stream, moment: float) -> Event:
    """A contact person assigned to an employer, perhaps with a deputy and an end date."""
    rng = stream.rng
    employer = stream.employer()
    person = employer.main
    if employer.provider is not None and rng.random() < 0.2:
        person = employer.provider[0]
    data: Event = {"employer": employer.bare, "actor": person.actor, "person": person.full}
    if rng.random() < 0.5:
        deputy: Human = stream.pick(employer.office.advisers)
        if deputy is not person:
            data["deputy"] = {"actor": deputy.actor_bare, "person": deputy.report(rng)}
    if rng.random() < 0.6:
        until = stream.calendar.day(moment) + timedelta(days=int(rng.uniform(60, 366)))
        data["valid_until"] = until.isoformat()
    return stream.event(CRM, ASSIGNED, moment, data, employer.orgnr)


def absence(stream: Stream, moment: float) -> Event:
    """A NAV adviser or job specialist away for a while (sick leave, holiday)."""
    rng = stream.rng
    human: Human = stream.pick(stream.world.nav_humans)
    begins = stream.calendar.day(moment) + timedelta(days=int(rng.uniform(0, 15)))
    ends = begins + timedelta(days=int(rng.uniform(1, 22)))
    data = {
        "actor": human.actor_bare,
        "person": human.report(rng),
        "from": begins.isoformat(),
        "until": ends.isoformat(),
    }
    return stream.event(HR, ABSENT, moment, data, None)


_KINDS = (
    (0.66, contact),
    (0.75, inquiry),
    (0.87, start_follow_up),
    (0.95, assign),
    (1.01, absence),
)


def _happening(stream: Stream, moment: float) -> Event:
    """A new event of a kind drawn by weight (followers are scheduled, not drawn)."""
    draw = stream.rng.random()
    for bound, make in _KINDS:
        if draw < bound:
            return make(stream, moment)
    raise AssertionError("unreachable")


def _in_time_order(stream: Stream, count: int) -> Iterator[Event]:
    """Events in time order: what is due among the scheduled ones, else a new one."""
    step = (stream.calendar.end - stream.calendar.first) / max(count, 1)
    clock = stream.calendar.first
    pending = stream.pending
    while True:
        clock += step
        if pending and pending[0][0] <= clock:
            yield heapq.heappop(pending)[2]
        else:
            yield _happening(stream, clock - stream.rng.random() * step)


def generate_events(
    *,
    employers: int,
    events: int,
    seed: int,
    start: datetime,
    days: int,
    duplicate_rate: float,
    redelivery_rate: float,
) -> Iterator[Event]:
    """Exactly ``events`` valid contact events about ``employers`` employers.

    Times fall on Oslo business days in ``days`` days from ``start``, mostly in
    order; about 1 % arrive a few hundred lines late. ``duplicate_rate`` is the
    share of contacts that a second system reports again a few minutes later;
    ``redelivery_rate`` the share of lines that repeat an earlier line exactly.
    The same arguments give the same events.
    """
    rng = random.Random(seed)
    stream = Stream(build_world(max(1, employers)), Calendar(start, days), rng, duplicate_rate)
    fresh = _in_time_order(stream, events)
    late: list[tuple[int, int, Event]] = []
    ring: list[Event] = []
    emitted = held = 0
    while emitted < events:
        if late and late[0][0] <= emitted:
            event = heapq.heappop(late)[2]
        elif ring and rng.random() < redelivery_rate:
            yield ring[int(rng.random() * len(ring))]
            emitted += 1
            continue
        else:
            event = next(fresh)
            if rng.random() < JITTER_RATE:
                held += 1
                heapq.heappush(late, (emitted + int(rng.uniform(3, 400)), held, event))
                continue
        yield event
        emitted += 1
        if len(ring) < RING:
            ring.append(event)
        else:
            ring[emitted % RING] = event


# ---------------------------------------------------------------- the command


def write_events(events: Iterator[Event], out: BinaryIO, batch: int = 8192) -> int:
    """Write events as JSON Lines to ``out``; returns how many were written."""
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    written, lines = 0, []
    with _without_cycle_collection():
        for event in events:
            lines.append(dumps(event, option=newline))
            if len(lines) >= batch:
                out.write(b"".join(lines))
                written += len(lines)
                lines.clear()
        out.write(b"".join(lines))
    return written + len(lines)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector: a stream makes no reference cycles, and walking
    the world and the pending events would cost about 15 % of the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _start(text: str) -> datetime:
    """A --start value: a date (midnight in Oslo) or an RFC 3339 time."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=OSLO) if moment.tzinfo is None else moment


def _count(least: int) -> Any:
    """An argument type: a whole number no smaller than ``least``."""

    def parse(text: str) -> int:
        value = int(text)
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}")
        return value

    return parse


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError("a rate is a number from 0 up to (not including) 1")
    return value


def run(args: argparse.Namespace) -> int:
    """Generate a stream as the command line asked and write it out."""
    events = generate_events(
        employers=args.employers,
        events=args.events,
        seed=args.seed,
        start=args.start,
        days=args.days,
        duplicate_rate=args.duplicate_rate,
        redelivery_rate=args.redelivery_rate,
    )
    if args.out in (None, "-"):
        _write_to_stdout(events)
    else:
        with open(args.out, "wb") as out:
            write_events(events, out)
    return 0


def _write_to_stdout(events: Iterator[Event]) -> None:
    try:
        write_events(events, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # The reader stopped early, as ``| head`` does: not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def register(subparsers: Any) -> None:
    """Add the ``generate`` sub-command."""
    parser = subparsers.add_parser(
        "generate",
        help="write a synthetic, deterministic stream of contact events",
        description="Write realistic contact events as JSON Lines (same seed, same bytes).",
    )
    parser.add_argument("--employers", type=_count(1), default=200)
    parser.add_argument("--events", type=_count(0), default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--start",
        type=_start,
        default=_start("2026-01-05"),
        help="first day, as a date or RFC 3339 time (default 2026-01-05)",
    )
    parser.add_argument("--days", type=_count(1), default=180)
    parser.add_argument(
        "--duplicate-rate",
        type=_rate,
        default=0.05,
        help="share of contacts reported again by a second system",
    )
    parser.add_argument(
        "--redelivery-rate",
        type=_rate,
        default=0.02,
        help="share of lines that exactly repeat an earlier line",
    )
    parser.add_argument("--out", metavar="FILE", help="output file (default: standard output)")
    parser.set_defaults(func=run)
