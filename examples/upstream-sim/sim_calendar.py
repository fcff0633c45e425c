"""Business-day arithmetic for the simulated upstream (weekdays; no holiday calendar)."""

import datetime

# Day 0 of every fund's NAV walk (a Monday). Dates before it walk backwards from it.
EPOCH = datetime.date(2024, 1, 1)


def parse(text):
    return datetime.date.fromisoformat(text)


def is_business_day(day):
    return day.weekday() < 5


def index(day):
    """Business days from EPOCH to `day`; a weekend day has the index of the Friday before."""
    weeks, rest = divmod((day - EPOCH).days, 7)
    return weeks * 5 + min(rest, 4)


def from_index(i):
    weeks, rest = divmod(i, 5)
    return EPOCH + datetime.timedelta(days=weeks * 7 + rest)


def on_or_before(day):
    """The latest business day on or before `day`."""
    return from_index(index(day))


def previous(day):
    """The business day before `day` (before the Friday, for a weekend day)."""
    return from_index(index(day) - 1)


def add_days(day, days):
    return day + datetime.timedelta(days=days)
