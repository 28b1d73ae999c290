"""The business-day calendar behind the response deadline of an inquiry.

The SLA clock runs only on business days: Monday to Friday in the Oslo
calendar that are not Norwegian public holidays. Each business day counts as
one whole local calendar day, and the deadline is the local wall-clock moment
at which N business days have run from the receipt (contract §2 "Response
deadline" and §6 "Durations and windows"):

- received during a business day at wall time T > 00:00: the N-th following
  business day at wall time T;
- received at 00:00 of a business day, or at any time of a day that is not a
  business day: the clock starts at 00:00 of the first business day from then
  on, and the deadline is the midnight that ends the N-th business day.

Holidays come from the ``holidays`` package, which knows Norway for the years
1901 to 2100; a date outside them is a ``ValueError``, never a guess.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays.countries.norway import Norway

__all__ = [
    "OSLO",
    "deadline",
    "deadline_us",
    "is_business_day",
    "oslo_date",
    "oslo_date_us",
    "oslo_midnight",
    "oslo_midnight_us",
]

OSLO = ZoneInfo("Europe/Oslo")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)
_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND


@lru_cache(maxsize=512)
def _public_holidays(year: int) -> frozenset[date]:
    """The Norwegian public holidays of ``year``, Sundays not counted as such."""
    if not Norway.start_year <= year <= Norway.end_year:
        raise ValueError(f"no Norwegian holiday calendar for the year {year}")
    return frozenset(Norway(years=year, include_sundays=False))


@lru_cache(maxsize=65_536)
def is_business_day(day: date) -> bool:
    """Whether ``day`` is Monday to Friday and not a Norwegian public holiday."""
    public_holidays = _public_holidays(day.year)
    return day.weekday() < 5 and day not in public_holidays


def oslo_date(moment: datetime) -> date:
    """The Oslo calendar date of the aware datetime ``moment``."""
    return _to_oslo(moment).date()


def oslo_midnight(day: date) -> datetime:
    """The first moment of ``day`` in Oslo, as an aware datetime in ``OSLO``."""
    return _oslo_wall(day, _MIDNIGHT)


def deadline(received: datetime, business_days: int) -> datetime:
    """The moment, in ``OSLO``, at which ``business_days`` business days have run.

    ``received`` may be given in any time zone; it is read on the Oslo clock.
    """
    local = _to_oslo(received)
    day, wall = _deadline_wall(local.date(), local.time(), business_days)
    return _oslo_wall(day, wall)


@lru_cache(maxsize=65_536)
def deadline_us(received_us: int, business_days: int) -> int:
    """``deadline`` on microseconds since the Unix epoch, in and out."""
    seconds, micros = divmod(received_us, _US_PER_SECOND)
    local = datetime.fromtimestamp(seconds, OSLO).replace(microsecond=micros)
    day, wall = _deadline_wall(local.date(), local.time(), business_days)
    if _is_regular(day):
        return oslo_midnight_us(day) + _wall_us(wall)
    return _to_us(_oslo_wall(day, wall))


def oslo_date_us(us: int) -> date:
    """The Oslo calendar date of ``us`` microseconds since the Unix epoch."""
    if us >= 0:
        return _oslo_date_of_hour(us // _US_PER_HOUR)
    return datetime.fromtimestamp(us // _US_PER_SECOND, OSLO).date()


@lru_cache(maxsize=65_536)
def _oslo_date_of_hour(hour: int) -> date:
    """The Oslo date throughout UTC hour number ``hour`` after the epoch: since 1970
    Oslo's offset is a whole number of hours and changes only on the hour, so a
    local midnight never falls inside a UTC hour."""
    return datetime.fromtimestamp(hour * 3600, OSLO).date()


@lru_cache(maxsize=65_536)
def oslo_midnight_us(day: date) -> int:
    """The first moment of ``day`` in Oslo, in microseconds since the Unix epoch."""
    return _to_us(oslo_midnight(day))


def _deadline_wall(day: date, wall: time, business_days: int) -> tuple[date, time]:
    """The Oslo date and wall time of the deadline for a receipt at ``wall`` on ``day``."""
    if business_days < 1:
        raise ValueError(f"business_days must be at least 1, got {business_days}")
    if wall != _MIDNIGHT and is_business_day(day):
        return _nth_business_day(day + _ONE_DAY, business_days), wall
    return _nth_business_day(day, business_days) + _ONE_DAY, _MIDNIGHT


def _nth_business_day(first: date, n: int) -> date:
    """The ``n``-th business day on or after ``first``."""
    day = first
    while True:
        if is_business_day(day):
            n -= 1
            if n == 0:
                return day
        day += _ONE_DAY


def _to_oslo(moment: datetime) -> datetime:
    """``moment`` on the Oslo clock; a naive datetime is refused.

    The detour through UTC also turns a wall time that the Oslo clock skips into
    the real moment it denotes, which ``astimezone`` alone would leave as it is.
    """
    if moment.utcoffset() is None:
        raise ValueError("expected an aware datetime, got a naive one")
    return moment.astimezone(UTC).astimezone(OSLO)


def _oslo_wall(day: date, wall: time) -> datetime:
    """The earliest moment at which the Oslo clock shows ``wall`` on ``day``.

    A wall time skipped by a clock change is carried forward past the change.
    """
    naive = datetime.combine(day, wall.replace(fold=0))
    return naive.replace(tzinfo=OSLO).astimezone(UTC).astimezone(OSLO)


@lru_cache(maxsize=65_536)
def _is_regular(day: date) -> bool:
    """Whether ``day`` lasts 24 hours on one UTC offset, so wall time adds to midnight."""
    start = oslo_midnight(day)
    end = oslo_midnight(day + _ONE_DAY)
    elapsed = end.astimezone(UTC) - start.astimezone(UTC)
    return elapsed == _ONE_DAY and start.utcoffset() == end.utcoffset()


def _wall_us(wall: time) -> int:
    """Microseconds from midnight to the wall time ``wall``."""
    seconds = (wall.hour * 60 + wall.minute) * 60 + wall.second
    return seconds * _US_PER_SECOND + wall.microsecond


def _to_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of the aware datetime ``moment``."""
    return (moment - _EPOCH) // timedelta(microseconds=1)
