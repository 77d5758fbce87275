"""Date values: Notion's stored form is stable, and comparisons follow real instants by minute."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from syncbridge.sandbox import datevalues

OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=OFFSETS
)


@given(MOMENTS)
def test_stored_form_is_stable(moment: datetime) -> None:
    stored = datevalues.normalize_date({"start": moment.isoformat()}, "body.d")
    again = datevalues.normalize_date({"start": stored["start"]}, "body.d")
    assert again == stored
    assert stored["start"].endswith(moment.isoformat()[-6:])  # the offset is kept
    assert stored["start"][17:23] == "00.000"  # rounded down to the minute


@given(MOMENTS, MOMENTS)
def test_compare_orders_by_utc_minute(a: datetime, b: datetime) -> None:
    ma, mb = datevalues.moment(a), datevalues.moment(b)
    floor_a = a.astimezone(UTC).replace(second=0, microsecond=0)
    floor_b = b.astimezone(UTC).replace(second=0, microsecond=0)
    expected = (floor_a > floor_b) - (floor_a < floor_b)
    assert datevalues.compare(ma, mb) == expected


@given(
    MOMENTS, st.dates(min_value=datetime(1900, 1, 2).date(), max_value=datetime(2200, 1, 1).date())
)
def test_date_only_compares_by_the_date_times_own_day(a: datetime, day: date) -> None:
    cmp = datevalues.compare(datevalues.moment(a), datevalues.moment(day))
    assert cmp == (a.date() > day) - (a.date() < day)


def test_time_zone_is_folded_into_the_offset() -> None:
    stored = datevalues.normalize_date(
        {"start": "2026-01-15T09:30:59", "time_zone": "America/New_York"}, "p"
    )
    assert stored == {"start": "2026-01-15T09:30:00.000-05:00", "end": None, "time_zone": None}
    summer = datevalues.normalize_date(
        {"start": "2026-07-15T09:30:00Z", "time_zone": "Europe/Berlin"}, "p"
    )
    assert summer["start"] == "2026-07-15T11:30:00.000+02:00"
