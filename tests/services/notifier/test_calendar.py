"""The business-day calendar: holidays, the response deadline and its microsecond twin."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from holidays.countries.norway import Norway
from hypothesis import given, settings
from hypothesis import strategies as st

from enkontakt.services.notifier.calendar import (
    OSLO,
    deadline,
    deadline_us,
    is_business_day,
    oslo_date,
    oslo_date_us,
    oslo_midnight,
    oslo_midnight_us,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_US = 86_400_000_000
ONE_DAY = timedelta(days=1)


def to_us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


# --- holidays ---------------------------------------------------------------------------

BUSINESS_DAYS = [
    ("2025-12-23", True, "Tuesday before Christmas"),
    ("2025-12-24", True, "Christmas Eve is not a public holiday"),
    ("2025-12-25", False, "Christmas Day"),
    ("2025-12-26", False, "Second Day of Christmas"),
    ("2025-12-31", True, "New Year's Eve is not a public holiday"),
    ("2026-01-01", False, "New Year's Day"),
    ("2026-01-02", True, "Friday after New Year"),
    ("2026-04-01", True, "Wednesday before Easter"),
    ("2026-04-02", False, "Maundy Thursday 2026"),
    ("2026-04-03", False, "Good Friday 2026"),
    ("2026-04-06", False, "Easter Monday 2026"),
    ("2026-04-07", True, "Tuesday after Easter 2026"),
    ("2027-03-25", False, "Maundy Thursday 2027"),
    ("2027-03-26", False, "Good Friday 2027"),
    ("2027-03-29", False, "Easter Monday 2027"),
    ("2027-03-30", True, "Tuesday after Easter 2027"),
    ("2026-05-01", False, "Labour Day on a Friday"),
    ("2026-05-14", False, "Ascension Day 2026"),
    ("2026-05-25", False, "Whit Monday 2026"),
    ("2026-05-17", False, "Constitution Day on a Sunday"),
    ("2027-05-17", False, "Constitution Day and Whit Monday on a Monday"),
    ("2028-05-17", False, "Constitution Day on a Wednesday"),
    ("2026-03-07", False, "an ordinary Saturday"),
    ("2026-03-08", False, "an ordinary Sunday"),
    ("2026-03-09", True, "an ordinary Monday"),
]


@pytest.mark.parametrize(
    ("day", "expected"),
    [(day, expected) for day, expected, _ in BUSINESS_DAYS],
    ids=[why for _, _, why in BUSINESS_DAYS],
)
def test_business_day(day: str, expected: bool) -> None:
    assert is_business_day(date.fromisoformat(day)) is expected


@pytest.mark.parametrize(("year", "count"), [(2026, 253), (2027, 255)])
def test_business_days_in_a_year(year: int, count: int) -> None:
    # 261 weekdays in each year, less the public holidays on weekdays (8 in 2026, 6 in 2027).
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(365))
    assert sum(is_business_day(day) for day in days) == count


@pytest.mark.parametrize("year", [1900, 2101])
def test_year_without_a_holiday_calendar_is_refused(year: int) -> None:
    with pytest.raises(ValueError, match=str(year)):
        is_business_day(date(year, 6, 5))


# --- Oslo dates and midnights --------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-03-13T22:59:59.999999+00:00", "2026-03-13"),
        ("2026-03-13T23:00:00+00:00", "2026-03-14"),
        ("2026-07-01T21:59:59+00:00", "2026-07-01"),
        ("2026-07-01T22:00:00+00:00", "2026-07-02"),
        ("2026-07-02T07:00:00+09:00", "2026-07-02"),
        ("1969-12-31T23:30:00+00:00", "1970-01-01"),
    ],
)
def test_oslo_date(moment: str, expected: str) -> None:
    received = datetime.fromisoformat(moment)
    assert oslo_date(received) == date.fromisoformat(expected)
    assert oslo_date_us(to_us(received)) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-03-29", "2026-03-29T00:00:00+01:00"),
        ("2026-03-30", "2026-03-30T00:00:00+02:00"),
        ("2026-10-25", "2026-10-25T00:00:00+02:00"),
        ("2026-10-26", "2026-10-26T00:00:00+01:00"),
    ],
)
def test_oslo_midnight(day: str, expected: str) -> None:
    midnight = oslo_midnight(date.fromisoformat(day))
    assert midnight.tzinfo is OSLO
    assert midnight.isoformat() == expected
    assert oslo_midnight_us(date.fromisoformat(day)) == to_us(datetime.fromisoformat(expected))


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        oslo_date(datetime(2026, 3, 13, 14))
    with pytest.raises(ValueError, match="naive"):
        deadline(datetime(2026, 3, 13, 14), 1)


# --- the response deadline -----------------------------------------------------------------

# (received, N, deadline, why); times are Oslo wall clock with its offset unless said.
DEADLINES = [
    ("2026-03-13T14:00:00+01:00", 3, "2026-03-18T14:00:00+01:00", "contract: Friday 14:00"),
    ("2026-03-13T14:00:00+01:00", 1, "2026-03-16T14:00:00+01:00", "Friday 14:00, N=1"),
    ("2026-03-16T09:15:00+01:00", 1, "2026-03-17T09:15:00+01:00", "Monday to Tuesday"),
    ("2026-03-14T10:00:00+01:00", 3, "2026-03-19T00:00:00+01:00", "contract: Saturday"),
    ("2026-03-14T10:00:00+01:00", 1, "2026-03-17T00:00:00+01:00", "Saturday, N=1"),
    ("2026-03-15T23:00:00+01:00", 1, "2026-03-17T00:00:00+01:00", "Sunday night"),
    ("2026-03-13T00:00:00+01:00", 1, "2026-03-14T00:00:00+01:00", "contract: Friday 00:00"),
    ("2026-03-13T00:00:00+01:00", 3, "2026-03-18T00:00:00+01:00", "Friday 00:00, N=3"),
    ("2026-03-16T00:00:00+01:00", 3, "2026-03-19T00:00:00+01:00", "Monday 00:00, N=3"),
    (
        "2026-03-13T00:00:00.000001+01:00",
        1,
        "2026-03-16T00:00:00.000001+01:00",
        "just after midnight",
    ),
    ("2026-03-13T23:59:59+01:00", 1, "2026-03-16T23:59:59+01:00", "Friday 23:59:59, N=1"),
    ("2026-03-13T23:59:59+01:00", 3, "2026-03-18T23:59:59+01:00", "Friday 23:59:59, N=3"),
    ("2026-03-14T23:59:59+01:00", 1, "2026-03-17T00:00:00+01:00", "Saturday 23:59:59"),
    ("2025-12-23T10:00:00+01:00", 1, "2025-12-24T10:00:00+01:00", "to Christmas Eve"),
    ("2025-12-23T10:00:00+01:00", 3, "2025-12-30T10:00:00+01:00", "over Christmas 2025"),
    ("2025-12-24T10:00:00+01:00", 1, "2025-12-29T10:00:00+01:00", "from Christmas Eve"),
    ("2025-12-31T10:00:00+01:00", 1, "2026-01-02T10:00:00+01:00", "over New Year 2026"),
    ("2026-12-24T09:00:00+01:00", 1, "2026-12-28T09:00:00+01:00", "over Christmas 2026"),
    ("2026-12-25T12:00:00+01:00", 1, "2026-12-29T00:00:00+01:00", "on Christmas Day"),
    ("2026-12-25T12:00:00+01:00", 3, "2026-12-31T00:00:00+01:00", "on Christmas Day, N=3"),
    ("2026-12-31T15:00:00+01:00", 1, "2027-01-04T15:00:00+01:00", "over New Year 2027"),
    ("2026-04-01T12:00:00+02:00", 1, "2026-04-07T12:00:00+02:00", "over Easter 2026"),
    ("2026-04-01T12:00:00+02:00", 3, "2026-04-09T12:00:00+02:00", "over Easter 2026, N=3"),
    ("2026-04-03T08:00:00+02:00", 1, "2026-04-08T00:00:00+02:00", "on Good Friday"),
    ("2027-03-24T16:30:00+01:00", 1, "2027-03-30T16:30:00+02:00", "over Easter and DST 2027"),
    ("2026-04-30T10:00:00+02:00", 1, "2026-05-04T10:00:00+02:00", "over Labour Day"),
    ("2026-05-13T09:00:00+02:00", 1, "2026-05-15T09:00:00+02:00", "over Ascension Day"),
    ("2026-05-13T09:00:00+02:00", 3, "2026-05-19T09:00:00+02:00", "over Ascension, N=3"),
    ("2026-05-14T09:00:00+02:00", 1, "2026-05-16T00:00:00+02:00", "on Ascension Day"),
    ("2026-05-22T13:00:00+02:00", 1, "2026-05-26T13:00:00+02:00", "over Whit Monday"),
    ("2027-05-14T11:00:00+02:00", 1, "2027-05-18T11:00:00+02:00", "over 17 May 2027"),
    ("2028-05-16T10:00:00+02:00", 1, "2028-05-18T10:00:00+02:00", "over 17 May 2028"),
    ("2028-05-17T10:00:00+02:00", 1, "2028-05-19T00:00:00+02:00", "on 17 May 2028"),
    ("2026-03-27T14:00:00+01:00", 1, "2026-03-30T14:00:00+02:00", "over spring DST"),
    ("2026-03-27T14:00:00+01:00", 3, "2026-04-01T14:00:00+02:00", "over spring DST, N=3"),
    ("2026-10-23T14:00:00+02:00", 1, "2026-10-26T14:00:00+01:00", "over autumn DST"),
    ("2026-10-23T14:00:00+02:00", 3, "2026-10-28T14:00:00+01:00", "over autumn DST, N=3"),
    ("2026-03-29T03:30:00+02:00", 1, "2026-03-31T00:00:00+02:00", "on the spring DST day"),
    ("2026-10-25T02:30:00+02:00", 1, "2026-10-27T00:00:00+01:00", "first 02:30 of autumn"),
    ("2026-10-25T02:30:00+01:00", 1, "2026-10-27T00:00:00+01:00", "second 02:30 of autumn"),
    ("2026-03-13T13:00:00+00:00", 3, "2026-03-18T14:00:00+01:00", "given in UTC"),
    ("2026-03-13T23:30:00+00:00", 1, "2026-03-17T00:00:00+01:00", "UTC Friday, Oslo Saturday"),
    ("2026-03-15T23:30:00+00:00", 1, "2026-03-17T00:30:00+01:00", "UTC Sunday, Oslo Monday"),
    ("2026-03-16T08:00:00+09:00", 1, "2026-03-17T00:00:00+01:00", "given at +09:00"),
    ("2026-03-13T09:00:00-05:00", 1, "2026-03-16T15:00:00+01:00", "given at -05:00"),
    ("1916-05-19T01:30:00+01:00", 1, "1916-05-22T02:30:00+02:00", "wall time skipped, 1916"),
    ("1942-10-30T02:30:00+02:00", 1, "1942-11-02T02:30:00+02:00", "wall time twice, 1942"),
]


@pytest.mark.parametrize(
    ("received", "business_days", "expected"),
    [case[:3] for case in DEADLINES],
    ids=[case[3] for case in DEADLINES],
)
@pytest.mark.parametrize("zone", ["as given", "Oslo"])
def test_deadline(received: str, business_days: int, expected: str, zone: str) -> None:
    moment = datetime.fromisoformat(received)
    if zone == "Oslo":
        moment = moment.astimezone(OSLO)
    result = deadline(moment, business_days)
    assert result.tzinfo is OSLO
    assert result.isoformat() == expected


@pytest.mark.parametrize(
    ("received", "business_days", "expected"),
    [case[:3] for case in DEADLINES],
    ids=[case[3] for case in DEADLINES],
)
def test_deadline_us(received: str, business_days: int, expected: str) -> None:
    received_us = to_us(datetime.fromisoformat(received))
    assert deadline_us(received_us, business_days) == to_us(datetime.fromisoformat(expected))


def test_dst_keeps_the_wall_clock_but_not_the_hours() -> None:
    spring = datetime(2026, 3, 27, 14, tzinfo=OSLO)
    autumn = datetime(2026, 10, 23, 14, tzinfo=OSLO)
    assert deadline(spring, 1).astimezone(UTC) - spring.astimezone(UTC) == timedelta(hours=71)
    assert deadline(autumn, 1).astimezone(UTC) - autumn.astimezone(UTC) == timedelta(hours=73)


def test_a_skipped_wall_time_is_read_as_the_moment_it_denotes() -> None:
    # 02:30 did not exist in Oslo on Monday 29 March 1943; as a moment it is 03:30 summer time.
    skipped = datetime(1943, 3, 29, 2, 30, tzinfo=OSLO)
    assert deadline(skipped, 1).isoformat() == "1943-03-30T03:30:00+02:00"
    assert deadline_us(to_us(skipped), 1) == to_us(deadline(skipped, 1))


@pytest.mark.parametrize("business_days", [0, -1])
def test_fewer_than_one_business_day_is_refused(business_days: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        deadline(datetime(2026, 3, 13, 14, tzinfo=OSLO), business_days)
    with pytest.raises(ValueError, match="at least 1"):
        deadline_us(to_us(datetime(2026, 3, 13, 14, tzinfo=OSLO)), business_days)


# --- properties -----------------------------------------------------------------------------

ZONES = st.sampled_from(
    [UTC, OSLO, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9, minutes=30))]
)


def receipts(first_year: int, last_year: int) -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=datetime(first_year, 1, 2),
        max_value=datetime(last_year, 12, 1),
        timezones=ZONES,
    )


def wall_deadline(received: datetime, business_days: int) -> tuple[date, int]:
    """A plain model: spend N days of wall-clock time, but only inside business days."""
    local = received.astimezone(OSLO)
    day, offset = local.date(), _wall_us(local.time())
    remaining = business_days * DAY_US
    while True:
        if holidays_free_weekday(day):
            if remaining <= DAY_US - offset:
                wall = offset + remaining
                return (day + ONE_DAY, 0) if wall == DAY_US else (day, wall)
            remaining -= DAY_US - offset
        day, offset = day + ONE_DAY, 0


def holidays_free_weekday(day: date) -> bool:
    return day.weekday() < 5 and day not in Norway(years=day.year, include_sundays=False)


def _wall_us(wall: time) -> int:
    return ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1_000_000 + wall.microsecond


@settings(max_examples=300)
@given(received=receipts(1981, 2099), business_days=st.integers(1, 5))
def test_deadline_matches_the_wall_clock_model(received: datetime, business_days: int) -> None:
    # Since 1981 Oslo changes its clocks only on Sundays, so every business day has 24 hours.
    result = deadline(received, business_days)
    assert (result.date(), _wall_us(result.time())) == wall_deadline(received, business_days)


@settings(max_examples=300)
@given(received=receipts(1902, 2099), business_days=st.integers(1, 4))
def test_deadline_properties(received: datetime, business_days: int) -> None:
    result = deadline(received, business_days)
    assert result.astimezone(UTC) > received.astimezone(UTC)
    if not is_business_day(result.date()):
        assert result.time() == time(0)
        assert is_business_day(result.date() - ONE_DAY)
    later = deadline(received, business_days + 1)
    assert later.astimezone(UTC) > result.astimezone(UTC)


@settings(max_examples=300)
@given(
    first=receipts(1902, 2099),
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)),
    business_days=st.integers(1, 4),
)
def test_a_later_receipt_never_has_an_earlier_deadline(
    first: datetime, gap: timedelta, business_days: int
) -> None:
    second = (first.astimezone(UTC) + gap).astimezone(first.tzinfo)
    assert deadline(first, business_days).astimezone(UTC) <= deadline(
        second, business_days
    ).astimezone(UTC)


@settings(max_examples=300)
@given(received=receipts(1902, 2099), business_days=st.integers(1, 4))
def test_microsecond_functions_agree(received: datetime, business_days: int) -> None:
    received_us = to_us(received)
    expected = deadline(received, business_days)
    assert deadline_us(received_us, business_days) == to_us(expected)
    assert oslo_date_us(received_us) == oslo_date(received)
    assert oslo_midnight_us(oslo_date(received)) == to_us(oslo_midnight(oslo_date(received)))
