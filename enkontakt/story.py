"""The demo story: a hand-written set of events built from the research.

The research behind Én kontakt interviewed sixteen employers who took in young
people on work assessment allowance for work training (the article's Table 2).
This story gives each of those sixteen kinds of employer a plausible Norwegian
name and a history over the last four months, and adds the situations the
employers described. Times are relative to ``now``; every event is valid by the
contract. The strands:

- **Too many contact persons** (Oslo): Lagerhuset Alnabru AS took in twelve
  candidates, each followed by their own adviser from six Oslo NAV offices, and
  met twelve different NAV contact persons in the last 30 days. It then asked
  to be followed up by the measure provider instead: two days ago Arbeidshuset
  Oslo AS was assigned as its contact person.
- **A job specialist takes over**: at the geriatrics department in
  Kristiansand the adviser was in contact about a candidate until a job
  specialist started following the candidate up (IPSUNG) and took over the
  contact with the employer.
- **Contact person on sick leave, with a deputy**: the adviser assigned to
  Solsikken barnehage is absent now; a deputy is named.
- **Contact person on sick leave, no deputy**: the adviser assigned to
  Hjemmetjenesten Tromsø øst is absent now and nobody stands in.
- **Emergency brake unanswered**: Trollskogen barnehage phoned eight days ago
  to end a placement (topic ``end_placement``, urgency ``urgent``); nobody has
  answered, so the one-business-day deadline has long passed.
- **A slow answer**: Matkroken Lade AS asked for help with paperwork; the
  answer came more than a week later (past the three-business-day deadline).
- **Follow-up gap**: at Tromsø Dekk og Felg AS a candidate on wage subsidy
  started 118 days ago and the last contact was 112 days ago.
- **Caseload**: job specialist Jonas Berg at NAV Grünerløkka follows 32
  candidates at eight Oslo workplaces (the research says no more than 30).
- **Two systems, one contact**: a meeting at Blomsterverkstedet Nordnes AS is
  reported by the NAV CRM and, six minutes later, by the calendar integration
  with only the adviser's e-mail address.
- **An exact redelivery**: one event from the measure provider's portal
  arrives twice, the second time at the end of the stream.

The employers' names and the people's names are Norwegian, as the users would
write them. No event carries free text or a national identity number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from enkontakt.generate import (
    ABSENT,
    ANSWER,
    ASSIGNED,
    CONTACT,
    ENDED,
    INQUIRY,
    OSLO,
    STARTED,
    orgnr_for,
)

Event = dict[str, Any]

STORY_ORGNR_BASE = 92_000_000
PROVIDER_ORGNR_BASE = 98_000_000

_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})
CRM = "urn:system:nav-crm"
CALENDAR = "urn:system:calendar-sync"
ARENA = "urn:system:arena"
FORM = "urn:system:kontaktskjema"
HR = "urn:system:hr"
IPS = "urn:system:ips-journal"
IA = "urn:system:ia-crm"


# ---------------------------------------------------------------- the cast


def _nav(unit: str, name: str, kind: str = "nav_office") -> Event:
    return {"type": kind, "id": unit, "name": name}


def _provider(index: int, name: str) -> Event:
    return {"type": "measure_provider", "id": orgnr_for(index, PROVIDER_ORGNR_BASE), "name": name}


@dataclass(frozen=True, slots=True)
class Person:
    """A human working for an actor, as the actor's own system writes them."""

    actor: Event
    ident: str | None
    name: str
    email: str
    phone: str

    @property
    def full(self) -> Event:
        """The person object with every identifier."""
        person: Event = {"name": self.name, "email": self.email, "phone": self.phone}
        return {"id": self.ident, **person} if self.ident else person


def _adviser(office: Event, ident: str, name: str, phone: str) -> Person:
    email = name.lower().replace(" ", ".").translate(_ASCII) + "@nav.no"
    return Person(office, ident, name, email, phone)


