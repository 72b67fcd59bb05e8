"""Anchoring quotes in their sources, listing them, and checking every one of them.

A quote is made in one of two ways: from a selection in the source reader, which knows the exact
offsets (`add_quote_at`), or from the words alone (`add_quote`, used by `briefing quote add`),
which finds them in the source. Finding tolerates typography (a straight quotation mark typed for
a curly one, a hyphen for a dash, line breaks for spaces): the quote is then anchored to the
passage that holds those words, and keeps the words as typed, so that its check says "normalized"
rather than pretending to be exact. Words that are not in the source are refused, with the
closest passage, so the user sees what the source really says.

`check_quotes` is what `briefing verify` and the GUI show: every quote against its own source
(`briefing.core.verify.verify_quote`), and against the quotes of the same speaker (or of the
person and the organisation they speak for, via `Stakeholder.parent`) from other sources
(`briefing.core.verify.compare_quotes`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from briefing.core.alignment import ClosePassage, PassageIndex
from briefing.core.changes import Changes
from briefing.core.lookup import find_stakeholder
from briefing.core.primary import PrimaryCheck, primary_checks
from briefing.core.sources import find_source, page_of, sha256_text
from briefing.core.verify import (
    _TYPOGRAPHY,
    Comparison,
    Verification,
    comparable_words,
    compare_quotes,
    could_be_same_words,
    verify_quote,
)
from briefing.errors import InputError, NotFound
from briefing.store.models import Quote, Source, Stakeholder

_WORD = re.compile(r"\w+")
_CLOSEST_MIN_RATIO = 0.3
_MAX_CANDIDATES = 4000


# -- finding words in a source -----------------------------------------------------------------


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """The text with typography folded, and for every folded character its index in `text`."""
    folded: list[str] = []
    where: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space:
                folded.append(" ")
                where.append(index)
            in_space = True
            continue
        in_space = False
        for out in char.translate(_TYPOGRAPHY):
            folded.append(out)
            where.append(index)
    return "".join(folded), where


def find_occurrences(source_text: str, words: str) -> list[tuple[int, int]]:
    """Every place where `words` stand in the source: exactly, else with typography folded."""
    exact = [
        (m.start(), m.start() + len(words))
        for m in re.finditer(f"(?={re.escape(words)})", source_text)
    ]
    if exact:
        return exact
    query, _ = _fold_with_map(words.strip())
    if not query:
        return []
    folded, where = _fold_with_map(source_text)
    variants = {query, query[:1].lower() + query[1:], query[:1].upper() + query[1:]}
    found: set[tuple[int, int]] = set()
    for variant in variants:
        for match in re.finditer(f"(?={re.escape(variant)})", folded):
            start = match.start()
            found.add((where[start], where[start + len(variant) - 1] + 1))
    return sorted(found)


def closest_passage(source_text: str, words: str) -> tuple[int, int] | None:
    """The stretch of the source most like `words`, word for word, or None if none is close.

    Words here are runs of letters and digits, compared without case: typography and
    punctuation cannot make a passage look far away. Only windows that share a word with the
    quote are scored, rarest words first, so a long source costs one pass to split it into words
    and a bounded number of comparisons.
    """
    query = [m.group().casefold() for m in _WORD.finditer(words)]
    spans = [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(source_text)]
    if not query or not spans:
        return None
    keys = [key for _, _, key in spans]
    size = min(len(query), len(keys))
    positions: dict[str, list[int]] = defaultdict(list)
    wanted = set(query)
    for index, key in enumerate(keys):
        if key in wanted:
            positions[key].append(index)
    frequency = Counter({key: len(positions.get(key, ())) for key in wanted})
    candidates: set[int] = set()
    for key, _ in sorted(frequency.items(), key=lambda item: item[1]):
        for offset in [j for j, w in enumerate(query) if w == key]:
            for index in positions.get(key, ()):
                candidates.add(min(max(index - offset, 0), len(keys) - size))
        if len(candidates) >= _MAX_CANDIDATES:
            break
    best, best_ratio = None, _CLOSEST_MIN_RATIO
    for start in sorted(candidates):
        ratio = difflib.SequenceMatcher(
            a=keys[start : start + size], b=query, autojunk=False
        ).ratio()
        if ratio > best_ratio:
            best, best_ratio = start, ratio
    if best is None:
        return None
    return spans[best][0], spans[best + size - 1][1]


def _excerpt(text: str, start: int, end: int, limit: int = 240) -> str:
    passage = " ".join(text[start:end].split())
    return passage if len(passage) <= limit else passage[: limit - 1] + "\u2026"


# -- making quotes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AddedQuote:
    id: int
    start: int
    end: int
    changes: Changes


def _speaker(session: Session, speaker: int | str) -> Stakeholder:
    if isinstance(speaker, int):
        found = session.get(Stakeholder, speaker)
        if found is None:
            raise NotFound(f"there is no stakeholder with id {speaker}")
        return found
    return find_stakeholder(session, speaker)


ATTRIBUTIONS = ("direct", "reported")


def _check_attribution(attribution: str) -> None:
    if attribution not in ATTRIBUTIONS:
        raise InputError(f"a quote is 'direct' or 'reported', not {attribution!r}")


def add_quote_at(
    session: Session,
    source_id: int,
    start: int,
    end: int,
    speaker: int | str,
    said_on: dt.date | None = None,
    attribution: str = "direct",
) -> AddedQuote:
    """A quote of the source's text at [start, end), as selected in the reader."""
    _check_attribution(attribution)
    source = find_source(session, source_id)
    if sha256_text(source.text) != source.sha256:
        raise InputError(f"source {source.id} has changed since it was imported; quote a copy")
    if not 0 <= start < end <= len(source.text):
        raise InputError(f"[{start}:{end}] is not a passage of source {source.id}")
    words = source.text[start:end]
    stripped = words.strip()
    if not stripped:
        raise InputError("a quote needs words, not only white space")
    # A selection that took white space on either side is trimmed to the words.
    start += len(words) - len(words.lstrip())
    end = start + len(stripped)
    who = _speaker(session, speaker)
    return _store(session, source, start, end, stripped, who, said_on, attribution)


