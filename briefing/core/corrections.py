"""Correcting and removing evidence: a quote's details, a source's details, and deleting either.

A quote's words and offsets are what the source says and are never edited here; what can be
corrected is who said them (the speaker), when, whether they are the speaker's own words or the
source's words about them (direct or reported), and its tags. A source's text is evidence and is
never edited either (`core.sources` refuses it); its details (title, publisher, author, web
address, date) can be corrected.

Deleting asks first: `quote_dependents` and `source_dependents` say in words what goes with the
record (answers that lose their backing quote, briefing items, notes, and for a source its
quotes), and the window or the command line show that before `delete_quote` / `delete_source`
run. Each use case is one transaction; the window wraps them in `core.undo.Recorded`, which
restores every row they touched, the quotes, notes and briefing items a delete took included.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from briefing.core.changes import Changes, Edited
from briefing.core.notes import clean_tags
from briefing.core.quotes import ATTRIBUTIONS, _speaker
from briefing.core.sources import find_source
from briefing.core.versions import Version, check_version, touch
from briefing.errors import InputError, NotFound
from briefing.store.database import written_by_me
from briefing.store.models import Answer, BriefingItem, Event, Note, Quote, Tag
from briefing.text import name_key

_UNSET = object()
TITLE_MAX = 500


def _quote(session: Session, quote_id: int) -> Quote:
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFound(f"there is no quote with id {quote_id}; `briefing quotes` lists them")
    return quote


def _tags(session: Session, names: Sequence[str]) -> list[Tag]:
    tags = []
    for name in clean_tags(names):
        # By the stored key (NFC, case-folded), as every name lookup: SQLite's lower() folds
        # ASCII only, so "Überwachung" would not find "überwachung" and the insert would fail.
        tag = session.scalars(select(Tag).where(Tag.name_key == name_key(name))).first()
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
        tags.append(tag)
    return tags


def _not_future(value: dt.date | None, what: str) -> None:
    if value is not None and value > dt.date.today():
        raise InputError(f"{what} {value.isoformat()} is in the future")


@dataclass(frozen=True)
class QuoteDetails:
    """What can be corrected of a quote, as it stands."""

    id: int
    text: str
    speaker_id: int | None
    speaker: str
    said_on: dt.date | None
    attribution: str
    tags: tuple[str, ...]
    source_id: int | None
    source_title: str


def quote_details(session: Session, quote_id: int) -> QuoteDetails:
    quote = _quote(session, quote_id)
    return QuoteDetails(
        id=quote.id,
        text=quote.text,
        speaker_id=quote.speaker_id,
        speaker=quote.speaker.name if quote.speaker else "",
        said_on=quote.said_on,
        attribution=quote.attribution,
        tags=tuple(tag.name for tag in quote.tags),
        source_id=quote.source_id,
        source_title=quote.source.title if quote.source else "",
    )


def edit_quote(
    session: Session,
    quote_id: int,
    *,
    speaker: int | str | object = _UNSET,
    said_on: dt.date | None | object = _UNSET,
    attribution: str | object = _UNSET,
    tags: Sequence[str] | object = _UNSET,
    expected_version: Version | None = None,
) -> Changes:
    """Correct a quote's speaker (a stakeholder's id or name), date (None: undated), direct or
    reported, or tags (the whole list). Fields not given stay as they are. `expected_version`
    is the quote's version when the form opened (`briefing.core.versions`)."""
    check_version(session.get(Quote, quote_id), expected_version, "the quote")
    quote = _quote(session, quote_id)
    changes = Changes.of("quote")
    if speaker is not _UNSET:
        who = _speaker(session, speaker)  # refuses an unknown name, with the closest ones
        if who.id != quote.speaker_id:
            # The answers it backs belong to the old speaker: one cannot be backed by another's
            # words, so they keep their answer and lose the backing.
            for answer in session.scalars(select(Answer).where(Answer.quote_id == quote.id)):
                if answer.stakeholder_id not in (who.id, who.parent_id):
                    answer.quote_id = None
                    changes |= Changes.of("answer")
            quote.speaker = who
            changes |= Changes.of("stakeholder")
    if said_on is not _UNSET:
        _not_future(said_on, "the date")
        quote.said_on = said_on
    if attribution is not _UNSET:
        if attribution not in ATTRIBUTIONS:
            raise InputError(f"a quote is 'direct' or 'reported', not {attribution!r}")
        quote.attribution = attribution
    if tags is not _UNSET:
        wanted = _tags(session, tags)
        if sorted(t.name_key for t in wanted) != sorted(t.name_key for t in quote.tags):
            quote.tags = wanted
            touch(quote)  # the tags live in another table: the quote's version moves on
        changes |= Changes.of("tag")
    return changes