NAV_OSLO = [
    _nav(unit, f"NAV {name}")
    for unit, name in (
        ("0331", "Grünerløkka"),
        ("0330", "Gamle Oslo"),
        ("0337", "Alna"),
        ("0339", "Stovner"),
        ("0338", "Grorud"),
        ("0332", "Bjerke"),
    )
]
NAV_BERGENHUS = _nav("1301", "NAV Bergenhus")
NAV_ARSTAD = _nav("1306", "NAV Årstad")
NAV_TRONDHEIM = _nav("5001", "NAV Trondheim")
NAV_HAMAR = _nav("3403", "NAV Hamar")
NAV_GJOVIK = _nav("3407", "NAV Gjøvik")
NAV_BODO = _nav("1804", "NAV Bodø")
NAV_TROMSO = _nav("1902", "NAV Tromsø")
NAV_KRISTIANSAND = _nav("4204", "NAV Kristiansand")
IPS_GRUNERLOKKA = _nav("0331", "NAV Grünerløkka, jobbspesialister", "job_specialist")
IPS_KRISTIANSAND = _nav("4204", "NAV Kristiansand, jobbspesialister", "job_specialist")
ALS_INNLANDET = _nav("3490", "NAV Arbeidslivssenter Innlandet", "working_life_centre")
ALS_VESTLAND = _nav("4690", "NAV Arbeidslivssenter Vestland", "working_life_centre")
JOBBTRENING_VEST = _provider(0, "Jobbtrening Vest AS")
ARBEIDSHUSET_OSLO = _provider(1, "Arbeidshuset Oslo AS")
AKTIV_INNLANDET = _provider(2, "Aktiv Oppfølging Innlandet AS")

INGRID = _adviser(NAV_BERGENHUS, "B210431", "Ingrid Bakke", "+47 412 34 567")
KJETIL = _adviser(NAV_ARSTAD, "E301122", "Kjetil Eide", "915 20 384")
EVEN = _adviser(NAV_TRONDHEIM, "A402217", "Even Aas", "48120945")
TONE = _adviser(NAV_TRONDHEIM, "D402290", "Tone Dahl", "+4790311872")
GURO = _adviser(NAV_HAMAR, "M520014", "Guro Moen", "+47 934 55 120")
MARTE = _adviser(NAV_HAMAR, "S520087", "Marte Solberg", "41 55 67 89")
PER = _adviser(NAV_HAMAR, "L520101", "Per Lund", "+47 468 02 331")
ASTRID = _adviser(NAV_GJOVIK, "H530044", "Astrid Hagen", "95087123")
MAGNUS = _adviser(NAV_BODO, "K610230", "Magnus Karlsen", "+47 476 11 209")
TORA = _adviser(NAV_TROMSO, "N712345", "Tora Nilsen", "+47 412 98 765")
SIRI = _adviser(NAV_TROMSO, "H712402", "Siri Haugen", "404 12 778")
ANDERS = _adviser(NAV_KRISTIANSAND, "L801276", "Anders Lie", "+47 922 40 118")
HILDE = _adviser(IPS_KRISTIANSAND, "V801390", "Hilde Vik", "+47 458 73 002")
JONAS = _adviser(IPS_GRUNERLOKKA, "B331907", "Jonas Berg", "+47 400 81 516")
STIAN = _adviser(ALS_INNLANDET, "B349012", "Stian Brekke", "+47 917 66 430")
LIV = _adviser(ALS_VESTLAND, "J469021", "Liv Jacobsen", "+47 984 21 650")
LENE = Person(JOBBTRENING_VEST, None, "Lene Mo", "lene.mo@jobbtrening-vest.no", "47 61 20 35")
NINA = Person(
    ARBEIDSHUSET_OSLO, "ah-0042", "Nina Strand", "nina.strand@arbeidshuset.no", "+47 938 04 771"
)
VEGARD = Person(AKTIV_INNLANDET, None, "Vegard Lund", "vegard@aktivoppfolging.no", "+47 452 19 604")
OSLO_ADVISERS = [  # two advisers at each of the six Oslo offices
    _adviser(NAV_OSLO[0], "O331017", "Sara Olsen", "+47 401 22 310"),
    _adviser(NAV_OSLO[0], "L331034", "Emil Larsen", "90122411"),
    _adviser(NAV_OSLO[1], "A330051", "Nora Ali", "+47 402 33 512"),
    _adviser(NAV_OSLO[1], "M330068", "Henrik Moe", "913 44 612"),
    _adviser(NAV_OSLO[2], "H337085", "Ida Hussain", "+4740355713"),
    _adviser(NAV_OSLO[2], "N337102", "Sindre Nygaard", "41066814"),
    _adviser(NAV_OSLO[3], "J339119", "Camilla Johansen", "+47 481 77 915"),
    _adviser(NAV_OSLO[3], "P339136", "Eirik Pedersen", "+47 948 88 016"),
    _adviser(NAV_OSLO[4], "K338153", "Silje Khan", "+47 456 99 117"),
    _adviser(NAV_OSLO[4], "B338170", "Håkon Berge", "97100218"),
    _adviser(NAV_OSLO[5], "O332187", "Ragnhild Ødegård", "+47 464 12 319"),
    _adviser(NAV_OSLO[5], "N332204", "Øystein Nguyen", "932 23 420"),
]