def add_quote(
    session: Session,
    source_id: int | str,
    words: str,
    speaker: int | str,
    said_on: dt.date | None = None,
    occurrence: int | None = None,
    attribution: str = "direct",
) -> AddedQuote:
    """Find `words` in the source and anchor them there; refuse words that are not in it.

    `attribution` "reported" marks the source's own words about the speaker (a report's
    "Amazon has refused to answer questions"), not words the speaker said."""
    _check_attribution(attribution)
    source = find_source(session, source_id)
    if sha256_text(source.text) != source.sha256:
        raise InputError(f"source {source.id} has changed since it was imported; quote a copy")
    if not words.strip():
        raise InputError("a quote needs words")
    who = _speaker(session, speaker)
    places = find_occurrences(source.text, words)
    if not places:
        near = closest_passage(source.text, words)
        hint = (
            f"; the closest passage is: \u201c{_excerpt(source.text, *near)}\u201d" if near else ""
        )
        raise InputError(f"these words are not in source {source.id}{hint}")
    if occurrence is None:
        if len(places) > 1:
            raise InputError(
                f"these words stand {len(places)} times in source {source.id}; "
                "say which with --occurrence N"
            )
        occurrence = 1
    if not 1 <= occurrence <= len(places):
        raise InputError(
            f"--occurrence {occurrence}: the words stand {len(places)} time(s) in source "
            f"{source.id}"
        )
    start, end = places[occurrence - 1]
    text = words if source.text[start:end] == words else words.strip()
    return _store(session, source, start, end, text, who, said_on, attribution)


def _store(session, source, start, end, text, speaker, said_on, attribution) -> AddedQuote:
    quote = Quote(
        source=source,
        start=start,
        end=end,
        text=text,
        speaker=speaker,
        said_on=said_on,
        attribution=attribution,
    )
    session.add(quote)
    session.flush()
    return AddedQuote(quote.id, start, end, Changes.of("quote"))


@dataclass(frozen=True)
class Conflict:
    quote_id: int
    source_id: int | None
    source_title: str
    speaker: str
    text: str
    comparison: Comparison  # this quote (first) against the other (second)


@dataclass(frozen=True)
class QuoteCheck:
    id: int
    source_id: int | None
    source_title: str
    speaker_id: int | None
    speaker: str
    text: str
    start: int
    end: int
    page: int | None
    said_on: dt.date | None
    verification: Verification
    source_intact: bool
    conflicts: tuple[Conflict, ...] = ()
    agreements: tuple[Conflict, ...] = field(default=())  # same words elsewhere, typography aside
    attribution: str = "direct"  # "reported": the source's words about the speaker, not theirs
    # The closest passage of the speaker's primary documents, where they have one
    # (`briefing.core.primary`), and, when asked for, the closest passage in every other source.
    primary: PrimaryCheck | None = None
    passages: tuple[ClosePassage, ...] = ()

    @property
    def reworded(self) -> bool:
        return self.primary is not None and self.primary.reworded

    @property
    def ok(self) -> bool:
        return (
            self.verification.verified
            and self.source_intact
            and not self.conflicts
            and not self.reworded
        )


