"""Export of a topic quoted from a big source: `python tests/benchmarks/bench_export_sources.py`.

Two stores built through the app's models (`bigsource.py`): a topic of 10 stakeholders with 3
quotes each, all from one 50 MB source in the first and from one 50 kB source in the second.
Each run is a fresh `briefing --db STORE export OUT.pdf --topic NAME` process (the whole
command: reading the store, checking the quotes, laying out and writing the PDF), the two cases
interleaved after one warm-up of each. Prints medians and the peak resident memory of each case,
and as its last line `export big source ratio: X.XX` (the target is at most 1.5).
Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bigsource import TOPIC, build_topic_store


def export_once(store: Path, out: Path) -> tuple[float, float]:
    """Seconds of one whole export command, and its peak resident MB (VmHWM, in the child)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: with bytecode
    child = (
        "import sys\n"
        "from briefing.cli import main\n"
        "from paint_child import peak_megabytes\n"
        "status = main(sys.argv[1:])\n"
        "print('PEAK', peak_megabytes(), flush=True)\n"
        "sys.exit(status)\n"
    )
    command = ["--db", str(store), "export", str(out), "--topic", TOPIC]
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", child, *command],
        env=env,
        cwd=Path(__file__).resolve().parent,
        capture_output=True,
        text=True,
        timeout=900,
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"export failed: {done.stderr}")
    peak = float(done.stdout.split("PEAK")[-1].split()[0])
    return elapsed, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big", type=int, default=50_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        stores = {
            "50 kB source": build_topic_store(here / "small.db", source_bytes=50_000),
            "50 MB source": build_topic_store(here / "big.db", source_bytes=args.big),
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in stores}
        for name, store in stores.items():
            export_once(store, here / f"warm-{len(name)}.pdf")
        for round_number in range(args.rounds):
            for name, store in stores.items():
                runs[name].append(export_once(store, here / f"{round_number}-{len(name)}.pdf"))
    print(f"{args.rounds} rounds, interleaved, each a fresh process")
    for name, found in runs.items():
        times = [t for t, _ in found]
        print(
            f"export, {name:<14} median {statistics.median(times):6.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f})  "
            f"peak RSS {max(m for _, m in found):6.1f} MB"
        )
    ratio = statistics.median(t for t, _ in runs["50 MB source"]) / statistics.median(
        t for t, _ in runs["50 kB source"]
    )
    print(f"export big source ratio: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
