"""Start-up to the first paint: `python tests/benchmarks/bench_startup.py [--rounds N]`.

Whole-process time, from the interpreter starting to the first paint of the main window's card
grid, of the app on a copy of the demo store (`briefing --db STORE`, already created, so no
migration runs), against a bare PySide6 main window with a list view of ten rows: the price of
Python and Qt that no app can avoid. Runs are interleaved, each in a fresh process, after one
warm-up of each. Prints the medians and peak resident memory, and as its last line
`startup ratio: X.XX` (the target is at most 3.0). Not collected by pytest.

It also times, in the same interleaved rounds, when the window takes input ("interactive": the
store attached, every control and menu in place, the grid painted so, and the main loop's next
turn) both ways: on the first screen (as the app opens a plain store now) and with the first
screen turned off (`BRIEFING_NO_FIRST_SCREEN=1`: the store opened before the window, as before
the first screen), and prints `interactive ratio` (first screen over before, the target is at
most 1.0) and each one's ratio to the bare window's first paint.

With `--floors`, it also runs the bare window after importing what the app's first screen
cannot do without (SQLAlchemy's ORM; then the store's models, which map every table), and
prints their ratios: the part of the app's ratio that is the price of those libraries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from paint_runs import child, interleaved, median, summary

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
        runs, ready = _rounds({**cases, "app": ("app", str(store))}, store, args.rounds)
    print(f"{args.rounds} rounds, interleaved, each a fresh process")
    print(summary("bare PySide6 window", runs["bare"]))
    for name in list(cases)[1:]:
        ratio = median(runs[name]) / median(runs["bare"])
        print(f"{summary(f'bare window {name}', runs[name])}  ratio {ratio:.2f}")
    print(summary("app on the demo store", runs["app"]))
    bare = median(runs["bare"])
    for name, label in (("first screen", "first screen"), ("before", "store opened first")):
        first = [run[0] for run in ready[name]]
        usable = [run[1] for run in ready[name]]
        print(
            f"{label:<20} per run (first paint / interactive, s): "
            + ", ".join(f"{f:.3f}/{u:.3f}" for f, u in zip(first, usable, strict=True))
        )
        print(
            f"{label:<20} median first paint {statistics.median(first):.3f} s, interactive "
            f"{statistics.median(usable):.3f} s (ratio to the bare window "
            f"{statistics.median(usable) / bare:.2f}), peak RSS "
            f"{max(run[2] for run in ready[name]):.1f} MB"
        )
    now = statistics.median(run[1] for run in ready["first screen"])
    before = statistics.median(run[1] for run in ready["before"])
    print(f"interactive ratio (first screen / store opened first): {now / before:.2f}")
    print(f"startup ratio: {median(runs['app']) / median(runs['bare']):.2f}")
    return 0


def _rounds(cases, store: Path, rounds: int):
    """`interleaved` runs of `cases`, with, in each round, the app timed to interactive on the
    first screen and with it turned off (after one warm-up run of each)."""
    ways = {"first screen": {}, "before": {"BRIEFING_NO_FIRST_SCREEN": "1"}}
    for environment in ways.values():
        child("interactive", str(store), environment=environment)
    runs: dict = {}
    ready: dict[str, list[list[float]]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, result in interleaved(cases, 1, warm_up=not runs).items():
            runs.setdefault(name, []).extend(result)
        for name, environment in ways.items():
            ready[name].append(child("interactive", str(store), environment=environment))
    return runs, ready


if __name__ == "__main__":
    sys.exit(main())