def cross_source_relations(
    session: Session, speaker_ids: set[int] | None = None
) -> dict[int, tuple[list[Conflict], list[Conflict]]]:
    """For each quote, the quotes of other sources that report the same words: those whose words
    differ (conflicts) and those that agree once typography is folded (agreements).

    Quotes are compared within a speaker's group: a person with the organisation they speak for
    (and so with its other spokespeople), an organisation with its people. With `speaker_ids`,
    only the groups of those speakers are compared. Only the quotes' own words are read, never
    the sources' texts, so this is cheap enough for every card the details panel opens.
    """
    speaker = aliased(Stakeholder)
    query = (
        select(
            Quote.id.label("quote_id"),
            Quote.text,
            Quote.source_id,
            Source.title.label("source_title"),
            speaker.name.label("speaker"),
            func.coalesce(speaker.parent_id, speaker.id).label("group"),
        )
        .join(speaker, Quote.speaker_id == speaker.id)
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(Quote.source_id.is_not(None))
        .order_by(Quote.source_id, Quote.start, Quote.id)
    )
    if speaker_ids is not None:
        groups = set(
            session.scalars(
                select(func.coalesce(Stakeholder.parent_id, Stakeholder.id)).where(
                    Stakeholder.id.in_(speaker_ids)
                )
            )
        )
        query = query.where(func.coalesce(speaker.parent_id, speaker.id).in_(groups))
    by_group: dict[int, list] = defaultdict(list)
    for row in session.execute(query):
        by_group[row.group].append(row)

    relations: dict[int, tuple[list[Conflict], list[Conflict]]] = defaultdict(lambda: ([], []))
    for members in by_group.values():
        # Most pairs share few words; a set intersection rules them out before the alignment.
        words = [comparable_words(member.text) for member in members]
        for i, qa in enumerate(members):
            for j in range(i + 1, len(members)):
                qb = members[j]
                if qa.source_id == qb.source_id:
                    continue
                if not could_be_same_words(words[i], words[j]):
                    continue
                compared = compare_quotes(qa.text, qb.text)
                if compared is None:
                    continue
                back = compare_quotes(qb.text, qa.text)
                assert back is not None  # the comparison is symmetric in what it matches
                for mine, other, comparison in ((qa, qb, compared), (qb, qa, back)):
                    entry = Conflict(
                        quote_id=other.quote_id,
                        source_id=other.source_id,
                        source_title=other.source_title or "",
                        speaker=other.speaker or "",
                        text=other.text,
                        comparison=comparison,
                    )
                    relations[mine.quote_id][0 if comparison.conflict else 1].append(entry)
    return relations


def check_quotes(
    session: Session,
    *,
    source_id: int | None = None,
    speaker_id: int | None = None,
    passages: bool = False,
) -> list[QuoteCheck]:
    """Every quote (or those of one source or speaker) checked on its own and across sources.

    With `passages`, also the closest passage of every other source to each quote, found through
    an index of all sources' words (`briefing.core.alignment`): this reads every source's text,
    so only `verify` asks for it."""
    query = (
        select(Quote, Stakeholder)
        .outerjoin(Stakeholder, Quote.speaker_id == Stakeholder.id)
        .order_by(Quote.source_id, Quote.start, Quote.id)
    )
    if source_id is not None:
        query = query.where(Quote.source_id == source_id)
    if speaker_id is not None:
        query = query.where(Quote.speaker_id == speaker_id)
    quoted = session.execute(query).all()
    # Sources are read once each, not once per quote: their texts are the bulk of the store.
    source_ids = {quote.source_id for quote, _ in quoted if quote.source_id is not None}
    sources = {
        source.id: source
        for source in session.scalars(select(Source).where(Source.id.in_(source_ids)))
    }
    intact = {sid: sha256_text(source.text) == source.sha256 for sid, source in sources.items()}
    pages = {
        sid: json.loads(source.page_starts) if source.page_starts else None
        for sid, source in sources.items()
    }
    speakers = {quote.speaker_id for quote, _ in quoted if quote.speaker_id is not None}
    relations = cross_source_relations(session, speakers)
    primaries = primary_checks(session, speakers)
    index = None
    if passages:
        index = PassageIndex(
            (row.id, row.text) for row in session.execute(select(Source.id, Source.text))
        )

    checks = []
    for quote, speaker in quoted:
        source = sources.get(quote.source_id) if quote.source_id else None
        conflicts, agreements = relations.get(quote.id, ([], []))
        checks.append(
            QuoteCheck(
                id=quote.id,
                source_id=quote.source_id,
                source_title=source.title if source else "",
                speaker_id=quote.speaker_id,
                speaker=speaker.name if speaker else "",
                text=quote.text,
                start=quote.start,
                end=quote.end,
                page=page_of(pages.get(source.id), quote.start) if source else None,
                said_on=quote.said_on,
                verification=verify_quote(
                    quote.text, source.text if source else None, quote.start, quote.end
                ),
                source_intact=intact.get(source.id, True) if source else True,
                conflicts=tuple(conflicts),
                agreements=tuple(agreements),
                attribution=quote.attribution,
                primary=primaries.get(quote.id),
                passages=(
                    tuple(index.closest(quote.text, exclude=quote.source_id))
                    if index is not None
                    else ()
                ),
            )
        )
    return checks


@dataclass(frozen=True)
class SpeakerChoice:
    id: int
    name: str
    speaks_for: str


def speaker_choices(session: Session) -> list[SpeakerChoice]:
    """Every stakeholder who can be a quote's speaker, by name, with whom they speak for."""
    parents = dict(session.execute(select(Stakeholder.id, Stakeholder.name)).all())
    return [
        SpeakerChoice(sid, name, parents.get(parent, "") if parent else "")
        for sid, name, parent in session.execute(
            select(Stakeholder.id, Stakeholder.name, Stakeholder.parent_id).order_by(
                Stakeholder.name
            )
        )
    ]
