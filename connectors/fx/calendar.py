"""When the ECB publishes: ~16:00 CET on TARGET working days (Frankfurter: "updated daily
around 16:00 CET"), so a cached answer for the latest rates is good until the next one.

TARGET2 closing days: Saturdays, Sundays, 1 January, Good Friday, Easter Monday, 1 May,
25 and 26 December; the ECB publishes no reference rates on them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    n = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * n) // 451
    month, day = divmod(h + n - 7 * m + 114, 31)
    return date(year, month, day + 1)


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5 or (day.month, day.day) in {(1, 1), (5, 1), (12, 25), (12, 26)}:
        return False
    sunday = easter(day.year)
    return day not in (sunday - timedelta(days=2), sunday + timedelta(days=1))


class Publication:
    """The provider's daily publication instant (``at`` in ``zone`` on working days)."""

    def __init__(self, at: time, zone: str) -> None:
        self.at = at
        self.zone = ZoneInfo(zone)

    def instant(self, day: date) -> datetime:
        return datetime.combine(day, self.at, tzinfo=self.zone)

    def last(self, now: datetime) -> datetime:
        """The latest publication at or before ``now`` (aware): the rates then current."""
        day = now.astimezone(self.zone).date()
        while not is_working_day(day) or self.instant(day) > now:
            day -= timedelta(days=1)
        return self.instant(day)

    def next(self, now: datetime) -> datetime:
        """The first publication after ``now``: when the latest rates change."""
        day = now.astimezone(self.zone).date()
        while not is_working_day(day) or self.instant(day) <= now:
            day += timedelta(days=1)
        return self.instant(day)
