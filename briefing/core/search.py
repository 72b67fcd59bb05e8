"""Searching everything: one engine for the search box and `briefing search`.

What a user types is never handed to FTS5 as it is. `parse_query` reads it with a small grammar
of its own and writes an FTS5 expression in which every word is a quoted string, so nothing a
user types (a stray quotation mark, a bracket, `col:`, `NEAR(`, `^`, a lone `*`, NUL bytes,
right-to-left text, ten thousand characters) can be FTS5 syntax or make it fail:

- `"exact phrase"` matches those words in that order; a quotation mark without a partner is
  ignored and its words are searched as words;
- `a OR b` matches either, `a NOT b` the first without the second; OR binds tighter than the
  implied AND between words (`police OR law enforcement` = (police OR law) AND enforcement), as
  in web search. OR and NOT are operators only in capitals and between two terms; anywhere else
  they are ordinary words;
- `word*` matches words that start with `word`; a `*` on its own is ignored;
- words joined by punctuation (`facial-recognition`, `don't`, `U.S.`) form a phrase, so they
  match as written; colons, brackets, `+`, `^` and commas separate words.

While the user types (`as_you_type`), the last word, if it has at least two letters, also
matches as a prefix, so results appear before a word is finished.

`search` runs the expression against the `search_index` FTS5 table (see the 0002 migration),
applies the filters as `rowid IN (...)` conditions over the records' own tables, ranks with the
index's weighted bm25 (`ORDER BY rank`), cuts a snippet around the matches with FTS5's
`snippet()`, and then reads titles for the hits in one query per kind. `group_by_kind` orders
them for display. Where a hit lives, to open it there, is `core/search_open.py`.

A search runs as the user types, so its fixed cost matters as much as SQLite's: a rare word is
found in a fraction of a millisecond. The statements of every search (the unfiltered ranking,
the snippets, the titles) are therefore plain SQL written once and run on the driver's own
sqlite3 connection, inside one read transaction, without building or compiling anything per
search; only the filtered ranking, whose conditions vary, is built with SQLAlchemy (its cost is
SQLite's, which reads every match to rank it). Lists of ids are passed as one JSON array
(`json_each`), so each statement has one fixed text for any number of hits. `search` takes a
session, or the plain connection of `Store.plain_reading()`, which the search box and
`briefing search` use: no session, pooled connection or ORM transaction per search.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from briefing.core.search_kinds import DEFAULT_LIMIT, KINDS, MAX_LIMIT
from briefing.core.search_kinds import KIND_TITLES as KIND_TITLES  # where it was
from briefing.errors import InputError
from briefing.store.models import (
    STANCES,
    Note,
    Position,
    Quote,
    Source,
    SourcePassage,
    Stakeholder,
    Tag,
    note_tags,
    quote_tags,
    source_tags,
)
from briefing.store.search_index import (
    KIND_CODES,
    KIND_FACTOR,
    KINDS_BY_CODE,
    MARK_END,
    MARK_START,
    SEARCH_TABLE,
    interrupt,
    is_interruption,
    restricted_to,
    search_backend,
)
from briefing.text import name_key

# A query is cut to its first terms: more than this narrows nothing a person would type, and
# keeps a pasted page of text from building an expression FTS5 takes long to evaluate.
MAX_TERMS = 32
SNIPPET_TOKENS = 24

# -- the query grammar -------------------------------------------------------------------------

# Characters that end a word and a phrase-by-punctuation: spaces, FTS5 syntax, separators.
_HARD_SEPARATORS = frozenset('()[]{}:;,+^*"') | frozenset("\u00a0")


def _is_word_char(char: str) -> bool:
    # unicode61's token characters are letters, numbers and private-use characters; combining
    # marks are kept with their letter here so a word is never split in the middle.
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def _is_hard_separator(char: str) -> bool:
    if char in _HARD_SEPARATORS or char.isspace():
        return True
    return unicodedata.category(char)[0] in "CZ"  # controls (NUL), format marks, spaces


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False
    quoted: bool = False

    def fts(self) -> str:
        # Words hold only word characters, so a double quote never needs escaping here.
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Clause:
    """Terms joined by OR; a negated clause removes what it matches."""

    terms: tuple[Term, ...]
    negated: bool = False

    def fts(self) -> str:
        return "(" + " OR ".join(term.fts() for term in self.terms) + ")"


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.clauses

    def fts(self) -> str:
        """The FTS5 MATCH expression; "" for a query with nothing to search for."""
        positive = [c.fts() for c in self.clauses if not c.negated]
        if not positive:
            return ""
        negative = [c.fts() for c in self.clauses if c.negated]
        expression = "(" + " AND ".join(positive) + ")"
        return " ".join([expression, *(f"NOT {n}" for n in negative)])

    @property
    def words(self) -> tuple[str, ...]:
        """Every word searched for (not those excluded), for highlighting outside FTS5."""
        return tuple(w for c in self.clauses if not c.negated for t in c.terms for w in t.words)


_Item = Term | str  # a term, or "OR" / "NOT" where the user typed one


def _words(text: str) -> tuple[str, ...]:
    words, current = [], []
    for char in text:
        if _is_word_char(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return tuple(words)


def _chunks(text: str) -> Iterable[_Item]:
    """Unquoted text: operators, and terms split at hard separators."""
    start = None
    for position, char in enumerate([*text, " "]):
        if not _is_hard_separator(char):
            if start is None:
                start = position
            continue
        if start is not None:
            chunk = text[start:position]
            start = None
            if chunk in ("OR", "NOT") and char != "*":
                yield chunk
                continue
            words = _words(chunk)
            if words:
                ends_in_word = _is_word_char(chunk[-1])
                yield Term(words, prefix=char == "*" and ends_in_word)


def _lex(text: str) -> list[_Item]:
    items: list[_Item] = []
    quotes = [m.start() for m in re.finditer('"', text)]
    if len(quotes) % 2:
        # The last quotation mark has no partner: it is read as a space.
        last = quotes.pop()
        text = text[:last] + " " + text[last + 1 :]
    position = 0
    for opening, closing in zip(quotes[::2], quotes[1::2], strict=True):
        items.extend(_chunks(text[position:opening]))
        words = _words(text[opening + 1 : closing])
        prefix = text[closing + 1 : closing + 2] == "*"
        if words:
            items.append(Term(words, prefix=prefix, quoted=True))
        position = closing + 2 if prefix else closing + 1
    items.extend(_chunks(text[position:]))
    return items


def parse_query(text: str, *, as_you_type: bool = False) -> ParsedQuery:
    """Read what the user typed; never raises, whatever the text."""
    items = _lex(text)
    resolved: list[_Item] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            before = resolved[-1] if resolved else None
            after = items[index + 1] if index + 1 < len(items) else None
            if isinstance(before, Term) and isinstance(after, Term):
                resolved.append(item)
            else:  # an operator with nothing to join is the word itself
                resolved.append(Term((item,)))
        else:
            resolved.append(item)

    if as_you_type and resolved and text and not text[-1].isspace():
        last = resolved[-1]
        if (
            isinstance(last, Term)
            and not last.quoted
            and not last.prefix
            and len(last.words[-1]) >= 2
            and _is_word_char(text[-1])
        ):
            resolved[-1] = Term(last.words, prefix=True)

    clauses: list[tuple[list[Term], bool]] = []
    join_next = negate_next = False
    count = 0
    for item in resolved:
        if item == "OR":
            join_next = True
        elif item == "NOT":
            negate_next = True
        elif isinstance(item, Term):
            if count >= MAX_TERMS:
                break
            count += 1
            if join_next and clauses:
                clauses[-1][0].append(item)
            else:
                clauses.append(([item], negate_next))
                negate_next = False
            join_next = False
    return ParsedQuery(tuple(Clause(tuple(terms), negated) for terms, negated in clauses))


# -- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    """What to search in. Empty `kinds` means every kind; a filter a kind cannot meet (a tag on
    a stakeholder, a date on a stakeholder) leaves that kind out."""

    kinds: frozenset[str] = frozenset()
    stakeholder_id: int | None = None  # the stakeholder, the people who speak for it, and theirs
    tag: str | None = None
    stance: str | None = None  # stakeholders whose latest position on a topic has this stance
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_private: bool = True

    def check(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise InputError(f"unknown kind {sorted(unknown)[0]!r}; choose from {', '.join(KINDS)}")
        if self.stance is not None and self.stance not in STANCES:
            raise InputError(f"unknown stance {self.stance!r}; choose from {', '.join(STANCES)}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InputError("the date range ends before it starts")

    @property
    def dated(self) -> bool:
        return self.date_from is not None or self.date_to is not None


_NO_FILTERS = SearchFilters()


def _people(stakeholder_ids: Select) -> Select:
    """Stakeholders, and the people who speak for them (whose parent they are)."""
    return select(Stakeholder.id).where(
        or_(Stakeholder.id.in_(stakeholder_ids), Stakeholder.parent_id.in_(stakeholder_ids))
    )


def _holding(stance: str) -> Select:
    ranked = select(
        Position.stakeholder_id,
        Position.stance,
        func.row_number()
        .over(
            partition_by=(Position.stakeholder_id, Position.topic_id),
            order_by=(Position.as_of.desc(), Position.id.desc()),
        )
        .label("latest"),
    ).subquery()
    return select(ranked.c.stakeholder_id).where(ranked.c.latest == 1, ranked.c.stance == stance)


def _in_range(value: ColumnElement, start, end) -> list[ColumnElement]:
    conditions = [value.is_not(None)]
    if start is not None:
        conditions.append(value >= start)
    if end is not None:
        conditions.append(value <= end)
    return conditions


def _restrictions(filters: SearchFilters) -> dict[str, list[Select]]:
    """For each kind still searched, the id sets its records must belong to (all of them)."""
    kinds = set(filters.kinds or KINDS)
    limits: dict[str, list[Select]] = {kind: [] for kind in kinds}

    def about(people: Select) -> None:
        # Records that belong to these stakeholders.
        own_positions = select(Position.id).where(Position.stakeholder_id.in_(people))
        own_quotes = select(Quote.id).where(Quote.speaker_id.in_(people))
        add("stakeholder", select(Stakeholder.id).where(Stakeholder.id.in_(people)))
        add("position", own_positions)
        add("quote", own_quotes)
        add(
            "source",
            select(Quote.source_id).where(
                Quote.speaker_id.in_(people), Quote.source_id.is_not(None)
            ),
        )
        add(
            "note",
            select(Note.id).where(
                or_(
                    Note.stakeholder_id.in_(people),
                    Note.position_id.in_(own_positions),
                    Note.quote_id.in_(own_quotes),
                )
            ),
        )

    def add(kind: str, ids: Select) -> None:
        if kind in limits:
            limits[kind].append(ids)

    def drop(*dropped: str) -> None:
        for kind in dropped:
            limits.pop(kind, None)

    if filters.stakeholder_id is not None:
        about(_people(select(Stakeholder.id).where(Stakeholder.id == filters.stakeholder_id)))
    if filters.stance is not None:
        about(_people(_holding(filters.stance)))
        add("position", select(Position.id).where(Position.stance == filters.stance))
    if filters.tag is not None:
        tag_ids = select(Tag.id).where(Tag.name_key == name_key(filters.tag))
        drop("stakeholder", "position")
        add("quote", select(quote_tags.c.quote_id).where(quote_tags.c.tag_id.in_(tag_ids)))
        add("note", select(note_tags.c.note_id).where(note_tags.c.tag_id.in_(tag_ids)))
        add("source", select(source_tags.c.source_id).where(source_tags.c.tag_id.in_(tag_ids)))
    if filters.dated:
        start, end = filters.date_from, filters.date_to
        drop("stakeholder")
        add("position", select(Position.id).where(*_in_range(Position.as_of, start, end)))
        add("source", select(Source.id).where(*_in_range(Source.published, start, end)))
        said = func.coalesce(Quote.said_on, Source.published)
        add(
            "quote",
            select(Quote.id)
            .outerjoin(Source, Source.id == Quote.source_id)
            .where(*_in_range(said, start, end)),
        )
        # A note's date is the day it was last changed (UTC).
        after = dt.datetime.combine(start, dt.time(), dt.UTC) if start else None
        before = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC) if end else None
        conditions = []
        if after is not None:
            conditions.append(Note.updated_at >= after)
        if before is not None:
            conditions.append(Note.updated_at < before)
        add("note", select(Note.id).where(*conditions))
    if not filters.include_private:
        add("note", select(Note.id).where(Note.private.is_(False)))
    return limits


# -- searching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One record that matches: what it is, its title in words, and a snippet of the match.

    `snippet` is plain text; `highlights` are the [start, end) spans of the matched words in it.
    """

    kind: str
    id: int
    title: str
    detail: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    rank: float
    private: bool = False
    # For a hit in a source's text: the offset of the passage it is in, where the reader opens.
    at: int | None = None

    def as_dict(self) -> dict:
        found = {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "detail": self.detail,
            "snippet": self.snippet,
            "highlights": [list(span) for span in self.highlights],
            "private": self.private,
        }
        if self.at is not None:
            found["at"] = self.at
        return found


