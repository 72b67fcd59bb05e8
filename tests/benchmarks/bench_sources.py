"""How source import, quote finding and checking scale, as ratios to a baseline of the same run.

Run: `python tests/benchmarks/bench_sources.py`. Not part of the test run (timings are machine
dependent); the numbers that matter are the ratios, each against reading and hashing the same
text, which any import must do anyway.
"""

from __future__ import annotations

import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

from briefing.core.quotes import add_quote_at, check_quotes, closest_passage, find_occurrences
from briefing.core.sources import import_source, read_file
from briefing.store import open_store
from briefing.store.models import Stakeholder

_SYLLABLES = [c + v for c in "bdfhklmnprstvz" for v in "aeiou"]
# A vocabulary of 5,000 made-up words drawn with Zipf-like frequencies, as in real prose.
WORDS = sorted({"".join(random.Random(i).choices(_SYLLABLES, k=3)) for i in range(6000)})[:5000]
_WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def text_of(size: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    words = []
    length = 0
    while length < size:
        for word in rng.choices(WORDS, _WEIGHTS, k=1000):
            words.append(word + ("." if rng.random() < 0.08 else ""))
            length += len(word) + 1
    return " ".join(words)


def main() -> int:
    folder = Path(tempfile.mkdtemp())
    for megabytes in (1, 10):
        text = text_of(megabytes * 1024 * 1024)
        path = folder / f"source-{megabytes}.txt"
        path.write_text(text, encoding="utf-8")
        baseline = timed(lambda p=path: hashlib.sha256(p.read_bytes()).hexdigest())
        read = timed(lambda p=path: read_file(p))
        store_path = folder / f"store-{megabytes}.sqlite3"
        with open_store(store_path) as store, store.writing() as session:
            importing = timed(lambda s=session, p=path: import_source(s, p))
        words = text[len(text) // 2 : len(text) // 2 + 80]
        finding = timed(lambda t=text, w=words: find_occurrences(t, w))
        typed = words.replace("e", "3", 2)  # not in the source: the closest passage is sought
        nearest = timed(lambda t=text, w=typed: closest_passage(t, w))
        print(
            f"{megabytes:>3} MB text: baseline (read + sha256) {baseline * 1000:7.1f} ms; "
            f"read_file x{read / baseline:5.1f}, import x{importing / baseline:5.1f}, "
            f"find x{finding / baseline:5.1f}, closest passage x{nearest / baseline:5.1f}"
        )

    text = text_of(200_000, seed=2)
    # Five sources that say the same but for their last line: the same text twice is refused.
    paths = []
    for i in range(5):
        paths.append(folder / f"checked-{i}.txt")
        paths[-1].write_text(f"{text}\nCopy {i}", encoding="utf-8")
    rng = random.Random(3)
    for quotes in (100, 1000):
        with open_store(folder / f"checks-{quotes}.sqlite3") as store:
            with store.writing() as session:
                speakers = [Stakeholder(name=f"Speaker {i}") for i in range(20)]
                session.add_all(speakers)
                ids = [import_source(session, p, title=p.stem).id for p in paths]
                session.flush()
                for _ in range(quotes):
                    start = rng.randrange(0, len(text) - 200)
                    add_quote_at(
                        session, rng.choice(ids), start, start + 120, rng.choice(speakers).id
                    )
            with store.reading() as session:
                count = len(ids)
                baseline = timed(lambda n=count: [hashlib.sha256(text.encode()) for _ in range(n)])
                checking = timed(lambda s=session: check_quotes(s))
        print(
            f"check_quotes, {quotes:>5} quotes over 5 sources of 200 kB: "
            f"{checking * 1000:8.1f} ms (x{checking / baseline:6.1f} hashing the sources)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
