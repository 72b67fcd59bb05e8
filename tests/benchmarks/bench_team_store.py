"""A team store on PostgreSQL: search against raw tsvector queries, and ten writers on notes.

    python tests/benchmarks/bench_team_store.py [--scale 1.0] [--seconds 60] [--rounds 3]

Starts a throwaway cluster (tests/pgcluster.py: initdb in a temporary folder, a Unix socket
only) and loads the synthetic data of `synthetic.py` (1,000 stakeholders, 10,000 sources,
100,000 quotes, 20,000 notes at `--scale 1`) through `team setup`, so the index is filled by the
same triggers as in real use.

1. Search: the 50 queries of `bench_search.py` through the app's search (limit 50: parsing,
   ranking, snippets, titles) and, in the same run and interleaved, as raw SQL on a plain
   psycopg connection over the same `tsvector` index (the shared rows' `search_index` and the
   searcher's own private notes in `search_private`, as `0015_team_search_split` keeps them; the
   searcher is the owner, who wrote every private note, 4,000 at `--scale 1`): the ranking with
   the same weights, the passage each hit is in, a `ts_headline` per hit and the titles per
   kind, which is what a search needs to show anything. Prints each query's best times and their
   ratio, and the median per-query ratio (target <= 2.0).
2. Writers: ten threads, each with its own store (its own connection), for `--seconds` each
   edit a note of a hot set of 50 the way the note editor does: read the note and its version,
   then save body + a token of their own with that expected version, in another transaction;
   a refusal (someone saved first) is counted and the edit is tried again from a fresh read.
   Afterwards every token whose save succeeded must be in its note: a missing one is a lost
   update (must be 0). The same on a SQLite store file, and the per-write times compared.

Not collected by pytest (the name does not start with `test_`).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import pgcluster  # noqa: E402
import synthetic  # noqa: E402
from bench_search import QUERIES  # noqa: E402

from briefing.core.notes import note_snapshot, update_note  # noqa: E402
from briefing.core.search import parse_query, search  # noqa: E402
from briefing.errors import NoteChangedElsewhere, StoreError  # noqa: E402
from briefing.store import open_store  # noqa: E402
from briefing.store import team as team_store  # noqa: E402
from briefing.store.models import Note  # noqa: E402

LIMIT = 50
WRITERS = 10
HOT_NOTES = 50

RAW_RANKING = """
SELECT i.rowid, -ts_rank('{0.1, 0.2, 0.2, 1.0}'::float4[], i.document, q, 1) AS rank,
       p.source_id, p.start
FROM (SELECT rowid, document FROM search_index UNION ALL
      SELECT rowid, document FROM search_private WHERE private_to = current_user) AS i
CROSS JOIN to_tsquery('briefing'::regconfig, %(q)s) AS q
LEFT OUTER JOIN source_passages AS p ON i.rowid %% 8 = 6 AND p.id = i.rowid / 8
WHERE i.document @@ q
ORDER BY rank, i.rowid LIMIT %(limit)s
"""
RAW_HEADLINES = """
SELECT rowid, ts_headline('briefing'::regconfig, body, to_tsquery('briefing'::regconfig, %(q)s),
       'MaxWords=24, MinWords=12, MaxFragments=1')
FROM (SELECT rowid, body FROM search_index UNION ALL
      SELECT rowid, body FROM search_private WHERE private_to = current_user) AS i
