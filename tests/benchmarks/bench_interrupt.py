"""How soon a slow search for old text gives way: `python tests/benchmarks/bench_interrupt.py DB`.

The search box runs one query at a time, so a slow query for text the user has already typed past
would hold up the answer to the new text. The panel cancels it (`briefing.core.search.Cancellation`,
SQLite's `interrupt()` from another thread). For the slowest queries of `bench_search.py` plus a
few broad ones people type (one letter, a common prefix, many ORs), this runs each to the end, then
again on a worker thread cancelled after `--after` ms, and prints how long the worker took to give
way against how long the query takes in full. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

from bench_search import QUERIES

from briefing.core.search import Cancellation, SearchCancelled, search
from briefing.store import open_store

BROAD = ["t", "th*", "police OR court OR data OR rights OR law", "the OR a OR of OR and OR to"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="a store made by synthetic.py")
    parser.add_argument("--after", type=float, default=5.0, help="cancel after this many ms")
    parser.add_argument("--slowest", type=int, default=6, help="of bench_search's queries")
    args = parser.parse_args(argv)
    if not args.db.exists():
        parser.error(f"{args.db} does not exist; make one with synthetic.py")
    store = open_store(args.db, create=False)

    def full(query: str) -> float:
        began = time.perf_counter()
        with store.reading() as session:
            search(session, query, limit=100, as_you_type=True)
        return time.perf_counter() - began

    def cancelled(query: str) -> tuple[float, bool]:
        cancellation = Cancellation()
        outcome: dict[str, object] = {}

        def run() -> None:
            with store.reading() as session:
                try:
                    search(session, query, limit=100, as_you_type=True, cancellation=cancellation)
                    outcome["stopped"] = False
                except SearchCancelled:
                    outcome["stopped"] = True
            outcome["ended"] = time.perf_counter()

        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(args.after / 1000)
        asked = time.perf_counter()
        cancellation.cancel()
        worker.join()
        return max(0.0, outcome["ended"] - asked), bool(outcome["stopped"])

    for query in QUERIES:
        full(query)  # warm the caches
    slowest = sorted(QUERIES, key=full, reverse=True)[: args.slowest]
    waits = []
    print(f"cancelled {args.after:.0f} ms after it started, on {args.db}")
    for query in [*BROAD, *slowest]:
        whole = statistics.median(full(query) for _ in range(3))
        wait, stopped = cancelled(query)
        waits.append(wait)
        how = "interrupted" if stopped else "had finished"
        print(f"{query[:40]!r:44} full {whole * 1000:7.1f} ms; ", end="")
        print(f"gave way {wait * 1000:6.2f} ms later ({how})")
    store.close()
    print(f"longest wait for a cancelled query to give way: {max(waits) * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
