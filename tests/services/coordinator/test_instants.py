"""Instants as text and as Oslo dates agree with the zoneinfo computation they cache."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from enkontakt.services.coordinator.facts import EPOCH, OSLO, from_us, rfc3339, to_us
from enkontakt.services.notifier.calendar import oslo_date_us

SECOND = 1_000_000
# Around the DST changes of 2026: 29 March and 25 October at 01:00 UTC.
SPRING = to_us(datetime(2026, 3, 29, 1, tzinfo=EPOCH.tzinfo))
AUTUMN = to_us(datetime(2026, 10, 25, 1, tzinfo=EPOCH.tzinfo))
instants = (
    st.integers(-(5 * 10**16), 5 * 10**16)
    | st.integers(SPRING - 3 * 3600 * SECOND, SPRING + 3 * 3600 * SECOND)
    | st.integers(AUTUMN - 3 * 3600 * SECOND, AUTUMN + 3 * 3600 * SECOND)
    | st.sampled_from([0, -1, SPRING - 1, SPRING, AUTUMN - 1, AUTUMN])
)


def reference(us: int) -> datetime:
    return (EPOCH + timedelta(microseconds=us)).astimezone(OSLO)


@given(instants)
def test_rfc3339_is_the_oslo_isoformat(us: int) -> None:
    assert rfc3339(us) == reference(us).isoformat()
    assert to_us(datetime.fromisoformat(rfc3339(us) or "")) == us


@given(instants)
def test_oslo_date_is_the_date_on_the_oslo_clock(us: int) -> None:
    assert oslo_date_us(us) == datetime.fromtimestamp(us // SECOND, OSLO).date()


def test_the_offset_changes_exactly_at_the_dst_changes() -> None:
    assert rfc3339(SPRING - 1) == "2026-03-29T01:59:59.999999+01:00"
    assert rfc3339(SPRING) == "2026-03-29T03:00:00+02:00"
    assert rfc3339(AUTUMN - 1) == "2026-10-25T02:59:59.999999+02:00"
    assert rfc3339(AUTUMN) == "2026-10-25T02:00:00+01:00"
    assert rfc3339(None) is None
    assert from_us(0).isoformat() == "1970-01-01T01:00:00+01:00"