@dataclass(frozen=True, slots=True)
class Employer:
    """An employer in the story."""

    orgnr: str
    name: str

    @property
    def named(self) -> Event:
        """The employer object with its name."""
        return {"orgnr": self.orgnr, "name": self.name}

    @property
    def bare(self) -> Event:
        """The employer object with only its orgnr."""
        return {"orgnr": self.orgnr}


_NAMES = (
    # The sixteen employers of Table 2, in the table's order.
    "Blomsterverkstedet Nordnes AS",
    "Matkroken Lade AS",
    "Sykehuset Innlandet, sentrallageret",
    "Møbellageret Heimdal AS",
    "Hamar Bilverksted AS",
    "Bildeler og Opphogging Vest AS",
    "Tromsø Dekk og Felg AS",
    "Bodø Betong og Forskaling AS",
    "Sykehuset Innlandet, driftsavdelingen Gjøvik",
    "Lade barneskole",
    "Nordnes skole",
    "Solsikken barnehage",
    "Trollskogen barnehage",
    "Hjemmetjenesten Tromsø øst",
    "Vestlandssykehuset, dialyseavdelingen",
    "Sørlandssykehuset, avdeling for geriatri og slag",
    # The Oslo employer with many candidates, and the job specialist's workplaces.
    "Lagerhuset Alnabru AS",
    "Kafé Løkka AS",
    "Vaskeriet Tøyen AS",
    "Sykkelverkstedet Sofienberg AS",
    "Grønt og Frukt Bryn AS",
    "Bakeriet Sagene AS",
    "Trykkeriet Økern AS",
    "Pakkeriet Furuset AS",
    "Kiosken Carl Berner AS",
)
EMPLOYERS = [Employer(orgnr_for(i, STORY_ORGNR_BASE), name) for i, name in enumerate(_NAMES)]
(
    FLOWERS,
    GROCERY,
    HOSPITAL_STORE,
    FURNITURE,
    GARAGE,
    SCRAPYARD,
    TYRES,
    CONCRETE,
    HOSPITAL_WORKS,
    LADE_SCHOOL,
    NORDNES_SCHOOL,
    SOLSIKKEN,
    TROLLSKOGEN,
    HOME_CARE,
    DIALYSIS,
    GERIATRICS,
    ALNABRU,
) = EMPLOYERS[:17]
CASELOAD_WORKPLACES = EMPLOYERS[17:]


# ---------------------------------------------------------------- the writer