@dataclass(frozen=True)
class Dependents:
    """What goes with a record when it is deleted, counted, and said in words."""

    quotes: int = 0
    answers: int = 0  # answers that lose the quote backing them (the answers stay)
    briefing_items: int = 0
    notes: int = 0
    events: int = 0  # events that no longer cite the source (the events stay)

    @property
    def anything(self) -> bool:
        return any((self.quotes, self.answers, self.briefing_items, self.notes, self.events))

    def words(self) -> str:
        """ "With it go 2 quotes, 1 note and 1 briefing item; 1 answer loses its backing quote
        (the answer stays)." or "Nothing else goes with it.\""""

        def count(n: int, one: str, many: str) -> str:
            return f"{n} {one if n == 1 else many}"

        going = [
            count(n, one, many)
            for n, one, many in (
                (self.quotes, "quote", "quotes"),
                (self.briefing_items, "briefing item", "briefing items"),
                (self.notes, "note", "notes"),
            )
            if n
        ]
        parts = []
        if going:
            listed = going[0] if len(going) == 1 else ", ".join(going[:-1]) + " and " + going[-1]
            parts.append(f"With it go {listed}.")
        if self.answers:
            verb = "loses its" if self.answers == 1 else "lose their"
            stay = "the answer stays" if self.answers == 1 else "the answers stay"
            parts.append(
                f"{count(self.answers, 'answer', 'answers')} {verb} backing quote ({stay}, "
                "unsupported)."
            )
        if self.events:
            parts.append(f"{count(self.events, 'event', 'events')} will no longer cite it.")
        return " ".join(parts) or "Nothing else goes with it."

    def as_dict(self) -> dict[str, int]:
        return {
            "quotes": self.quotes,
            "answers": self.answers,
            "briefing_items": self.briefing_items,
            "notes": self.notes,
            "events": self.events,
        }


def _count(session: Session, statement) -> int:
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _quote_dependents(session: Session, quote_ids: list[int]) -> Dependents:
    return Dependents(
        answers=_count(session, select(Answer.id).where(Answer.quote_id.in_(quote_ids))),
        briefing_items=_count(
            session, select(BriefingItem.id).where(BriefingItem.quote_id.in_(quote_ids))
        ),
        notes=_count(
            session,
            select(Note.id).where(
                Note.quote_id.in_(quote_ids), written_by_me(session, Note.written_by)
            ),
        ),
    )


def quote_dependents(session: Session, quote_id: int) -> Dependents:
    """What deleting quote `quote_id` would take with it."""
    _quote(session, quote_id)
    return _quote_dependents(session, [quote_id])


def delete_quote(session: Session, quote_id: int) -> Changes:
    """Delete a quote; its notes and briefing items go with it, the answers it backed stay
    without their backing quote (the store's ON DELETE rules)."""
    quote = _quote(session, quote_id)
    session.delete(quote)
    return Changes.of("quote", "answer", "briefing", "note", "stakeholder", "source")


# -- sources ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceDetails:
    id: int
    title: str
    publisher: str
    author: str
    url: str
    published: dt.date | None


def source_details(session: Session, source_id: int | str) -> SourceDetails:
    source = find_source(session, source_id)
    return SourceDetails(
        source.id, source.title, source.publisher, source.author, source.url, source.published
    )


