"""The plain records a card shows: a stakeholder's card and its quote lines (no store here).

`core.cards` reads them through the store's models; `store.first_screen` reads the same records
with one plain sqlite3 connection, so that the window's first screen paints before the store's
libraries are loaded. Both give equal records (a test compares them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from briefing.core.dates import format_date
from briefing.text import isolate

CARD_QUOTES = 2  # quotes shown on a card; the detail panel shows all


@dataclass(frozen=True)
class QuoteLine:
    """A quote as a card or a list shows it: the words, who said them, where and when."""

    id: int
    text: str
    speaker: str
    attribution: str
    source_title: str
    source_publisher: str
    source_published: dt.date | None
    said_on: dt.date | None

    @property
    def when(self) -> str:
        """When the words were said; if the source does not say, when it reported them."""
        if self.said_on is not None:
            return format_date(self.said_on)
        if self.source_published is not None:
            return f"reported {format_date(self.source_published)}"
        return "undated"

    @property
    def citation(self) -> str:
        """Where the words stand: the source, its publisher and the source's own date, then
        when the words were said if that differs."""
        # each part isolated (briefing.text.isolate): an override in a title reverses the title
        # alone, not the date after it
        parts = [isolate(self.source_title) or "source removed"]
        if self.source_publisher:
            parts.append(isolate(self.source_publisher))
        parts.append(citation_dates(self.source_published, self.said_on, self.attribution))
        return ", ".join(parts)


def citation_dates(published: dt.date | None, said_on: dt.date | None, attribution: str) -> str:
    """A citation's dates: the source's own ("12 June 2020", or "undated"), and when the words
    were said where that differs ("12 June 2020 (said 10 June 2020)"). A reported quote's own
    date is that of what it reports ("(events of 10 June 2020)")."""
    source = format_date(published) if published is not None else "undated"
    if said_on is None or said_on == published:
        return source
    words = "said" if attribution != "reported" else "events of"
    return f"{source} ({words} {format_date(said_on)})"


@dataclass(frozen=True)
class StakeholderCard:
    id: int
    name: str
    kind: str
    stance: str | None  # None: no position on this topic yet
    headline: str
    as_of: dt.date | None
    quotes: tuple[QuoteLine, ...]
    quote_count: int
    note_count: int
    # In a view "as of" a past day: the date of the stakeholder's next position after it, if
    # its position changed since (the card is marked); None otherwise.
    changed_on: dt.date | None = None
