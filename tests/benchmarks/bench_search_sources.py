"""Search over large sources, per query against raw FTS5:
`python tests/benchmarks/bench_search_sources.py [--sources 20] [--largest 50000000]`.

Builds (through the app's models) a store of 20 sources from 1 MB to 50 MB of text with natural
word frequencies (`bigsource.natural_text`, a different seed each, sizes growing geometrically),
a stakeholder quoting each, and runs fixed queries, unfiltered and filtered, through the app's
`search` (parsing, ranking, filters, snippets, titles) and as raw FTS5 on the same index with the
same expression and the same restriction written by hand in SQL. The raw side is
`raw_search.raw_search`: the same hits with their marked snippets and titles, in plain SQL on a
plain sqlite3 connection (ranked rows joined to their passages, one hit per source, the kept
hits' snippets, their titles), not a bare `SELECT rowid ... MATCH`, which shows nothing; the
warm-up checks that both find the same records in the same order. Every query runs once to warm
the caches, then `--rounds` times each way, interleaved. Prints each query's best time each way
(the fastest of the rounds: on a shared machine the slower ones measure other programs) and its
ratio.

Then the same rare word and phrase (one hit each) are searched in a store holding only one 50 MB
source and in one holding only a 50 kB source: `big source search ratio` is the larger of the
two (target at most 2.0). A rare word AND a common one is shown too, with raw FTS5's own times:
there FTS5 itself reads the common word's longer posting list.

The last line is `search per-query ratio: median X.XX, worst Y.YY` (targets 2.0 and 3.0).
Not collected by pytest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bigsource import natural_text
from raw_search import raw_search

from briefing.core.search import SearchFilters, parse_query, search
from briefing.store import open_store
from briefing.store.models import Quote, Source, Stakeholder

LIMIT = 50
RARE = "Zanzibarian moratorium wording."

# (query, app filters, SQL restriction on the index's rowid for the raw query)
SOURCE_ROWS = "(i.rowid % 8 = 3 OR i.rowid % 8 = 6)"
RECENT = (
    "((i.rowid % 8 = 3 AND i.rowid / 8 IN (SELECT id FROM sources WHERE published >= '2020-01-01'))"
    " OR (i.rowid % 8 = 6 AND i.rowid / 8 IN (SELECT p.id FROM source_passages AS p"
    " JOIN sources AS s ON s.id = p.source_id WHERE s.published >= '2020-01-01')))"
)
QUERIES = [
    ("police", None, None),
    ("moratorium", None, None),
    ("facial recognition", None, None),
    ('"facial recognition"', None, None),
    ("ban OR moratorium", None, None),
    ("police NOT court", None, None),
    ("surv*", None, None),
    ("zanzibarian", None, None),
    ("watchlist retention", None, None),
    ("kalo", None, None),
    ("moratorium", SearchFilters(kinds=frozenset({"source"})), SOURCE_ROWS),
    ("police", SearchFilters(kinds=frozenset({"source"})), SOURCE_ROWS),
    ("moratorium", SearchFilters(date_from=dt.date(2020, 1, 1)), RECENT),
    ("warrant", SearchFilters(date_from=dt.date(2020, 1, 1)), RECENT),
]


def _with_marker(text: str) -> str:
    middle = text.find("\n\n", len(text) // 2)
    middle = middle if middle >= 0 else len(text) // 2
    return text[:middle] + "\n\n" + RARE + text[middle:]


def build(path: Path, sizes: list[int]) -> Path:
    def populate(session) -> None:
        for number, size in enumerate(sizes):
            text = _with_marker(natural_text(size, seed=100 + number))
            source = Source(
                title=f"Inquiry volume {number + 1}",
                publisher="Inquiry",
                published=dt.date(2014 + number % 10, 1, 1),
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
            )
            person = Stakeholder(name=f"Witness {number + 1}", kind="person")
            session.add_all([source, person])
            session.flush()
            at = text.index(RARE)
            session.add(
                Quote(
                    source_id=source.id,
                    start=at,
                    end=at + len(RARE),
                    text=RARE,
                    speaker_id=person.id,
                )
            )
            session.flush()
            session.expunge_all()  # one text held at a time

    open_store(path, seed=populate).close()
    return path


def _timed(function, *args) -> float:
    began = time.perf_counter()
    function(*args)
    return time.perf_counter() - began


def compare(path: Path, queries, rounds: int) -> list[tuple[str, float, float]]:
    store = open_store(path, create=False)
    raw = sqlite3.connect(path)

    def app(query: str, filters) -> list[tuple[str, int]]:
        with store.plain_reading() as connection:  # as the search box reads
            return [(hit.kind, hit.id) for hit in search(connection, query, filters, limit=LIMIT)]

    def fts(expression: str, restriction: str | None) -> list[tuple[str, int]]:
        return [hit[:2] for hit in raw_search(raw, expression, restriction, LIMIT)]

    results = []
    for query, filters, restriction in queries:
        expression = parse_query(query).fts()
        found, raw_found = app(query, filters), fts(expression, restriction)
        if found != raw_found:
            raise SystemExit(f"{query!r}: the app and raw FTS5 disagree")
        app_times, raw_times = [], []
        for _ in range(rounds):
            app_times.append(_timed(app, query, filters))
            raw_times.append(_timed(fts, expression, restriction))
        label = query + (" [filtered]" if filters else "")
        # The best of the rounds: on a shared machine the rest measures the other programs.
        results.append((label, min(app_times), min(raw_times)))
    raw.close()
    store.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--smallest", type=int, default=1_000_000)
    parser.add_argument("--largest", type=int, default=50_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-corpus", action="store_true", help="only the big-versus-small part")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="keep the corpus store at this path, and reuse it if it is there (building it takes"
        " minutes)",
    )
    parser.add_argument("--only-corpus", action="store_true", help="skip the big-versus-small part")
    args = parser.parse_args(argv)
    step = (args.largest / args.smallest) ** (1 / max(1, args.sources - 1))
    sizes = [round(args.smallest * step**n) for n in range(args.sources)]
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_corpus:
            ratios = corpus_ratios(Path(folder), sizes, args.rounds, args.corpus)
        if args.only_corpus:
            return _print_ratios(ratios)
        one = [
            ("zanzibarian", None, None),
            ('"moratorium wording"', None, None),
            ("zanzibarian moratorium", None, None),
        ]
        big = compare(build(Path(folder) / "big.db", [args.largest]), one, args.rounds)
        small = compare(build(Path(folder) / "small.db", [50_000]), one, args.rounds)
        for (label, big_time, big_raw), (_, small_time, small_raw) in zip(big, small, strict=True):
            print(
                f"{label:<24} 50 MB source: app {big_time * 1000:6.2f} ms"
                f" (raw {big_raw * 1000:6.2f}),  50 kB source: app {small_time * 1000:6.2f} ms"
                f" (raw {small_raw * 1000:6.2f})"
            )
        worst_big = max(b[1] / s[1] for b, s in list(zip(big, small, strict=True))[:2])
        print(f"big source search ratio: {worst_big:.2f}")
    return _print_ratios(ratios)


def _print_ratios(ratios: list[float]) -> int:
    if ratios:
        print(
            f"search per-query ratio: median {statistics.median(ratios):.2f}, "
            f"worst {max(ratios):.2f}"
        )
    return 0


def corpus_ratios(
    folder: Path, sizes: list[int], rounds: int, kept: Path | None = None
) -> list[float]:
    """Build the corpus (or reuse `kept`), print each query's times and ratio, return the ratios."""
    began = time.perf_counter()
    if kept is not None and kept.exists():
        corpus = kept
    else:
        corpus = build(kept or folder / "corpus.db", sizes)
    built = time.perf_counter() - began
    print(
        f"corpus: {len(sizes)} sources, {sum(sizes) / 1e6:.0f} MB of text, "
        f"store {corpus.stat().st_size / 1e6:.0f} MB, built in {built:.0f} s"
    )
    ratios = []
    for label, app_time, raw_time in compare(corpus, QUERIES, rounds):
        ratios.append(app_time / raw_time)
        print(
            f"{label:<36} app {app_time * 1000:8.2f} ms  raw {raw_time * 1000:8.2f} ms"
            f"  ratio {ratios[-1]:5.2f}"
        )
    if kept is None:
        corpus.unlink()
    return ratios


if __name__ == "__main__":
    sys.exit(main())