@dataclass(slots=True)
class Story:
    """Collects the story's events, each at a local time some days before ``now``."""

    now: datetime
    events: list[tuple[datetime, int, Event]] = field(default_factory=list)
    redeliveries: list[Event] = field(default_factory=list)
    refs: int = 0

    def at(self, days_ago: int, clock: str = "10:00") -> datetime:
        """Local wall-clock ``clock`` on the day ``days_ago`` days before today."""
        today = self.now.astimezone(OSLO).date()
        return datetime.combine(today - timedelta(days=days_ago), time.fromisoformat(clock), OSLO)

    def date(self, days_from_today: int) -> str:
        """The local date ``days_from_today`` days after today (negative: before)."""
        return (self.now.astimezone(OSLO).date() + timedelta(days=days_from_today)).isoformat()

    def candidate(self) -> Event:
        """A fresh candidate pseudonym."""
        self.refs += 1
        return {"ref": f"k-{(self.refs * 2_654_435_761) % 16**6:06x}"}

    def emit(self, source: str, when: datetime, type_: str, data: Event) -> Event:
        """Add an event from ``source`` at ``when``."""
        number = len(self.events) + 1
        event: Event = {
            "specversion": "1.0",
            "id": f"{source.rsplit(':', 1)[-1]}-d{number:04d}",
            "source": source,
            "type": type_,
            "time": when.isoformat(),
        }
        if source in (CRM, ARENA) and "employer" in data:
            event["datacontenttype"] = "application/json"
            event["subject"] = data["employer"]["orgnr"]
        event["data"] = data
        self.events.append((when, number, event))
        return event

    def contact(
        self,
        days_ago: int,
        employer: Employer,
        who: Person,
        channel: str = "phone",
        *,
        clock: str = "10:00",
        about: Event | None = None,
        measure: str | None = None,
        purpose: str | None = None,
        source: str | None = None,
        person: Event | None = None,
    ) -> Event:
        """A contact between ``who`` and the employer."""
        data: Event = {
            "employer": employer.named,
            "actor": who.actor,
            "person": person or who.full,
            "channel": channel,
        }
        if about is not None:
            data["purpose"], data["candidate"] = "follow_up", about
        elif purpose is not None:
            data["purpose"] = purpose
        if measure is not None:
            data["measure"] = measure
        return self.emit(source or _source(who), self.at(days_ago, clock), CONTACT, data)

    def start(
        self,
        days_ago: int,
        employer: Employer,
        measure: str,
        who: Person,
        candidate: Event | None = None,
    ) -> Event:
        """A follow-up started; returns the candidate."""
        candidate = candidate or self.candidate()
        data = {
            "employer": employer.bare,
            "candidate": candidate,
            "measure": measure,
            "actor": who.actor,
            "person": who.full,
        }
        self.emit(ARENA, self.at(days_ago, "09:00"), STARTED, data)
        return candidate

    def end(self, days_ago: int, employer: Employer, candidate: Event, reason: str) -> None:
        """A follow-up ended."""
        data = {"employer": employer.bare, "candidate": candidate, "reason": reason}
        self.emit(ARENA, self.at(days_ago, "15:00"), ENDED, data)

    def inquiry(
        self,
        days_ago: int,
        clock: str,
        employer: Employer,
        inquiry_id: str,
        topic: str,
        urgency: str,
        to: Person | None = None,
    ) -> None:
        """An inquiry from the employer, perhaps addressed to a known person."""
        data: Event = {
            "employer": employer.bare,
            "inquiry_id": inquiry_id,
            "topic": topic,
            "urgency": urgency,
            "channel": "phone",
        }
        if to is not None:
            data["actor"], data["person"] = to.actor, {"id": to.ident} if to.ident else to.full
        self.emit(FORM, self.at(days_ago, clock), INQUIRY, data)

    def answer(
        self, days_ago: int, clock: str, employer: Employer, inquiry_id: str, by: Person
    ) -> None:
        """An inquiry answered by ``by``."""
        data = {
            "employer": employer.bare,
            "inquiry_id": inquiry_id,
            "actor": by.actor,
            "person": by.full,
        }
        self.emit(CRM, self.at(days_ago, clock), ANSWER, data)

    def assign(
        self,
        days_ago: int,
        employer: Employer,
        who: Person,
        deputy: Person | None = None,
        valid_days: int | None = None,
    ) -> None:
        """``who`` assigned as the employer's contact person."""
        data: Event = {"employer": employer.bare, "actor": who.actor, "person": who.full}
        if deputy is not None:
            data["deputy"] = {"actor": deputy.actor, "person": deputy.full}
        if valid_days is not None:
            data["valid_until"] = self.date(valid_days - days_ago)
        self.emit(CRM, self.at(days_ago, "08:30"), ASSIGNED, data)

    def absent(self, days_ago: int, who: Person, begins: int, ends: int) -> None:
        """``who`` reported absent from ``begins`` to ``ends`` days from today."""
        data = {
            "actor": who.actor,
            "person": {"id": who.ident},
            "from": self.date(begins),
            "until": self.date(ends),
        }
        self.emit(HR, self.at(days_ago, "07:45"), ABSENT, data)

    def in_arrival_order(self) -> list[Event]:
        """The events sorted by time (ties in writing order), then the redeliveries."""
        ordered = sorted(self.events, key=lambda item: item[:2])
        return [event for _, _, event in ordered] + self.redeliveries


