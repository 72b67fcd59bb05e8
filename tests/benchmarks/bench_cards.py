"""First paint of big topics and big sources: `python tests/benchmarks/bench_cards.py`.

Whole-process time from start to the first paint of the card grid, each run a fresh process,
interleaved, after one warm-up of each. The warm-up opens each store with its checks, so the
timed runs paint the first screen (`briefing.store.first_screen`: the cards, read before the
store's libraries load; the details follow once the store is open):

- a topic of 1,000 stakeholders against one of 10, 3 quotes each (from a 50 kB source):
  `cards ratio` (target at most 3.0);
- a topic of 10 stakeholders whose 30 quotes come from one 50 MB source against the same from a
  50 kB source: `big source ratio` (target at most 1.5).

Stores are built through the app's models (`bigsource.py`). Prints medians and the peak resident
memory of each case (target under 300 MB), then the two ratios, `cards ratio` last.
Not collected by pytest.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bigsource import build_topic_store
from paint_runs import interleaved, median, summary

SMALL = 50_000
BIG = 50_000_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big", type=int, default=BIG, help="characters in the big source")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        stores = {
            "10 cards, 50 kB source": build_topic_store(
                Path(folder) / "ten.db", source_bytes=SMALL
            ),
            "1,000 cards, 50 kB source": build_topic_store(
                Path(folder) / "thousand.db", stakeholders=1_000, source_bytes=SMALL
            ),
            "10 cards, 50 MB source": build_topic_store(
                Path(folder) / "big.db", source_bytes=args.big
            ),
        }
        runs = interleaved({name: ("app", str(path)) for name, path in stores.items()}, args.rounds)
    print(f"{args.rounds} rounds, interleaved, each a fresh process")
    for name, found in runs.items():
        print(summary(name, found))
    small = median(runs["10 cards, 50 kB source"])
    print(f"big source ratio: {median(runs['10 cards, 50 MB source']) / small:.2f}")
    print(f"cards ratio: {median(runs['1,000 cards, 50 kB source']) / small:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