def split_marks(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet with FTS5's start/end marks -> plain text and the spans it marked."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for piece in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if piece == MARK_START:
            start = length if start is None else start
        elif piece == MARK_END:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            plain.append(piece)
            length += len(piece)
    if start is not None and length > start:
        spans.append((start, length))
    return "".join(plain), tuple(spans)


# Markdown in a snippet, as a reader of the words would not see it. The rules work on FTS5's
# marked snippet, so the marks move with the words they surround and the highlights stay right;
# marks surround word characters only, so no rule here can split one from its word. A snippet
# is a cut of the text: constructs cut in half (a link whose "[" fell outside) are handled too.
_M = f"{MARK_START}{MARK_END}"
_MARKDOWN_RULES = (
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), "\ufffe\\1"),  # escaped marks, kept
    (re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]*)(?:\s+\"[^\"\n]*\")?\)"), None),  # [words](url)
    (re.compile(r"\]\(([^)\s]*)\)"), None),  # the end of a link whose start was cut off
    # <https://...>, kept apart from a word it follows ("the post https://...", not "posthttps")
    (re.compile(r"(?<=[^\s(])<((?:https?|mailto):[^>\s]+)>"), " \\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), "\\1"),
    (re.compile(r"(?m)^[ \t]*(?:[-*_][ \t]*){3,}$"), " "),  # a rule
    (re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+"), ""),  # a heading's hashes
    (re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+"), ""),  # block quotes
    (re.compile(r"(?m)^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?"), ""),  # lists
    (re.compile(r"`+"), ""),  # code spans
    (re.compile(r"~~"), ""),  # strike-through
    # Emphasis: * and _ that open or close a word, never inside one (snake_case stays).
    (re.compile(rf"(?<![\w{_M}\ufffe])[*_]+(?=[^\s*_])|(?<=[^\s*_\ufffe])[*_]+(?![\w{_M}])"), ""),
)
_WHITE_SPACE = re.compile(r"\s+")


def _link_words(match: re.Match) -> str:
    if match.re.groups == 1:  # only the end of a link: "](address)"
        address = match.group(1)
        return address if MARK_START in address else ""
    words, address = match.group(1), match.group(2)
    # A match inside the address would vanish with it: then the address is shown too.
    if MARK_START in address and MARK_START not in words:
        return f"{words} ({address})" if words else address
    return words or address


def plain_words(marked: str) -> str:
    """A Markdown snippet (with or without FTS5's marks) as its words read, on one line."""
    text = marked
    for pattern, replacement in _MARKDOWN_RULES:
        text = pattern.sub(_link_words if replacement is None else replacement, text)
    text = text.replace("\ufffe", "")
    return _WHITE_SPACE.sub(" ", text).strip()


# Kinds whose indexed text is Markdown (note bodies, position summaries); the rest is plain.
_MARKDOWN_KINDS = frozenset({"note", "position"})


_index = table(SEARCH_TABLE, column("rowid"), column("rank"))
_match_target = literal_column(SEARCH_TABLE)


_ROWID = _index.c.rowid
# The ranking reads no snippet: the rows it reads beyond the hits (a long source's other
# passages, which collapse into its one hit) would each pay for one. The hits' snippets are cut
# afterwards, by rowid, in one statement (`_SNIPPETS_BY_ROW_SQL` or `_SNIPPETS_ONE_WALK_SQL`).
# A passage's source and place come with it (a join by primary key), not in a statement of
# their own per batch of rows.
_MATCHES = select(_ROWID, _index.c.rank, SourcePassage.source_id, SourcePassage.start).select_from(
    _index.outerjoin(
        SourcePassage,
        and_(
            _ROWID.op("%")(KIND_FACTOR) == KIND_CODES["passage"],
            SourcePassage.id == _ROWID.op("/")(KIND_FACTOR),
        ),
    )
)
# Without filters (the common case) the ranking is `_MATCHES` with no condition but the match:
# one fixed text, run as it is. (The SQL texts below use only the constants above: no value
# from a user is ever part of them; the expression and ids are parameters.)
_UNFILTERED_SQL = (
    f"SELECT i.rowid, i.rank, p.source_id, p.start FROM {SEARCH_TABLE} AS i"
    f" LEFT OUTER JOIN source_passages AS p ON i.rowid % {KIND_FACTOR} = {KIND_CODES['passage']}"
    f" AND p.id = i.rowid / {KIND_FACTOR}"
    f" WHERE {SEARCH_TABLE} MATCH ? ORDER BY i.rank LIMIT ?"
)
_UNFINISHED_SQL = "SELECT source_id FROM source_imports"
# A quote found by its speaker's name shows its words (column 1), not the name (its title).
_SNIPPET_SQL = (
    f"CASE WHEN rowid % {KIND_FACTOR} = {KIND_CODES['quote']}"
    f" THEN snippet({SEARCH_TABLE}, 1, ?1, ?2, ?3, {SNIPPET_TOKENS})"
    f" ELSE snippet({SEARCH_TABLE}, -1, ?1, ?2, ?3, {SNIPPET_TOKENS}) END"
)
# The kept hits' snippets, two ways. FTS5 takes `rowid IN (...)` as one look-up per rowid, each
# a new walk of the matches' lists: cheap for a common word (50 look-ups against 100,000
# matches), dear for a rare one, which one walk of all its matches answers (`rowid + 0` keeps
# the condition from SQLite's look-ups). The ranking says which: when it read every match (fewer
# rows than it asked for), they are few.
_SNIPPETS_BY_ROW_SQL = (
    f"SELECT rowid, {_SNIPPET_SQL} FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?4"
    " AND rowid IN (SELECT value FROM json_each(?5))"
)
_SNIPPETS_ONE_WALK_SQL = (
    f"SELECT rowid, {_SNIPPET_SQL} FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?4"
    " AND rowid + 0 IN (SELECT value FROM json_each(?5))"
)


# What `search` reads through: a session, or a driver connection already in a read transaction
# (`Store.plain_reading`).
Reader = Session | sqlite3.Connection


def _driver(reader: Reader) -> sqlite3.Connection:
    """The reader's own sqlite3 connection, in the transaction the session began."""
    if isinstance(reader, Session):
        return reader.connection().connection.driver_connection
    return reader


_DIALECT = None


def _run_built(reader: Reader, statement: Select, parameters: dict):
    """A statement built with SQLAlchemy, run on the reader: through the session, or compiled
    for SQLite and run on the plain connection with its values converted as the session's
    would be (a date as SQLite's text)."""
    if isinstance(reader, Session):
        return reader.connection().execute(statement, parameters)
    global _DIALECT
    if _DIALECT is None:
        from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

        _DIALECT = SQLiteDialect_pysqlite(paramstyle="qmark")
    compiled = statement.compile(dialect=_DIALECT)
    values = compiled.construct_params(parameters)
    ordered = []
    for name in compiled.positiontup or ():
        convert = compiled.binds[name].type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
        ordered.append(convert(values[name]) if convert else values[name])
    return reader.execute(compiled.string, ordered)


def _search_rows(reader: Reader, expression: str, filters: SearchFilters, limit: int):
    """The ranked matches as an open cursor or result (rowid, rank, passage's source id,
    passage's start), or None if the filters leave no kind to search."""
    if filters == _NO_FILTERS:
        return _driver(reader).execute(_UNFILTERED_SQL, (expression, limit))
    restrictions = _restrictions(filters)
    if len(restrictions) == len(KINDS) and not any(restrictions.values()):
        return _driver(reader).execute(_UNFILTERED_SQL, (expression, limit))
    else:
        allowed = restricted_to(_ROWID, restrictions)
        if allowed is None:
            return None
        statement = (
            _MATCHES.where(_match_target.op("MATCH")(bindparam("expression")), allowed)
            .order_by(_index.c.rank)
            .limit(bindparam("limit"))
        )
    return _run_built(reader, statement, {"expression": expression, "limit": limit})


class SearchCancelled(Exception):
    """A search stopped by `Cancellation.cancel()` before it finished: nobody wants its answer."""


class Cancellation:
    """Lets another thread stop a search while SQLite runs it.

    The search attaches its session's SQLite connection while it runs; `cancel()` calls that
    connection's `interrupt()`, which the sqlite3 module documents as safe from any thread: the
    running statement stops with "interrupted" and `search` raises `SearchCancelled`. A lock keeps
    `cancel()` from reaching a connection the search has already handed back. A cancel that comes
    between two statements is caught by a check after the first; one that comes before the search
    starts stops it at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection = None
        self.cancelled = False

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            if self._connection is not None:
                interrupt(self._connection)

    @contextlib.contextmanager
    def attached(self, reader: Reader) -> Iterator[None]:
        connection = _driver(reader)
        with self._lock:
            if self.cancelled:
                raise SearchCancelled
            self._connection = connection
        try:
            yield
        except (OperationalError, sqlite3.OperationalError) as error:
            # Statements run through SQLAlchemy wrap SQLite's error; those run on the driver's
            # connection raise it as it is.
            if self.cancelled and is_interruption(error):
                raise SearchCancelled from error
            raise
        finally:
            with self._lock:
                self._connection = None
        if self.cancelled:
            raise SearchCancelled


def search(
    reader: Reader,
    text: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
    as_you_type: bool = False,
    cancellation: Cancellation | None = None,
) -> list[SearchHit]:
    """The best `limit` matches for `text`, best first. Reads only; never fails on the text.

    `reader` is a session, or the connection of `Store.plain_reading()` (the same hits, with
    less fixed cost). With a `cancellation`, another thread can stop it: it then raises
    `SearchCancelled`."""
    filters = filters or _NO_FILTERS
    filters.check()
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"the limit must be between 1 and {MAX_LIMIT}")
    parsed = parse_query(text, as_you_type=as_you_type)
    backend = search_backend(reader)
    expression = parsed.fts() if backend is None else backend.expression(parsed)
    if not expression:
        return []
    if cancellation is None:
        return _hits(reader, expression, filters, limit, backend=backend)
    with cancellation.attached(reader):
        return _hits(reader, expression, filters, limit, cancellation, backend)


# Ranked rows read per hit wanted: a long source's passages that match collapse into one hit.
_SPARE_ROWS = 4


@dataclass
class _Kept:
    rowid: int  # the index row whose snippet is shown
    kind: str
    record_id: int
    rank: float
    at: int | None


def _hits(
    reader: Reader,
    expression: str,
    filters: SearchFilters,
    limit: int,
    cancellation: Cancellation | None = None,
    backend=None,
) -> list[SearchHit]:
    asked = limit * _SPARE_ROWS
    if backend is None:
        result = _search_rows(reader, expression, filters, asked)
    else:
        restrictions = _restrictions(filters)
        unfiltered = len(restrictions) == len(KINDS) and not any(restrictions.values())
        result = backend.ranked(reader, expression, None if unfiltered else restrictions, asked)
    if result is None:
        return []
    kept: list[_Kept] = []
    snippets: dict[int, str | None] = {}
    sources: dict[int, int] = {}  # source id -> its place in `kept`: one hit per source
    # A source the window is still importing in steps is not one yet (usually none: one look
    # at an empty table).
    unfinished = {
        source_id for (source_id,) in _driver(reader).execute(_UNFINISHED_SQL).fetchall()
    }
    read = 0
    try:
        while len(kept) < limit:
            rows = result.fetchmany(limit)
            if cancellation is not None and cancellation.cancelled:
                raise SearchCancelled  # cancelled after the ranking: titles are not worth reading
            read += len(rows)
            if not rows:
                break
            # A passage is a hit in its source, at the passage's place in the text.
            for rowid, rank, source_id, start in rows:
                kind = KINDS_BY_CODE[rowid % KIND_FACTOR]
                record_id, at = rowid // KIND_FACTOR, None
                if kind == "passage":
                    if source_id is None:
                        continue  # the index and the table disagree: never, with the triggers
                    kind = "source"
                    record_id, at = source_id, start
                if kind == "source" and record_id in unfinished:
                    continue
                if kind == "source" and record_id in sources:
                    first = kept[sources[record_id]]
                    if first.at is None and at is not None:  # found by title: open at a passage
                        first.rowid, first.at = rowid, at
                    continue
                if len(kept) < limit:
                    if kind == "source":
                        sources[record_id] = len(kept)
                    kept.append(_Kept(rowid, kind, record_id, rank, at))
        if kept and read < asked:
            # FTS5 ranked every match before the first row came, so the rest of the rows asked
            # for are already in memory: counting them says whether the ranking saw every match.
            read += len(result.fetchall())
    finally:
        result.close()
    if not kept:
        return []
    every_match_read = read < asked
    if backend is not None:
        snippets = backend.snippets(reader, expression, [hit.rowid for hit in kept])
    else:
        connection = _driver(reader)
        snippets = dict(
            connection.execute(
                _SNIPPETS_ONE_WALK_SQL if every_match_read else _SNIPPETS_BY_ROW_SQL,
                (
                    MARK_START,
                    MARK_END,
                    "\u2026",
                    expression,
                    json.dumps([hit.rowid for hit in kept]),
                ),
            )
        )
    wanted: dict[str, list[int]] = {}
    for hit in kept:
        wanted.setdefault(hit.kind, []).append(hit.record_id)
    described: dict[tuple[str, int], tuple[str, str, bool]] = {}
    for kind, ids in wanted.items():
        if backend is not None:
            rows = backend.titles(reader, _TITLES_TEMPLATES[kind], ids)
        else:
            rows = connection.execute(_TITLES_SQL[kind], (json.dumps(ids),))
        for record_id, title, detail, private in _DESCRIBERS[kind](rows):
            described[(kind, record_id)] = (title, detail, private)
    hits: list[SearchHit] = []
    for hit in kept:
        if (hit.kind, hit.record_id) not in described:
            continue  # the index and the table disagree: never, while the triggers stand
        title, detail, private = described[(hit.kind, hit.record_id)]
        marked = snippets.get(hit.rowid) or ""
        if hit.kind in _MARKDOWN_KINDS:
            marked = plain_words(marked)
        snippet, highlights = _trimmed(*split_marks(marked))
        hits.append(
            SearchHit(
                hit.kind,
                hit.record_id,
                title,
                detail,
                snippet,
                highlights,
                hit.rank,
                private,
                hit.at,
            )
        )
    return hits


def _trimmed(snippet: str, highlights: tuple[tuple[int, int], ...]):
    """A snippet without the white space it may start or end with (a cut at a line break)."""
    start = len(snippet) - len(snippet.lstrip())
    text = snippet.strip()
    spans = tuple(
        (max(a - start, 0), min(b - start, len(text)))
        for a, b in highlights
        if min(b - start, len(text)) > max(a - start, 0)
    )
    return text, spans


def group_by_kind(hits: Sequence[SearchHit]) -> list[tuple[str, list[SearchHit]]]:
    """Hits grouped in the order of `KINDS`, best first within each group."""
    groups: dict[str, list[SearchHit]] = {kind: [] for kind in KINDS}
    for hit in hits:
        groups[hit.kind].append(hit)
    return [(kind, found) for kind, found in groups.items() if found]


# -- titles ------------------------------------------------------------------------------------


def _date(value: dt.date | str | None) -> str:
    # Titles are read on the driver's connection, where a date is the text SQLite holds
    # ("2020-06-09"; a time stamp "2020-06-09 10:30:00.000001", in UTC): its day is its start.
    if isinstance(value, str):
        return value[:10]
    return value.isoformat()[:10] if value else ""


def _joined(*parts: str) -> str:
    return " \u00b7 ".join(part for part in parts if part)


# Titles are read with one fixed statement per kind, for any list of ids (a JSON array), on the
# session's connection: a search then costs SQLite's time, not statement building.
_IDS_SQL = "(SELECT value FROM json_each(?))"
# `{ids}` stands for the list of ids; a store with its own search (a team store) puts its own.
_TITLES_TEMPLATES = {
    "stakeholder": "SELECT id, name, kind FROM stakeholders WHERE id IN {ids}",
    "position": (
        "SELECT p.id, s.name, p.stance, p.headline, p.as_of, t.name FROM positions AS p"
        " JOIN stakeholders AS s ON s.id = p.stakeholder_id JOIN topics AS t ON t.id = p.topic_id"
        " WHERE p.id IN {ids}"
    ),
    "source": (
        "SELECT id, title, publisher, author, published FROM sources WHERE id IN {ids}"
    ),
    "quote": (
        "SELECT q.id, s.name, so.title, q.said_on, so.published FROM quotes AS q"
        " LEFT OUTER JOIN stakeholders AS s ON s.id = q.speaker_id"
        " LEFT OUTER JOIN sources AS so ON so.id = q.source_id WHERE q.id IN {ids}"
    ),
    # A note's target: its stakeholder, its position's holder, its quote's speaker, its source,
    # topic or briefing; or what a detached note was on.
    "note": (
        "SELECT n.id, n.private, n.updated_at, s.name, holder.name, speaker.name, so.title,"
        " t.name, b.title, n.detached_from FROM notes AS n"
        " LEFT OUTER JOIN stakeholders AS s ON s.id = n.stakeholder_id"
        " LEFT OUTER JOIN positions AS p ON p.id = n.position_id"
        " LEFT OUTER JOIN stakeholders AS holder ON holder.id = p.stakeholder_id"
        " LEFT OUTER JOIN quotes AS q ON q.id = n.quote_id"
        " LEFT OUTER JOIN stakeholders AS speaker ON speaker.id = q.speaker_id"
        " LEFT OUTER JOIN sources AS so ON so.id = n.source_id"
        " LEFT OUTER JOIN topics AS t ON t.id = n.topic_id"
        " LEFT OUTER JOIN briefings AS b ON b.id = n.briefing_id WHERE n.id IN {ids}"
    ),
}
_TITLES_SQL = {kind: sql.format(ids=_IDS_SQL) for kind, sql in _TITLES_TEMPLATES.items()}


def _stakeholders(rows):
    for record_id, name, kind in rows:
        yield record_id, name, kind, False


def _positions(rows):
    for record_id, name, stance, headline, as_of, topic in rows:
        yield (
            record_id,
            f"{name}: {headline or stance}",
            _joined(stance, _date(as_of), topic),
            False,
        )


def _sources(rows):
    for record_id, title, publisher, author, published in rows:
        yield record_id, title, _joined(publisher, author, _date(published)), False


def _quotes(rows):
    for record_id, speaker, title, said_on, published in rows:
        when = _date(said_on) or _date(published)
        yield record_id, speaker or "Unattributed quote", _joined(title or "", when), False


def _notes(rows):
    for (
        record_id,
        private,
        updated,
        on_stakeholder,
        holder,
        spoken_by,
        source,
        topic,
        brief,
        detached_from,
    ) in rows:
        detail = _joined("private" if private else "", f"edited {_date(updated)}")
        if detached_from:  # another member deleted what it was on (a team store)
            yield record_id, f"Detached note, was on {detached_from}", detail, bool(private)
            continue
        if on_stakeholder:
            target = on_stakeholder
        elif holder:
            target = f"{holder}'s position"
        elif spoken_by:
            target = f"a quote by {spoken_by}"
        elif source:
            target = f"source \u201c{source}\u201d"
        elif topic:
            target = f"topic \u201c{topic}\u201d"
        elif brief:
            target = f"briefing \u201c{brief}\u201d"
        else:
            target = "a quote"
        yield record_id, f"Note on {target}", detail, bool(private)


_DESCRIBERS = {
    "stakeholder": _stakeholders,
    "position": _positions,
    "source": _sources,
    "quote": _quotes,
    "note": _notes,
}


# -- opening a hit where it lives --------------------------------------------------------------