def _source(who: Person) -> str:
    match who.actor["type"]:
        case "job_specialist":
            return IPS
        case "working_life_centre":
            return IA
        case "measure_provider":
            return "urn:system:provider-" + who.email.split("@")[1].split(".")[0]
        case _:
            return CRM


# ---------------------------------------------------------------- the strands


def story_events(now: datetime) -> list[Event]:
    """The demo story's events in arrival order, over the 120 days before ``now``.

    A naive ``now`` is taken as Oslo time. Every event lies at least a day
    before ``now``.
    """
    story = Story(now if now.tzinfo is not None else now.replace(tzinfo=OSLO))
    for strand in STRANDS:
        strand(story)
    return story.in_arrival_order()


def flower_shop(story: Story) -> None:
    """Blomsterbutikk: NAV and a measure provider; one meeting reported twice, one
    provider event redelivered."""
    subsidy = story.start(100, FLOWERS, "MIDLONTIL", INGRID)
    first = story.start(95, FLOWERS, "ARBTREN", LENE)
    second = story.start(60, FLOWERS, "ARBTREN", LENE)
    story.contact(98, FLOWERS, INGRID, "visit", about=subsidy, measure="MIDLONTIL")
    story.contact(80, FLOWERS, LENE, "phone", about=first)
    story.contact(50, FLOWERS, LENE, "visit", about=second, measure="ARBTREN")
    again = story.contact(20, FLOWERS, LENE, "phone", clock="13:20", about=first)
    story.redeliveries.append(again)
    story.contact(14, FLOWERS, INGRID, "meeting", clock="10:00", about=subsidy)
    story.contact(
        14,
        FLOWERS,
        INGRID,
        "meeting",
        clock="10:06",
        source=CALENDAR,
        person={"email": " Ingrid.Bakke@nav.no"},
    )


def grocery(story: Story) -> None:
    """Matbutikk: a paperwork inquiry answered more than a week later."""
    candidate = story.start(70, GROCERY, "INKLUTILS", EVEN)
    story.contact(68, GROCERY, EVEN, "visit", about=candidate)
    story.contact(45, GROCERY, EVEN, "phone", about=candidate, measure="INKLUTILS")
    story.inquiry(30, "13:15", GROCERY, "KS-D-0101", "paperwork", "normal", to=EVEN)
    story.answer(19, "14:40", GROCERY, "KS-D-0101", EVEN)
    story.contact(19, GROCERY, EVEN, "phone", clock="14:45", purpose="paperwork")


def hospital_store(story: Story) -> None:
    """Sykehuslager: NAV together with the county's working-life centre."""
    candidate = story.start(100, HOSPITAL_STORE, "MENTOR", GURO)
    story.contact(99, HOSPITAL_STORE, STIAN, "meeting", purpose="agreement")
    story.contact(90, HOSPITAL_STORE, GURO, "visit", about=candidate, measure="MENTOR")
    story.assign(88, HOSPITAL_STORE, GURO, valid_days=270)
    story.contact(40, HOSPITAL_STORE, STIAN, "video", purpose="agreement")
    story.contact(12, HOSPITAL_STORE, GURO, "phone", about=candidate)


def furniture_store(story: Story) -> None:
    """Møbellager: two candidates on wage subsidy, two advisers."""
    first = story.start(90, FURNITURE, "MIDLONTIL", TONE)
    second = story.start(50, FURNITURE, "MIDLONTIL", EVEN)
    story.contact(88, FURNITURE, TONE, "visit", about=first)
    story.contact(48, FURNITURE, EVEN, "meeting", about=second, measure="MIDLONTIL")
    story.contact(22, FURNITURE, TONE, "phone", about=first)
    story.contact(9, FURNITURE, EVEN, "email", about=second)


def garage(story: Story) -> None:
    """Bilverksted: NAV and a measure provider; one candidate hired as an apprentice."""
    hired = story.start(115, GARAGE, "MIDLONTIL", GURO)
    story.contact(110, GARAGE, GURO, "visit", about=hired, measure="MIDLONTIL")
    training = story.start(60, GARAGE, "ARBTREN", VEGARD)
    story.contact(58, GARAGE, VEGARD, "meeting", about=training)
    story.contact(25, GARAGE, GURO, "phone", clock="11:30", about=hired)
    story.end(20, GARAGE, hired, "hired")
    story.contact(7, GARAGE, VEGARD, "visit", about=training, measure="ARBTREN")


