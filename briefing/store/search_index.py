"""The full-text index's layout, as the migrations `0002_search` and `0004_search_passages` make it.

A source is indexed as passages: bounded stretches of its text (`source_passages`, with their
offsets), each its own row of the index, so that ranking a hit, cutting its snippet and marking
its words cost the size of a passage, not of a 50 MB document. The source's own row holds its
title, publisher, author and description. A quote's row holds its speaker's name as well, so
"brad smith" finds Brad Smith's quotes.

The index is an FTS5 virtual table kept in sync by triggers; it is not an ORM model, because it
is not a table of records but a derived structure that SQLite maintains. FTS5 backs it with
shadow tables (`search_index_data`, `_idx`, `_content`, `_docsize`, `_config`), which Alembic
would otherwise report as tables missing from the models: `include_in_schema` tells Alembic's
comparison (in `db/env.py` and the models-versus-migrations test) to leave them out, and a team
store's private notes' index (`search_private`, 0015) with them.
"""

from __future__ import annotations

SEARCH_TABLE = "search_index"
PRIVATE_SEARCH_TABLE = "search_private"  # a team store's private notes' rows (0015)

# A row's rowid is `record id * KIND_FACTOR + code`; see the migration's docstring.
KIND_FACTOR = 8
KIND_CODES = {"stakeholder": 1, "position": 2, "source": 3, "quote": 4, "note": 5, "passage": 6}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}

def restricted_to(rowid, restrictions: dict[str, list]):
    """The condition on the index's `rowid` column that keeps the rows `restrictions` allows
    (per kind, the sets of record ids a row must be in; a source's passages go with it), or
    None when no row can match. One condition for both databases' search queries."""
    from sqlalchemy import and_, or_, select

    from briefing.store.models import SourcePassage

    record_id = rowid.op("/")(KIND_FACTOR)

    def of_kind(kind: str):
        return rowid.op("%")(KIND_FACTOR) == KIND_CODES[kind]

    per_kind = []
    for kind, id_sets in restrictions.items():
        per_kind.append(and_(of_kind(kind), *(record_id.in_(ids) for ids in id_sets)))
        if kind == "source":  # and the passages of those sources
            of_sources = [
                record_id.in_(select(SourcePassage.id).where(SourcePassage.source_id.in_(ids)))
                for ids in id_sets
            ]
            per_kind.append(and_(of_kind("passage"), *of_sources))
    return or_(*per_kind) if per_kind else None


# The tables whose rows the index holds, each with its insert, update and delete triggers.
INDEXED_TABLES = {
    "stakeholder": "stakeholders",
    "position": "positions",
    "source": "sources",
    "quote": "quotes",
    "note": "notes",
    "passage": "source_passages",
}

# Passages are cut at a paragraph break (else a line break, a sentence's end, a space) between
# PASSAGE_MIN and PASSAGE_MAX characters; a source shorter than PASSAGE_MAX is one passage.
PASSAGE_MIN = 800
PASSAGE_MAX = 2_000
_BREAKS = ("\n\n", "\n", ". ", " ")


def split_passages(text: str) -> list[tuple[int, int]]:
    """[start, end) offsets of consecutive passages that cover `text` exactly."""
    spans = []
    start, length = 0, len(text)
    while start < length:
        if length - start <= PASSAGE_MAX:
            end = length
        else:
            end = start + PASSAGE_MAX
            for mark in _BREAKS:
                found = text.rfind(mark, start + PASSAGE_MIN, end)
                if found >= 0:
                    end = found + len(mark)
                    break
        spans.append((start, end))
        start = end
    return spans


# Start and end of a highlighted match in snippets: Unicode noncharacters, which the standard
# reserves for a program's internal use, so they do not occur in text people type or import.
MARK_START = "\ufdd0"
MARK_END = "\ufdd1"


def is_search_table(name: str | None) -> bool:
    """True for the index, the shadow tables FTS5 creates for it, and a team store's private
    notes' index."""
    return name is not None and (
        name in (SEARCH_TABLE, PRIVATE_SEARCH_TABLE) or name.startswith(SEARCH_TABLE + "_")
    )


# Tables a team store's migrations add that are no records, and so no models, besides its
# search index's (`is_search_table`): the authorship its triggers keep for undo (0016).
TEAM_ONLY_TABLES = ("authorship_kept",)


def include_in_schema(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic `include_object` hook: compare every table (and its indexes) except the search
    index's and the team store's own (`TEAM_ONLY_TABLES`)."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not (is_search_table(table) or table in TEAM_ONLY_TABLES)


def search_backend(reader):
    """The store's own search queries when it is not a SQLite store (a team store's, see
    `briefing.store.team.TeamSearch`), else None: `core.search` then runs FTS5's. `reader` is a
    session, or a store file's plain sqlite3 connection (`Store.plain_reading`)."""
    get_bind = getattr(reader, "get_bind", None)
    if get_bind is None or get_bind().dialect.name == "sqlite":
        return None
    from briefing.store.team import SEARCH

    return SEARCH


def interrupt(driver_connection) -> None:
    """Stop the statement running on a driver's connection, from any thread."""
    stop = getattr(driver_connection, "interrupt", None)  # sqlite3's and SQLCipher's
    if stop is None:
        stop = driver_connection.cancel  # psycopg's: the server cancels the statement
    stop()


def is_interruption(error: BaseException) -> bool:
    """True for the error a statement stopped by `interrupt` raises."""
    message = str(getattr(error, "orig", None) or error)
    return "interrupted" in message or "canceling statement due to user request" in message
