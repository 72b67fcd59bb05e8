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


# -- reading what a person types ---------------------------------------------------------------

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
PRECISION_WORDS = {"day": "a day", "month": "a month", "year": "a year"}


def _month(word: str) -> int | None:
    word = word.strip(".").casefold()
    if len(word) < 3:
        return None
    for number, name in enumerate(MONTHS, start=1):
        if name.startswith(word):
            return number
    return None


def _build(year: int, month: int = 1, day: int = 1) -> dt.date:
    """The date, or InputError naming the impossible part in words ("there is no 30 February")."""
    if not 1 <= month <= 12:
        raise InputError(f"there is no month {month}; months run from 1 to 12")
    if year < 1000 or year > 9999:
        raise InputError(f"{year} is not a year of four digits")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputError(f"there is no {day} {MONTHS[month - 1].capitalize()} {year}") from None


def read_date(
    text: str, *, day_first: bool = True, precisions: tuple[str, ...] = ("day",)
) -> tuple[dt.date, str]:
    """A date as a person types it, with its precision: (date, "day" | "month" | "year").

    Accepts `2020-06-09`, `9 June 2020`, `June 9, 2020`, `9 Jun 2020`, and `9/6/2020` or
    `9.6.2020` with day and month in the user's locale order (`day_first`); and, where
    `precisions` allows, `June 2020`, `2020-06`, `6/2020` or `2020`. Anything else is refused
    with an InputError that says in words what is wrong and what would do.
    """
    raw = " ".join(text.split())
    if not raw:
        raise InputError("no date given")
    forms = " or ".join(
        {"day": "2020-06-09 or 9 June 2020", "month": "June 2020", "year": "2020"}[p]
        for p in precisions
    )
    cleaned = raw.replace(",", " ")
    words = cleaned.split()
    date: dt.date | None = None
    precision = "day"
    try:
        if len(words) == 1 and "-" in raw and raw[:4].isdigit():
            parts = raw.split("-")
            if not all(part.isdigit() for part in parts) or len(parts) > 3:
                raise InputError(f"{raw!r} is not a date; type it as {forms}")
            numbers = [int(part) for part in parts]
            date = _build(*numbers)
            precision = ("year", "month", "day")[len(numbers) - 1]
        elif len(words) == 1 and ("/" in raw or "." in raw):
            parts = raw.replace(".", "/").split("/")
            if not all(part.isdigit() for part in parts) or len(parts) not in (2, 3):
                raise InputError(f"{raw!r} is not a date; type it as {forms}")
            numbers = [int(part) for part in parts]
            if len(numbers) == 2:
                date, precision = _build(numbers[1], numbers[0]), "month"
            else:
                day, month = (numbers[0], numbers[1]) if day_first else (numbers[1], numbers[0])
                date = _build(numbers[2], month, day)
        elif len(words) == 1 and raw.isdigit():
            date, precision = _build(int(raw)), "year"
        elif 2 <= len(words) <= 3:
            months = [(i, _month(w)) for i, w in enumerate(words) if not w.isdigit()]
            if len(months) != 1 or months[0][1] is None:
                raise InputError(f"{raw!r} is not a date; type it as {forms}")
            numbers = [int(w.rstrip("stndrh") or 0) for w in words if w.isdigit()]
            month = months[0][1]
            if len(words) == 2 and len(numbers) == 1:
                date, precision = _build(numbers[0], month), "month"
            elif len(numbers) == 2:
                day, year = (numbers[0], numbers[1]) if numbers[0] <= 31 else numbers[::-1]
                date = _build(year, month, day)
        if date is None:
            raise InputError(f"{raw!r} is not a date; type it as {forms}")
    except InputError as error:
        message = str(error)
        if message.startswith("there is no") or message.endswith("four digits"):
            raise InputError(f"{raw!r} is not a date: {message}") from None
        raise
    if precision not in precisions:
        wanted = " or ".join(PRECISION_WORDS[p] for p in precisions)
        raise InputError(f"{raw!r} is {PRECISION_WORDS[precision]}; give {wanted}, as {forms}")
    return date, precision


def show_date(value: dt.date, precision: str = "day") -> str:
    """How a date field shows a stored date: ISO, as precise as it is ("2019-09")."""
    return {"year": f"{value.year:04d}", "month": f"{value.year:04d}-{value.month:02d}"}.get(
        precision, value.isoformat()
    )
