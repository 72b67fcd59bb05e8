"""Parsing and showing dates that are only as precise as their source ("2018", "2019-09")."""

from __future__ import annotations

import datetime as dt

from briefing.errors import InputError


def parse_date(text: str, *, what: str = "date") -> dt.date:
    """A full YYYY-MM-DD date, or InputError saying what is wrong."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date of the form YYYY-MM-DD") from None


def parse_partial_date(text: str, *, what: str = "date") -> tuple[dt.date, str]:
    """ "2018" -> (2018-01-01, "year"); "2019-09" -> (2019-09-01, "month"); full dates -> "day"."""
    parts = text.strip().split("-")
    try:
        if len(parts) == 1:
            return dt.date(int(parts[0]), 1, 1), "year"
        if len(parts) == 2:
            return dt.date(int(parts[0]), int(parts[1]), 1), "month"
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return parse_date(text, what=what), "day"


def format_date(value: dt.date | None, precision: str = "day") -> str:
    """A date as an advocate would write it: "9 June 2020", "September 2019", "2018"."""
    if value is None:
        return "undated"
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"
