from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadence.privacy.ages import age_on, is_under


def test_birthdays_and_leap_days():
    assert age_on(date(2010, 6, 15), date(2026, 6, 14)) == 15
    assert age_on(date(2010, 6, 15), date(2026, 6, 15)) == 16
    assert age_on(date(2012, 2, 29), date(2028, 2, 28)) == 15
    assert age_on(date(2012, 2, 29), date(2028, 2, 29)) == 16
    assert age_on(date(2012, 2, 29), date(2027, 3, 1)) == 15
    assert not is_under(None, 16, date(2026, 1, 1))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # 2 cores shared by many runs
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=0, max_value=40000))
def test_age_never_decreases_and_grows_by_at_most_one_a_day(born: date, days: int):
    today = born + timedelta(days=days)
    age = age_on(born, today)
    assert 0 <= age <= days // 365 + 1
    assert age_on(born, today + timedelta(days=1)) - age in (0, 1)
