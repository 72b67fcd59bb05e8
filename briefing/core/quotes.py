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
import itertools
import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
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
    verify_span,
)
from briefing.errors import InputError, NotFound
from briefing.store.models import Quote, Source, SourcePassage, Stakeholder
from briefing.store.search_index import PASSAGE_MAX

_WORD = re.compile(r"\w+")
_CLOSEST_MIN_RATIO = 0.3
_MAX_CANDIDATES = 1500
_MAX_WORDS_SOUGHT = 32  # the rarest distinct words of a quote that the closest passage is sought by
_CHUNK = 1 << 20  # characters of a source folded with an index map at a time
_WORD_CHARS = 64  # room per word when a window of words is read around a candidate
_RARITY_SAMPLE = 4 << 20


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


# Every white space character made a plain space, and typography folded, in one table.
_FOLD_TABLE = {
    **{ord(c): " " for c in map(chr, range(0x3000 + 1)) if c.isspace()},
    **_TYPOGRAPHY,
}


def _fold_fast(text: str) -> str:
    """`_fold_with_map(text)[0]` at C speed, without the index map: white space made spaces,
    typography folded, then runs of spaces halved until none is left (log of the longest run
    passes of `str.replace`, each a copy in C; a regular expression took seconds on 49 MB)."""
    folded = text.translate(_FOLD_TABLE)
    while "  " in folded:
        folded = folded.replace("  ", " ")
    return folded


def _chunk_bounds(text: str, size: int | None = None) -> list[int]:
    """Offsets that cut `text` into pieces whose folds, joined, are the fold of the whole: never
    inside a run of white space (which folds to one space)."""
    size = size or _CHUNK
    bounds = [0]
    while bounds[-1] + size < len(text):
        cut = bounds[-1] + size
        while cut < len(text) and text[cut - 1].isspace() and text[cut].isspace():
            cut += 1
        bounds.append(cut)
    bounds.append(len(text))
    return bounds


class _FoldedIndex:
    """Source offsets of folded offsets, one chunk's map at a time: memory stays bounded by the
    chunk, not the source (a 49 MB source's full map took gigabytes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.bounds = _chunk_bounds(text)
        self.starts = [0]  # folded offset at which each chunk starts
        for lo, hi in itertools.pairwise(self.bounds):
            self.starts.append(self.starts[-1] + len(_fold_fast(text[lo:hi])))
        self._chunk: int | None = None
        self._where: list[int] = []

    def source_offset(self, folded: int) -> int:
        chunk = bisect_right(self.starts, folded) - 1
        if chunk != self._chunk:
            lo, hi = self.bounds[chunk], self.bounds[chunk + 1]
            self._chunk, self._where = chunk, _fold_with_map(self.text[lo:hi])[1]
        return self.bounds[chunk] + self._where[folded - self.starts[chunk]]


def _all_places(haystack: str, needle: str) -> list[int]:
    """Every offset of `needle` in `haystack`, overlapping ones too, at C speed."""
    places, at = [], haystack.find(needle)
    while at >= 0:
        places.append(at)
        at = haystack.find(needle, at + 1)
    return places


def find_occurrences(source_text: str, words: str) -> list[tuple[int, int]]:
    """Every place where `words` stand in the source: exactly, else with typography folded.

    Time is proportional to the source (searches run in C over the text or one folded copy of
    it) and memory to the source plus a chunk: the offset map from folded text back to the
    source is built only for the chunks that hold a match."""
    if not words:
        return []
    exact = [(start, start + len(words)) for start in _all_places(source_text, words)]
    if exact:
        return exact
    query, _ = _fold_with_map(words.strip())
    if not query:
        return []
    folded = _fold_fast(source_text)
    variants = {query, query[:1].lower() + query[1:], query[:1].upper() + query[1:]}
    hits = {(at, len(variant)) for variant in variants for at in _all_places(folded, variant)}
    del folded
    if not hits:
        return []
    index = _FoldedIndex(source_text)
    return sorted(
        {(index.source_offset(at), index.source_offset(at + n - 1) + 1) for at, n in hits}
    )


def _is_word_at(text: str, start: int, end: int) -> bool:
    before = start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")
    after = end == len(text) or not (text[end].isalnum() or text[end] == "_")
    return before and after


def closest_passage(source_text: str, words: str) -> tuple[int, int] | None:
    """The stretch of the source most like `words`, word for word, or None if none is close.

    Words here are runs of letters and digits, compared without case: typography and
    punctuation cannot make a passage look far away. Only windows that share a word with the
    quote are scored, rarest words first and at most a few thousand, each read from the text
    around it; finding them is a search in C over one lower-cased copy of the source. So a long
    source costs time in proportion to its size and memory of one copy, however few of the
    words it holds (a 49 MB source used to take 15 s and 2.4 GB to refuse absent words).
    """
    query = [m.group().lower() for m in _WORD.finditer(words)]
    if not query or not source_text:
        return None
    lowered = source_text.lower()
    if len(lowered) != len(source_text):  # a letter whose lower case is longer ("İ")
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in source_text)
    size = len(query)
    candidates: dict[int, tuple[int, int]] = {}  # window's first character -> window
    # rarest first, judged from the first few megabytes (a full count costs a pass per word)
    rarest = sorted(set(query), key=lambda word: lowered.count(word, 0, _RARITY_SAMPLE))
    for key in rarest[:_MAX_WORDS_SOUGHT]:
        offsets = [j for j, w in enumerate(query) if w == key]
        found = 0
        at = lowered.find(key)
        while at >= 0 and found < _MAX_CANDIDATES:
            end = at + len(key)
            if _is_word_at(lowered, at, end):
                found += 1
                for offset in offsets:
                    window = _window(lowered, at, offset, size)
                    if window is not None:
                        candidates.setdefault(window[0], window)
            at = lowered.find(key, end)
        if len(candidates) >= _MAX_CANDIDATES:
            break
    best, best_ratio = None, _CLOSEST_MIN_RATIO
    for start in sorted(candidates):
        lo, hi = candidates[start]
        keys = [m.group() for m in _WORD.finditer(lowered, lo, hi)]
        ratio = difflib.SequenceMatcher(a=keys, b=query, autojunk=False).ratio()
        if ratio > best_ratio:
            best, best_ratio = (lo, hi), ratio
    return best


def _window(text: str, at: int, offset: int, size: int) -> tuple[int, int] | None:
    """The `size` words that start `offset` words before the word at `at` (kept inside the
    text), as (first character, end of last word), read from the text around `at` only."""
    lo = max(0, at - _WORD_CHARS * (offset + 1))
    hi = min(len(text), at + _WORD_CHARS * (size - offset + 1))
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text, lo, hi)]
    if lo > 0 and spans and spans[0][0] == lo:
        spans.pop(0)  # the word cut at the edge of what was read
    if hi < len(text) and spans and spans[-1][1] == hi:
        spans.pop()
    here = next((i for i, (start, _) in enumerate(spans) if start == at), None)
    if here is None or not spans:
        return None
    first = min(max(here - offset, 0), max(len(spans) - size, 0))
    last = min(first + size, len(spans)) - 1
    return spans[first][0], spans[last][1]


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
    session: Session, speaker_ids: set[int] | None = None, *, only: set[int] | None = None
) -> dict[int, tuple[list[Conflict], list[Conflict]]]:
    """For each quote, the quotes of other sources that report the same words: those whose words
    differ (conflicts) and those that agree once typography is folded (agreements).

    Quotes are compared within a speaker's group: a person with the organisation they speak for
    (and so with its other spokespeople), an organisation with its people. With `speaker_ids`,
    only the groups of those speakers are compared. Only the quotes' own words are read, never
    the sources' texts, so this is cheap enough for every card the details panel opens. With
    `only`, just the pairs that involve one of those quotes are compared (a page of quotes).
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
        # By speaker, so that SQLite reads the groups' quotes through the speaker index rather
        # than every quote of the store (a card's details read this on every refresh).
        in_groups = select(Stakeholder.id).where(
            func.coalesce(Stakeholder.parent_id, Stakeholder.id).in_(groups)
        )
        query = query.where(Quote.speaker_id.in_(in_groups))
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
                if only is not None and qa.quote_id not in only and qb.quote_id not in only:
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