def scrapyard(story: Story) -> None:
    """Bilopphoggeri: 50 % wage subsidy; the adviser's text messages carry only a number."""
    candidate = story.start(80, SCRAPYARD, "MIDLONTIL", KJETIL)
    story.contact(75, SCRAPYARD, KJETIL, "visit", about=candidate)
    story.contact(45, SCRAPYARD, KJETIL, "phone", about=candidate)
    story.contact(10, SCRAPYARD, KJETIL, "sms", person={"phone": "91520384"})


def tyre_shop(story: Story) -> None:
    """Bildekk og felg: a candidate started 118 days ago, last contact 112 days ago."""
    candidate = story.start(118, TYRES, "MIDLONTIL", TORA)
    story.contact(112, TYRES, TORA, "visit", about=candidate, measure="MIDLONTIL")


def concrete(story: Story) -> None:
    """Betong og forskaling: wage subsidy and work practice, one assigned adviser."""
    subsidy = story.start(85, CONCRETE, "MIDLONTIL", MAGNUS)
    story.assign(84, CONCRETE, MAGNUS, valid_days=365)
    story.contact(83, CONCRETE, MAGNUS, "visit", about=subsidy)
    practice = story.start(40, CONCRETE, "ARBTREN", MAGNUS)
    story.contact(39, CONCRETE, MAGNUS, "meeting", about=practice)
    story.contact(11, CONCRETE, MAGNUS, "phone", about=subsidy)


def hospital_works(story: Story) -> None:
    """Driftsavdeling sykehus: mentor grant; a question answered the same morning."""
    candidate = story.start(50, HOSPITAL_WORKS, "MENTOR", ASTRID)
    story.contact(49, HOSPITAL_WORKS, ASTRID, "meeting", about=candidate, measure="MENTOR")
    story.inquiry(16, "09:10", HOSPITAL_WORKS, "KS-D-0102", "information", "normal")
    story.contact(16, HOSPITAL_WORKS, ASTRID, "phone", clock="11:20", purpose="other")
    story.answer(16, "11:25", HOSPITAL_WORKS, "KS-D-0102", ASTRID)


def schools(story: Story) -> None:
    """Two barneskoler: a candidate assisting a teacher at each."""
    lade = story.start(95, LADE_SCHOOL, "MIDLONTIL", TONE)
    story.contact(92, LADE_SCHOOL, TONE, "visit", about=lade)
    story.contact(60, LADE_SCHOOL, TONE, "phone", about=lade)
    story.contact(28, LADE_SCHOOL, TONE, "email", about=lade, measure="MIDLONTIL")
    nordnes = story.start(40, NORDNES_SCHOOL, "ARBTREN", INGRID)
    story.contact(39, NORDNES_SCHOOL, INGRID, "visit", about=nordnes)
    story.contact(15, NORDNES_SCHOOL, INGRID, "phone", person={"phone": "41234567"})


def kindergarten_with_deputy(story: Story) -> None:
    """Solsikken barnehage: the assigned adviser is on sick leave; a deputy is named."""
    story.assign(80, SOLSIKKEN, MARTE, deputy=PER, valid_days=280)
    candidate = story.start(75, SOLSIKKEN, "ARBTREN", MARTE)
    story.contact(74, SOLSIKKEN, MARTE, "visit", about=candidate)
    story.contact(45, SOLSIKKEN, MARTE, "phone", about=candidate)
    story.contact(20, SOLSIKKEN, MARTE, "phone", about=candidate, measure="ARBTREN")
    story.absent(7, MARTE, begins=-6, ends=14)
    story.contact(3, SOLSIKKEN, PER, "phone", about=candidate)


def kindergarten_emergency_brake(story: Story) -> None:
    """Trollskogen barnehage: an urgent request to end the placement, unanswered."""
    candidate = story.start(65, TROLLSKOGEN, "MIDLONTIL", MAGNUS)
    story.contact(63, TROLLSKOGEN, MAGNUS, "visit", about=candidate)
    story.contact(30, TROLLSKOGEN, MAGNUS, "phone", about=candidate)
    story.inquiry(8, "08:40", TROLLSKOGEN, "KS-D-0103", "end_placement", "urgent", to=MAGNUS)


