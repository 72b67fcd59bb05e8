"""Start-up to the first paint: `python tests/benchmarks/bench_startup.py [--rounds N]`.

Whole-process time, from the interpreter starting to the first paint of the main window's card
grid, of the app on a copy of the demo store (`briefing --db STORE`, already created, so no
migration runs), against a bare PySide6 main window with a list view of ten rows: the price of
Python and Qt that no app can avoid. Runs are interleaved, each in a fresh process, after one
warm-up of each. Prints the medians and peak resident memory, and as its last line
`startup ratio: X.XX` (the target is at most 3.0). Not collected by pytest.

With `--floors`, it also runs the bare window after importing what the app's first screen
cannot do without (SQLAlchemy's ORM; then the store's models, which map every table), and
prints their ratios: the part of the app's ratio that is the price of those libraries.
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
    parser.add_argument("--floors", action="store_true", help="also time the library floors")
    args = parser.parse_args(argv)
    cases = {"bare": ("bare",)}
    if args.floors:
        cases["+ sqlalchemy.orm"] = ("bare", "sqlalchemy.orm")
        cases["+ store models"] = ("bare", "briefing.store.models")
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "demo.sqlite3"
        open_store(store, seed=load_demo).close()
        # Opened once since, as a user's store has been: its opening checks passed and are
        # recorded, so the app reads its first screen before loading the store's libraries.
        open_store(store).close()
        runs = interleaved({**cases, "app": ("app", str(store))}, args.rounds)
    print(f"{args.rounds} rounds, interleaved, each a fresh process")
    print(summary("bare PySide6 window", runs["bare"]))
    for name in list(cases)[1:]:
        ratio = median(runs[name]) / median(runs["bare"])
        print(f"{summary(f'bare window {name}', runs[name])}  ratio {ratio:.2f}")
    print(summary("app on the demo store", runs["app"]))
    print(f"startup ratio: {median(runs['app']) / median(runs['bare']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
