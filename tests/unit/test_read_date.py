"""Dates as people type them: ISO, words, and numbers in the locale's order; refusals in words."""

import datetime as dt

import pytest

from briefing.core.dates import read_date, show_date
from briefing.errors import InputError

ANY = ("day", "month", "year")


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2020-06-09", True, dt.date(2020, 6, 9)),
        ("9 June 2020", True, dt.date(2020, 6, 9)),
        ("June 9, 2020", True, dt.date(2020, 6, 9)),
        ("9 jun 2020", False, dt.date(2020, 6, 9)),
        ("9/6/2020", True, dt.date(2020, 6, 9)),
        ("9/6/2020", False, dt.date(2020, 9, 6)),
        ("9.6.2020", True, dt.date(2020, 6, 9)),
    ],
)
def test_a_whole_date_in_every_accepted_form(text, day_first, expected):
    assert read_date(text, day_first=day_first) == (expected, "day")


def test_month_and_year_precision_only_where_allowed():
    assert read_date("June 2020", precisions=ANY) == (dt.date(2020, 6, 1), "month")
    assert read_date("2019-09", precisions=ANY) == (dt.date(2019, 9, 1), "month")
    assert read_date("2019", precisions=ANY) == (dt.date(2019, 1, 1), "year")
    with pytest.raises(InputError, match="'2019' is a year; give a day"):
        read_date("2019")
    assert show_date(dt.date(2019, 9, 1), "month") == "2019-09"
    assert show_date(dt.date(2019, 9, 4)) == "2019-09-04"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no date given"),
        ("banana", "'banana' is not a date; type it as 2020-06-09 or 9 June 2020"),
        ("30/2/2020", "there is no 30 February 2020"),
        ("2021-02-30", "there is no 30 February 2021"),
        ("13/13/2020", "there is no month 13"),
        ("9 Juneteenth 2020", "is not a date"),
        ("1/2/20", "20 is not a year of four digits"),
    ],
)
def test_a_wrong_date_is_refused_in_words(text, words):
    with pytest.raises(InputError, match=words):
        read_date(text)