WHERE rowid = ANY(%(rowids)s)
"""
RAW_TITLES = {
    1: "SELECT id, name, kind FROM stakeholders WHERE id = ANY(%(ids)s)",
    2: "SELECT p.id, s.name, p.headline FROM positions AS p JOIN stakeholders AS s"
    " ON s.id = p.stakeholder_id WHERE p.id = ANY(%(ids)s)",
    3: "SELECT id, title, publisher, published FROM sources WHERE id = ANY(%(ids)s)",
    4: "SELECT q.id, s.name, so.title FROM quotes AS q LEFT JOIN stakeholders AS s"
    " ON s.id = q.speaker_id LEFT JOIN sources AS so ON so.id = q.source_id"
    " WHERE q.id = ANY(%(ids)s)",
    5: "SELECT id, private, updated_at FROM notes WHERE id = ANY(%(ids)s)",
}


def raw_search(connection, expression: str) -> list[tuple[int, int]]:
    """What a search needs to show its hits, in plain SQL on the same index."""
    rows = connection.execute(RAW_RANKING, {"q": expression, "limit": LIMIT * 4}).fetchall()
    kept, sources = [], set()
    for rowid, _rank, source_id, _start in rows:
        code, record = rowid % 8, rowid // 8
        if code == 6:
            code, record = 3, source_id
        if code == 3:
            if record in sources:
                continue
            sources.add(record)
        kept.append((rowid, code, record))
        if len(kept) == LIMIT:
            break
    connection.execute(RAW_HEADLINES, {"q": expression, "rowids": [k[0] for k in kept]}).fetchall()
    by_kind: dict[int, list[int]] = {}
    for _rowid, code, record in kept:
        by_kind.setdefault(code, []).append(record)
    for code, ids in by_kind.items():
        connection.execute(RAW_TITLES[code], {"ids": ids}).fetchall()
    return [(code, record) for _rowid, code, record in kept]


def scaled(scale: float) -> None:
    for name in ("STAKEHOLDERS", "SOURCES", "QUOTES", "NOTES"):
        setattr(synthetic, name, max(10, int(getattr(synthetic, name) * scale)))


def bench_search(address: str, rounds: int) -> float:
    import psycopg

    store = open_store(address)
    raw = psycopg.connect(address, autocommit=True)
    expressions = [str(team_store.SEARCH.expression(parse_query(query))) for query in QUERIES]

    def app(query: str) -> int:
        with store.reading() as session:
            return len(search(session, query, limit=LIMIT))

    def sql(expression: str) -> int:
        return len(raw_search(raw, expression)) if expression else 0

    for query, expression in zip(QUERIES, expressions, strict=True):  # warm up, and agree
        found, expected = app(query), sql(expression)
        if found != expected:
            print(f"  note: {query!r}: app {found} hits, raw {expected}")
    app_times: dict[str, list[float]] = {q: [] for q in QUERIES}
    raw_times: dict[str, list[float]] = {q: [] for q in QUERIES}
    for _ in range(rounds):
        for query, expression in zip(QUERIES, expressions, strict=True):
            began = time.perf_counter()
            app(query)
            app_times[query].append(time.perf_counter() - began)
            began = time.perf_counter()
            sql(expression)
            raw_times[query].append(time.perf_counter() - began)
    raw.close()
    store.close()
    ratios = []
    for query in QUERIES:
        app_best, raw_best = min(app_times[query]), min(raw_times[query])
        ratio = app_best / raw_best if raw_best > 0 else 1.0
        ratios.append(ratio)
        print(
            f"  {query!r:<34} app {app_best * 1000:8.2f} ms  raw {raw_best * 1000:8.2f} ms"
            f"  {ratio:5.2f}"
        )
    return statistics.median(ratios)


def bench_writers(location, seconds: float, label: str) -> tuple[float, int, int, int]:
    """(median seconds per successful write, writes, refusals, lost updates)."""
    with open_store(location) as store, store.reading() as session:
        hot = [n.id for n in session.query(Note).order_by(Note.id).limit(HOT_NOTES)]
    committed: list[tuple[int, str]] = []
    durations: list[float] = []
    refusals = [0]
    busy = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def writer(number: int) -> None:
        rng = random.Random(number)
        count = 0
        with open_store(location) as store:
            while time.monotonic() < stop:
                note_id = rng.choice(hot)
                token = f" w{number}x{count}"
                began = time.perf_counter()
                with store.reading() as session:
                    seen = note_snapshot(session, note_id)
                try:
                    with store.writing() as session:
                        update_note(
                            session,
                            note_id,
                            body=seen.body + token,
                            expected_version=seen.updated_at,
                        )
                except NoteChangedElsewhere:
                    with lock:
                        refusals[0] += 1
                    continue
                except StoreError:  # SQLite's write lock held past its busy timeout
                    with lock:
                        busy[0] += 1
                    continue
                took = time.perf_counter() - began
                count += 1
                with lock:
                    committed.append((note_id, token))
                    durations.append(took)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open_store(location) as store, store.reading() as session:
        bodies = {n: note_snapshot(session, n).body for n in hot}
    lost = sum(1 for note_id, token in committed if token + " " not in bodies[note_id] + " ")
    median = statistics.median(durations) if durations else float("nan")
    print(
        f"{label}: {len(committed)} writes, {refusals[0]} refused (saved first by another), "
        f"{busy[0]} refused (store busy), {lost} lost; per write median {median * 1000:.2f} ms"
    )
    return median, len(committed), refusals[0], lost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of the synthetic data")
    parser.add_argument("--seconds", type=float, default=60.0, help="of the writers' run")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each query")
    args = parser.parse_args(argv)
    scaled(args.scale)
    import psycopg

    cluster = pgcluster.Cluster(pgcluster.new_folder())
    cluster.start()
    work = Path(pgcluster.new_folder())
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as admin:
            admin.execute('CREATE ROLE "bench" LOGIN')
            admin.execute('CREATE DATABASE "bench" OWNER "bench"')
        address = cluster.url("bench", "bench")
        began = time.perf_counter()
        team_store.setup(address, synthetic.populate)
        print(
            f"loaded {synthetic.QUOTES:,} quotes, {synthetic.SOURCES:,} sources, "
            f"{synthetic.NOTES:,} notes into PostgreSQL in {time.perf_counter() - began:.0f} s"
        )
        began = time.perf_counter()
        sqlite_path = work / "bench.sqlite3"
        open_store(sqlite_path, seed=synthetic.populate).close()
        print(f"and into SQLite in {time.perf_counter() - began:.0f} s")

        print(f"search: {len(QUERIES)} queries x {args.rounds} rounds, best times")
        median_ratio = bench_search(address, args.rounds)
        print(f"{WRITERS} writers on {HOT_NOTES} notes for {args.seconds:.0f} s each store:")
        pg_write, _pg_n, _pg_refused, pg_lost = bench_writers(address, args.seconds, "PostgreSQL")
        sq_write, _sq_n, _sq_refused, sq_lost = bench_writers(sqlite_path, args.seconds, "SQLite")
        print(f"lost updates: PostgreSQL {pg_lost}, SQLite {sq_lost} (must be 0)")
        print(f"per-write time PostgreSQL / SQLite: {pg_write / sq_write:.2f}")
        print(f"search per-query ratio (app / raw tsvector): median {median_ratio:.2f}")
        return 0 if pg_lost == 0 and sq_lost == 0 else 1
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