def edit_source(
    session: Session,
    source_id: int | str,
    *,
    title: str | object = _UNSET,
    publisher: str | object = _UNSET,
    author: str | object = _UNSET,
    url: str | object = _UNSET,
    published: dt.date | None | object = _UNSET,
    expected_version: Version | None = None,
) -> Changes:
    """Correct a source's details. Its text, and so its sha256, are never changed.
    `expected_version` is the source's version when the form opened."""
    if expected_version is not None:
        check_version(_found_source(session, source_id), expected_version, "the source")
    source = find_source(session, source_id)
    if title is not _UNSET:
        cleaned = " ".join(str(title).split())
        if not cleaned:
            raise InputError("a source needs a title")
        if len(cleaned) > TITLE_MAX:
            raise InputError(f"a source's title is at most {TITLE_MAX} characters")
        source.title = cleaned
    for name, value in (("publisher", publisher), ("author", author)):
        if value is not _UNSET:
            setattr(source, name, " ".join(str(value).split()))
    if url is not _UNSET:
        address = str(url).strip()
        if any(c.isspace() for c in address):
            raise InputError(f"a web address has no spaces: {address!r}")
        source.url = address
    if published is not _UNSET:
        _not_future(published, "the date")
        source.published = published
    # Its quotes show its title and date (and are dated by it): they changed with it.
    return Edited(frozenset({"source", "quote"}), source.id, "edited")


def _found_source(session: Session, source_id: int | str):
    try:
        return find_source(session, source_id)
    except NotFound:
        return None


def source_dependents(session: Session, source_id: int | str) -> Dependents:
    """What deleting a source would take with it: its quotes and what goes with them, its own
    notes, and the events that cite it (they stay, without the citation)."""
    source = find_source(session, source_id)
    quote_ids = list(session.scalars(select(Quote.id).where(Quote.source_id == source.id)))
    of_quotes = _quote_dependents(session, quote_ids)
    return Dependents(
        quotes=len(quote_ids),
        answers=of_quotes.answers,
        briefing_items=of_quotes.briefing_items,
        notes=of_quotes.notes
        + _count(
            session,
            select(Note.id).where(
                Note.source_id == source.id, written_by_me(session, Note.written_by)
            ),
        ),
        events=_count(session, select(Event.id).where(Event.source_id == source.id)),
    )


def delete_source(session: Session, source_id: int | str) -> Changes:
    """Delete a source and its quotes (a quote without its source would cite nothing), with
    their notes and briefing items; answers they backed stay, unsupported."""
    source = find_source(session, source_id)
    for quote in session.scalars(select(Quote).where(Quote.source_id == source.id)):
        session.delete(quote)
    session.flush()
    session.delete(source)
    kinds = {"source", "quote", "answer", "briefing", "note", "event", "stakeholder", "tag"}
    return Edited(frozenset(kinds), source.id, "deleted")


# -- who said it --------------------------------------------------------------------------------

NEAR = 300  # characters either side of a selection that count as "next to" it


def speaker_near(text: str, start: int, end: int, speakers: Sequence) -> int | None:
    """The speaker a new quote of text[start:end] most likely has: a stakeholder named in the
    selection, else the one named closest to it within NEAR characters; None if none is.

    `speakers` are `core.quotes.SpeakerChoice`s (id, name). Names match whole words, ignoring
    case ("IBM's" names IBM). The selected card plays no part: quoting a source while another
    card is selected must not give the words to that card's stakeholder.
    """
    low = max(0, start - NEAR)
    around = text[low : min(len(text), end + NEAR)]
    best: tuple[int, int, int] | None = None  # (distance, -length of name, id)
    for choice in speakers:
        name = choice.name.strip()
        if not name:
            continue
        for found in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", around, flags=re.I):
            at, to = found.start() + low, found.end() + low
            distance = 0 if at < end and to > start else min(abs(start - to), abs(at - end))
            key = (distance, -len(name), choice.id)
            if best is None or key < best:
                best = key
    return best[2] if best is not None else None
