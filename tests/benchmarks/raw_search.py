"""The search benchmarks' baseline: what the app's search shows, done in plain SQL on sqlite3.

A bare `SELECT rowid ... MATCH ? ORDER BY rank LIMIT 50` is not what a search shows: the app
also joins each passage to its source, keeps one hit per source, cuts a snippet with its marked
words for every hit it keeps, and reads each hit's title. `raw_search` does that same work with
the fewest plain SQL statements on a plain `sqlite3` connection, and nothing else:

1. the ranked rows, each passage with its source and offset (one statement, `limit * 4` rows, as
   the app reads: a long source's passages collapse into one hit);
2. one hit per source, in rank order (a loop over those rows);
3. the kept hits' snippets (one statement: a quote's from its words, the rest from any column);
4. the hits' titles (one statement per kind found);

all in one read transaction, as the app reads them (the titles belong to the hits ranked).

So a benchmark's ratio measures what the app adds to the SQL it needs (statement building,
parsing, result objects), not the work of showing a hit. Used by `bench_search.py` and
`bench_search_sources.py`; not collected by pytest.
"""

from __future__ import annotations

import sqlite3

SPARE_ROWS = 4  # as briefing.core.search._SPARE_ROWS
PASSAGE, SOURCE, QUOTE = 6, 3, 4
KIND_NAMES = {1: "stakeholder", 2: "position", 3: "source", 4: "quote", 5: "note"}

RANKED = (
    "SELECT i.rowid, i.rank, p.source_id, p.start FROM search_index AS i"
    " LEFT JOIN source_passages AS p ON i.rowid % 8 = 6 AND p.id = i.rowid / 8"
    " WHERE search_index MATCH ?{where} ORDER BY i.rank LIMIT ?"
)
SNIPPET = (
    "CASE WHEN rowid % 8 = 4"
    " THEN snippet(search_index, 1, char(64976), char(64977), '\u2026', 24)"
    " ELSE snippet(search_index, -1, char(64976), char(64977), '\u2026', 24) END"
)
# One pass over the matches when the ranking saw them all (a rare word); else one look-up per
# kept row (a common word, whose matches are too many to walk again).
SNIPPETS_ONE_PASS = (
    f"SELECT rowid, {SNIPPET} FROM search_index WHERE search_index MATCH ? AND +rowid IN ({{ids}})"
)
SNIPPETS_BY_ROW = (
    f"SELECT rowid, {SNIPPET} FROM search_index WHERE search_index MATCH ? AND rowid IN ({{ids}})"
)
TITLES = {
    "stakeholder": "SELECT id, name, kind FROM stakeholders WHERE id IN ({ids})",
    "position": (
        "SELECT p.id, s.name, p.stance, p.headline, p.as_of, t.name FROM positions AS p"
        " JOIN stakeholders AS s ON s.id = p.stakeholder_id JOIN topics AS t ON t.id = p.topic_id"
        " WHERE p.id IN ({ids})"
    ),
    "source": "SELECT id, title, publisher, author, published FROM sources WHERE id IN ({ids})",
    "quote": (
        "SELECT q.id, s.name, so.title, q.said_on, so.published FROM quotes AS q"
        " LEFT JOIN stakeholders AS s ON s.id = q.speaker_id"
        " LEFT JOIN sources AS so ON so.id = q.source_id WHERE q.id IN ({ids})"
    ),
    "note": (
        "SELECT n.id, n.private, n.updated_at, s.name, ps.name, qs.name, so.title, t.name,"
        " b.title FROM notes AS n"
        " LEFT JOIN stakeholders AS s ON s.id = n.stakeholder_id"
        " LEFT JOIN positions AS p ON p.id = n.position_id"
        " LEFT JOIN stakeholders AS ps ON ps.id = p.stakeholder_id"
        " LEFT JOIN quotes AS q ON q.id = n.quote_id"
        " LEFT JOIN stakeholders AS qs ON qs.id = q.speaker_id"
        " LEFT JOIN sources AS so ON so.id = n.source_id"
        " LEFT JOIN topics AS t ON t.id = n.topic_id"
        " LEFT JOIN briefings AS b ON b.id = n.briefing_id WHERE n.id IN ({ids})"
    ),
}


def _marks(count: int) -> str:
    return ",".join("?" * count)


def raw_search(
    connection: sqlite3.Connection, expression: str, restriction: str | None = None, limit=50
) -> list[tuple[str, int, str, tuple]]:
    """(kind, record id, marked snippet, title row) of the best `limit` hits, best first.
    `restriction` is SQL over the index's rowid, written `i.rowid`."""
    connection.execute("BEGIN")
    try:
        return _search(connection, expression, restriction, limit)
    finally:
        connection.execute("ROLLBACK")


def _search(connection, expression, restriction, limit):
    where = f" AND {restriction}" if restriction else ""
    rows = connection.execute(
        RANKED.format(where=where), (expression, limit * SPARE_ROWS)
    ).fetchall()
    kept: list[list] = []  # [rowid, kind, record id]
    sources: dict[int, int] = {}
    for rowid, _rank, source_id, _start in rows:
        code, record = rowid % 8, rowid // 8
        if code == PASSAGE:
            code, record = SOURCE, source_id
        if code == SOURCE and record in sources:
            first = kept[sources[record]]
            if first[0] % 8 == SOURCE and rowid % 8 == PASSAGE:  # found by title: its passage
                first[0] = rowid
            continue
        if len(kept) == limit:
            break
        if code == SOURCE:
            sources[record] = len(kept)
        kept.append([rowid, KIND_NAMES[code], record])
    if not kept:
        return []
    statement = SNIPPETS_ONE_PASS if len(rows) < limit * SPARE_ROWS else SNIPPETS_BY_ROW
    snippets = dict(
        connection.execute(
            statement.format(ids=_marks(len(kept))), (expression, *(hit[0] for hit in kept))
        ).fetchall()
    )
    wanted: dict[str, list[int]] = {}
    for _rowid, kind, record in kept:
        wanted.setdefault(kind, []).append(record)
    titles = {}
    for kind, ids in wanted.items():
        for row in connection.execute(TITLES[kind].format(ids=_marks(len(ids))), ids):
            titles[(kind, row[0])] = row
    return [
        (kind, record, snippets.get(rowid) or "", titles[(kind, record)])
        for rowid, kind, record in kept
        if (kind, record) in titles
    ]