_QuoteRef = tuple[int, str, int | None, int, int]  # id, text, source id, start, end


def verify_quotes(session: Session, quotes: Iterable[_QuoteRef]) -> dict[int, Verification]:
    """Each quote checked against the passages of its source that hold its offsets, so that a
    details panel or an export costs the quotes' length, not their sources'. Passages are the
    source's text cut when it was stored (the text itself never changes). Only a quote that
    does not match at its offsets reads its source's whole text, to look for the words elsewhere
    (`verify_quote`); the sha256 of a source is checked where its text is read (`verify`, the
    reader)."""
    quotes = list(quotes)
    windows: dict[int, list[tuple[int, str]]] = defaultdict(list)
    anchored = [q for q in quotes if q[2] is not None]
    for batch in range(0, len(anchored), 500):
        chunk = anchored[batch : batch + 500]
        wanted = {q[0] for q in chunk}
        rows = session.execute(
            select(Quote.id, SourcePassage.start, SourcePassage.text)
            .join(
                SourcePassage,
                (SourcePassage.source_id == Quote.source_id)
                # A passage is at most PASSAGE_MAX long: this bound keeps the index range short.
                & (SourcePassage.start > Quote.start - PASSAGE_MAX)
                & (SourcePassage.start < Quote.end),
            )
            .where(Quote.id.in_(wanted), SourcePassage.end > Quote.start)
            .order_by(Quote.id, SourcePassage.start)
        )
        for quote_id, start, text in rows:
            windows[quote_id].append((start, text))
    texts: dict[int, str | None] = {}
    found: dict[int, Verification] = {}
    for quote_id, words, source_id, start, end in quotes:
        pieces = windows.get(quote_id)
        if pieces:
            checked = verify_span(words, pieces[0][0], "".join(t for _, t in pieces), start, end)
            if checked is not None:
                found[quote_id] = checked
                continue
        if source_id is None:
            found[quote_id] = verify_quote(words, None, start, end)
            continue
        if source_id not in texts:
            texts[source_id] = session.scalar(select(Source.text).where(Source.id == source_id))
        found[quote_id] = verify_quote(words, texts[source_id], start, end)
    return found


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
    # Sources are read once each, not once per quote, and one at a time (the quotes come in
    # source order): their texts are the bulk of the store, and only one is held at once.
    source_ids = {quote.source_id for quote, _ in quoted if quote.source_id is not None}
    sources = {
        row.id: row
        for row in session.execute(
            select(Source.id, Source.title, Source.sha256, Source.page_starts).where(
                Source.id.in_(source_ids)
            )
        )
    }
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
    text_of: tuple[int | None, str | None] = (None, None)
    intact = True
    for quote, speaker in quoted:
        source = sources.get(quote.source_id) if quote.source_id else None
        if source is not None and text_of[0] != source.id:
            text = session.scalar(select(Source.text).where(Source.id == source.id))
            text_of = (source.id, text)
            intact = text is not None and sha256_text(text) == source.sha256
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
                    quote.text, text_of[1] if source else None, quote.start, quote.end
                ),
                source_intact=intact if source else True,
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
