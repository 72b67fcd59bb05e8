"""Start-up to the first paint: `python tests/benchmarks/bench_startup.py [--rounds N]`.

Whole-process time, from the interpreter starting to the first paint of the main window's card
grid, of the app on a copy of the demo store (`briefing --db STORE`, already created, so no
migration runs), against a bare PySide6 main window with a list view of ten rows: the price of
Python and Qt that no app can avoid. Runs are interleaved, each in a fresh process, after one
warm-up of each. Prints the medians and peak resident memory, and as its last line
`startup ratio: X.XX` (the target is at most 3.0). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from paint_runs import interleaved, median, summary

from briefing.core.demo import load_demo
from briefing.store import open_store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "demo.sqlite3"
        open_store(store, seed=load_demo).close()
        runs = interleaved({"bare": ("bare",), "app": ("app", str(store))}, args.rounds)
    print(f"{args.rounds} rounds, interleaved, each a fresh process")
    print(summary("bare PySide6 window", runs["bare"]))
    print(summary("app on the demo store", runs["app"]))
    print(f"startup ratio: {median(runs['app']) / median(runs['bare']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
