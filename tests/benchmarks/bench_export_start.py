"""What an export costs before it starts: a cold child process against the warm spare.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_export_start.py [ROUNDS]

Every export runs in a child process (`briefing.export.process`), which must import Python, Qt
and the app before it can read anything. The window keeps one spare child warm (`process.warm`,
started once the window is idle after its first paint). For a topic of 40 stakeholders and 400
quotes (`bench_export.build`) exported to PDF, this times, per round, from the call (the click
on Export) to the child's first progress (it has its job: the start cost) and to the written
file, with a cold child and then with the warm spare (given time to load first, as the window
gives it while the user works). Prints per-round figures, the medians, and last the ratio of the
cold start to the warm one.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from bench_export import build  # noqa: E402

from briefing.core.briefings import topic_content  # noqa: E402
from briefing.export import process  # noqa: E402

SPARE_LOAD_S = 15.0  # time the spare is given to load, as the window gives it after start-up


def export_once(store: Path, topic_id: int, out: Path) -> tuple[float, float]:
    """(seconds to the first progress, seconds to the written file)."""
    use_case = functools.partial(topic_content, topic_id=topic_id, with_notes=True)
    first: list[float] = []
    started = time.perf_counter()
    process.export_in_child(
        None,
        out,
        "pdf",
        load=(store, use_case),
        progress=lambda *_: first or first.append(time.perf_counter() - started),
    )
    return first[0], time.perf_counter() - started


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 3
    folder = Path(tempfile.mkdtemp(prefix="bench-export-start-"))
    store = folder / "bench.sqlite3"
    topic_id = build(store)
    results: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
    for number in range(rounds):
        process.shut_down()  # no spare: the export starts its own child
        results["cold"].append(export_once(store, topic_id, folder / f"cold{number}.pdf"))
        process.warm()
        time.sleep(SPARE_LOAD_S)
        results["warm"].append(export_once(store, topic_id, folder / f"warm{number}.pdf"))
        for kind in ("cold", "warm"):
            start, done = results[kind][-1]
            print(f"round {number + 1} {kind}: first progress {start:.2f} s, file {done:.2f} s")
    process.shut_down()
    medians = {}
    for kind, runs in results.items():
        start = statistics.median(run[0] for run in runs)
        done = statistics.median(run[1] for run in runs)
        medians[kind] = (start, done)
        print(f"{kind} (median of {rounds}): first progress {start:.2f} s, file {done:.2f} s")
    cold, warm = medians["cold"][0], medians["warm"][0]
    print(f"start cost ratio, cold / warm: {cold / max(warm, 0.001):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
