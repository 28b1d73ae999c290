"""Consolidated contacts kept between derivations (``KeptContacts``) always equal
a consolidation from scratch, whatever arrives: reports in any order, humans
joined, lists replaced by pruning; and what the people directory shows of a
human follows every change of it."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from enkontakt.services.coordinator.consolidation import KeptContacts, consolidate
from enkontakt.services.coordinator.employer import Report
from enkontakt.services.coordinator.facts import MINUTE, ActorRef, Stamp
from enkontakt.services.coordinator.people import People

GAP = 30 * MINUTE
NAV = ActorRef("nav_office", "1902")
IDENTS = [f"id:1902:Z{n}" for n in range(4)]

# A step: a report (ident, minute, source), a join of two identifiers, or pruning.
# Minutes in steps of five: reports exactly the gap apart are common.
minutes = st.integers(0, 24).map(lambda m: m * 5)
reports = st.tuples(
    st.just("report"),
    st.sampled_from(IDENTS),
    minutes,
    st.sampled_from(["urn:a", "urn:b"]),
)
joins = st.tuples(st.just("join"), st.sampled_from(IDENTS), st.sampled_from(IDENTS), st.just(""))
prunes = st.tuples(st.just("prune"), st.just(""), minutes, st.just(""))
steps = st.lists(st.one_of(reports, reports, reports, reports, joins, prunes), max_size=60)


def note(people: People, idents: tuple[str, ...], n: int) -> None:
    stamp = Stamp(n, "urn:a", f"e{n}")
    people.note(idents, stamp, NAV, None, None, None)


LATE_BY_THE_GAP = [("report", IDENTS[0], 30, "urn:a"), ("report", IDENTS[0], 0, "urn:b")]
OTHERS_BETWEEN = [
    ("report", IDENTS[1], 10, "urn:a"),
    ("report", IDENTS[2], 5, "urn:a"),
    ("report", IDENTS[2], 25, "urn:a"),
    ("report", IDENTS[1], 5, "urn:b"),
    ("report", IDENTS[2], 15, "urn:b"),
]


@settings(max_examples=300, deadline=None)
@given(steps, st.lists(st.integers(1, 5), min_size=1, max_size=4))
@example(LATE_BY_THE_GAP, [1])
@example(OTHERS_BETWEEN, [1])
def test_kept_contacts_equal_a_fresh_consolidation_after_every_step(
    script: list[tuple[str, str, object, str]], derive_every: list[int]
) -> None:
    people = People()
    for ident in IDENTS:
        note(people, (ident,), 0)
    kept = KeptContacts(GAP)
    state_reports: list[Report] = []
    for n, (kind, a, b, source) in enumerate(script, start=1):
        if kind == "report":
            stamp = Stamp(int(b) * MINUTE, source, f"e{n}")  # type: ignore[call-overload]
            state_reports.append(Report(stamp, a, "phone"))
        elif kind == "join":
            note(people, (a, str(b)), n)
        else:
            horizon = int(b) * MINUTE  # type: ignore[call-overload]
            state_reports = [r for r in state_reports if r.stamp.at >= horizon]
        if n % derive_every[n % len(derive_every)] == 0:
            got = kept.of("910000004", state_reports, people)
            assert list(got) == consolidate(state_reports, people, GAP)
    got = kept.of("910000004", state_reports, people)
    assert list(got) == consolidate(state_reports, people, GAP)


def test_a_report_bridging_two_kept_contacts_joins_them_and_earlier_results_stay() -> None:
    people = People()
    note(people, (IDENTS[0],), 0)
    kept = KeptContacts(GAP)
    reports = [
        Report(Stamp(0, "urn:a", "e1"), IDENTS[0], "phone"),
        Report(Stamp(50 * MINUTE, "urn:a", "e2"), IDENTS[0], "visit"),
    ]
    before = kept.of("910000004", reports, people)
    assert [c.reports for c in before] == [1, 1]
    reports.append(Report(Stamp(25 * MINUTE, "urn:b", "e3"), IDENTS[0], "video"))
    after = kept.of("910000004", reports, people)
    assert [(c.reports, c.reported_by, c.first.channel) for c in after] == [
        (3, ("urn:a", "urn:b"), "phone")
    ]
    assert [c.reports for c in before] == [1, 1]  # a result handed out is not changed


def test_only_the_most_recently_derived_employers_are_kept() -> None:
    people = People()
    note(people, (IDENTS[0],), 0)
    kept = KeptContacts(GAP, limit=2)
    lists = {o: [Report(Stamp(0, "urn:a", o), IDENTS[0], "phone")] for o in ("a", "b", "c")}
    first = kept.of("a", lists["a"], people)
    kept.of("b", lists["b"], people)
    assert kept.of("a", lists["a"], people) is first  # kept
    kept.of("c", lists["c"], people)  # drops b, the least recently derived
    assert kept.of("a", lists["a"], people) is first
    assert kept.of("b", lists["b"], people) == consolidate(lists["b"], people, GAP)


def test_what_is_shown_of_a_human_follows_new_details_and_joins() -> None:
    people = People()
    people.note(("email:a@nav.no",), Stamp(1, "urn:a", "e1"), NAV, "Ada", "a@nav.no", None)
    assert people.shown("email:a@nav.no")["name"] == "Ada"
    people.note(("email:a@nav.no",), Stamp(2, "urn:a", "e2"), NAV, "Ada L.", "a@nav.no", None)
    assert people.shown("email:a@nav.no")["name"] == "Ada L."
    phone = "phone:+4741000001"
    people.note((phone,), Stamp(3, "urn:a", "e3"), NAV, None, None, "+4741000001")
    assert people.shown("email:a@nav.no")["phone"] is None
    unions = people.unions
    people.note(("email:a@nav.no", phone), Stamp(0, "urn:a", "e0"), NAV, None, None, None)
    assert people.unions > unions
    assert people.shown("email:a@nav.no")["phone"] == "+4741000001"
    assert people.shown(phone)["name"] == "Ada L."