def home_care_without_deputy(story: Story) -> None:
    """Hjemmebaserte tjenester: the assigned adviser is on sick leave, nobody stands in."""
    story.assign(90, HOME_CARE, SIRI)
    candidate = story.start(85, HOME_CARE, "MENTOR", SIRI)
    story.contact(84, HOME_CARE, SIRI, "meeting", about=candidate, measure="MENTOR")
    story.contact(50, HOME_CARE, SIRI, "phone", about=candidate)
    story.contact(18, HOME_CARE, SIRI, "visit", about=candidate)
    story.absent(4, SIRI, begins=-3, ends=25)


def dialysis(story: Story) -> None:
    """Dialyseavdeling: NAV and the working-life centre."""
    candidate = story.start(55, DIALYSIS, "MENTOR", KJETIL)
    story.contact(54, DIALYSIS, LIV, "meeting", purpose="agreement")
    story.contact(52, DIALYSIS, KJETIL, "visit", about=candidate, measure="MENTOR")
    story.contact(24, DIALYSIS, KJETIL, "phone", about=candidate)
    story.contact(13, DIALYSIS, LIV, "video", purpose="agreement")


def geriatrics_job_specialist(story: Story) -> None:
    """Geriatri og slag: the adviser's contact until a job specialist takes over."""
    candidate = story.candidate()
    story.contact(100, GERIATRICS, ANDERS, "visit", about=candidate, measure="ARBTREN")
    story.contact(80, GERIATRICS, ANDERS, "phone", about=candidate)
    story.contact(60, GERIATRICS, ANDERS, "phone", about=candidate)
    story.start(45, GERIATRICS, "IPSUNG", HILDE, candidate=candidate)
    story.contact(44, GERIATRICS, HILDE, "meeting", about=candidate, measure="IPSUNG")
    story.contact(25, GERIATRICS, HILDE, "visit", about=candidate)
    story.contact(6, GERIATRICS, HILDE, "phone", about=candidate)


def oslo_warehouse(story: Story) -> None:
    """Lagerhuset Alnabru: twelve candidates, twelve advisers; then a measure provider."""
    for i, adviser in enumerate(OSLO_ADVISERS):
        candidate = story.start(100 - 5 * i, ALNABRU, ("ARBTREN", "MIDLONTIL")[i % 2], adviser)
        story.contact(98 - 5 * i, ALNABRU, adviser, "visit", about=candidate)
        story.contact(
            27 - 2 * i,
            ALNABRU,
            adviser,
            ("phone", "meeting", "email")[i % 3],
            clock=f"{9 + i % 6:02d}:15",
            about=candidate,
        )
    story.inquiry(4, "10:30", ALNABRU, "KS-D-0104", "other", "normal")
    story.answer(3, "09:05", ALNABRU, "KS-D-0104", OSLO_ADVISERS[0])
    story.assign(2, ALNABRU, NINA)
    story.contact(1, ALNABRU, NINA, "meeting", purpose="agreement")


def job_specialist_caseload(story: Story) -> None:
    """Jonas Berg, job specialist: 32 candidates at eight workplaces (one more ended)."""
    for w, workplace in enumerate(CASELOAD_WORKPLACES):
        started = 86 - 10 * w
        candidates = [story.start(started - j, workplace, "IPSUNG", JONAS) for j in range(4)]
        story.contact(started - 4, workplace, JONAS, "visit", about=candidates[0])
        story.contact(2 + w, workplace, JONAS, "phone", about=candidates[-1])
    finished = story.start(110, CASELOAD_WORKPLACES[0], "IPSUNG", JONAS)
    story.end(30, CASELOAD_WORKPLACES[0], finished, "completed")


STRANDS = (
    flower_shop,
    grocery,
    hospital_store,
    furniture_store,
    garage,
    scrapyard,
    tyre_shop,
    concrete,
    hospital_works,
    schools,
    kindergarten_with_deputy,
    kindergarten_emergency_brake,
    home_care_without_deputy,
    dialysis,
    geriatrics_job_specialist,
    oslo_warehouse,
    job_specialist_caseload,
)
