"""The services give what replay gives: the same views, the same firing alerts, and
every rejected line on the DLQ as it was sent, with the code replay reports.

One coordinator and one notifier read the standard stream (``runs.py``):
generated events with duplicate reports and redeliveries, wrong and missing
keys, events in CloudEvents binary mode and a line for every rejection code.
"""

from __future__ import annotations

import pytest

from tests.streaming import stream
from tests.streaming.compare import view_differences
from tests.streaming.kafka_io import header
from tests.streaming.runs import StandardRun

pytestmark = pytest.mark.integration

REJECTION_CODES = {
    "malformed-json",
    "not-cloudevent",
    "unknown-type",
    "invalid-data",
    "invalid-orgnr",
    "personal-identifier",
    "subject-mismatch",
}


def test_views_are_replays_field_by_field(standard_run: StandardRun) -> None:
    assert standard_run.outputs is not None
    expected = standard_run.expected.views_by_orgnr()
    assert len(expected) == 41  # the 40 generated employers and the sentinel's

    differences = view_differences(expected, standard_run.outputs.views)

    assert differences == [], "\n".join(differences[:30])


def test_firing_alerts_are_replays(standard_run: StandardRun) -> None:
    assert standard_run.outputs is not None
    expected = standard_run.expected.firing()
    assert len(expected) > 20

    actual = standard_run.outputs.firing()

    assert sorted(expected - actual) == [], "firing in replay only"
    assert sorted(actual - expected) == [], "firing on Kafka only"


def test_the_dlq_holds_exactly_the_rejected_messages_as_sent(standard_run: StandardRun) -> None:
    rejected = sorted(standard_run.expected_dlq, key=lambda r: (r[0], r[1]))
    assert {code for _, code, _ in rejected} == REJECTION_CODES

    on_dlq = sorted(
        (r.value or b"", (header(r, "enkontakt-error") or b"").decode()) for r in standard_run.dlq
    )

    assert on_dlq == [(value, code) for value, code, _ in rejected]


def test_each_dlq_record_says_why_in_a_sentence(standard_run: StandardRun) -> None:
    details = {(v, c): d for v, c, d in standard_run.expected_dlq}
    for record in standard_run.dlq:
        code = (header(record, "enkontakt-error") or b"").decode()
        detail = (header(record, "enkontakt-error-detail") or b"").decode()
        assert detail.strip(), code
        replays = details[(record.value or b"", code)]
        if replays is not None:  # a line replay read: the same sentence
            assert detail == replays


def test_binary_mode_events_are_accepted(standard_run: StandardRun) -> None:
    assert standard_run.outputs is not None
    views = standard_run.outputs.views
    assert standard_run.binary_orgnrs <= views.keys()
    sentinel = views[standard_run.sentinel_orgnr]
    assert sentinel["contacts_total"] == 1
    assert sentinel["recent_contacts"][0]["person"]["email"] == stream.SENTINEL["email"]
    assert sentinel["recent_contacts"][0]["channel"] == "visit"
    binary_on_dlq = [r for r in standard_run.dlq if header(r, "ce_specversion") is not None]
    assert [header(r, "enkontakt-error") for r in binary_on_dlq] == [b"unknown-type"]


def test_a_repeated_rejected_line_is_rejected_again(standard_run: StandardRun) -> None:
    values = [r.value for r in standard_run.dlq]
    repeated = {v for v in values if values.count(v) > 1}

    assert len(repeated) == 1
    assert b"sykmeldt" in next(iter(repeated))


def test_each_employer_notice_is_published_once(standard_run: StandardRun) -> None:
    notices = [r.value for r in standard_run.notices]
    assert notices

    repeated = {n for n in notices if notices.count(n) > 1}

    assert not repeated, f"{len(repeated)} of {len(set(notices))} notices published twice"
