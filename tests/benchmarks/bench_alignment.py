"""Finding each quote's closest passage in every other source, at scale: 10,000 quotes against
1,000 sources, as a ratio to checking exact matches only, in the same run.

Run: `python tests/benchmarks/bench_alignment.py [--sources 1000] [--quotes 10000]`. Not part of
the test run. Sources are made-up prose (a Zipf-weighted vocabulary of 5,000 words, sentences of
8-30 words), about 20 kB each: 20 MB in all. Quotes are passages of 8-30 words of one source;
a quarter of them are also planted, with half their words changed, in another source (a report
rewording a statement), and an eighth word for word, so the search has something to find.
The figures:

- own source: every quote checked exactly against its own source at its offsets
  (`verify_quote`, the check `verify` always did);
- baseline, exact matches only: an index of every source's 6-word shingles (a dict), and for
  every quote the other sources that hold it word for word: the same job as the alignment
  below, for identical words only, done the cheapest way;
- index: building the rare-word index of all 1,000 sources (`PassageIndex`);
- closest: for every quote, the closest passage in each other source (`PassageIndex.closest`),
  and how many planted rewordings it found.

The last line is the ratio of index + closest to the exact-match baseline. Times are CPU time
of this process, steadier than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from briefing.core.alignment import PassageIndex
from briefing.core.verify import verify_quote

_SYLLABLES = [c + v for c in "bdfhklmnprstvz" for v in "aeiou"]
WORDS = sorted({"".join(random.Random(i).choices(_SYLLABLES, k=3)) for i in range(6000)})[:5000]
_WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]
_SHINGLE = 6


def prose(rng: random.Random, words: int) -> list[str]:
    out: list[str] = []
    while len(out) < words:
        sentence = rng.choices(WORDS, _WEIGHTS, k=rng.randint(8, 30))
        sentence[0] = sentence[0].capitalize()
        sentence[-1] += "."
        out.extend(sentence)
    return out


def reworded(rng: random.Random, words: list[str]) -> list[str]:
    changed = list(words)
    for i in rng.sample(range(len(changed)), len(changed) // 2):
        changed[i] = rng.choice(WORDS)
    return changed


def build(sources: int, quotes: int, seed: int = 7):
    rng = random.Random(seed)
    texts = [prose(rng, 3000) for _ in range(sources)]
    plans = []  # (source, the quote's words), drawn before any planting moves words about
    for _ in range(quotes):
        s = rng.randrange(sources)
        length = rng.randint(8, 30)
        start = rng.randrange(0, len(texts[s]) - length)
        plans.append((s, texts[s][start : start + length]))
    planted: dict[int, int] = {}  # quote index -> the other source holding a rewording
    for q in rng.sample(range(quotes), quotes // 4):
        s, words = plans[q]
        other = rng.randrange(sources)
        if other == s:
            continue
        at = rng.randrange(0, len(texts[other]) - 1)
        texts[other][at:at] = ["\n\n", *reworded(rng, words), "\n\n"]
        planted[q] = other
    copied: dict[int, int] = {}  # quote index -> the other source holding it word for word
    for q in rng.sample(range(quotes), quotes // 8):
        s, words = plans[q]
        other = rng.randrange(sources)
        if other == s or q in planted:
            continue
        at = rng.randrange(0, len(texts[other]) - 1)
        texts[other][at:at] = ["\n\n", *words, "\n\n"]
        copied[q] = other
    joined = [" ".join(words) for words in texts]
    quote_list = []
    for s, words in plans:
        text = " ".join(words)
        where = joined[s].find(text)
        quote_list.append((s, text, where, where + len(text)))
    return joined, quote_list, planted, copied


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--quotes", type=int, default=10000)
    args = parser.parse_args()
    t0 = time.process_time()
    texts, quotes, planted, copied = build(args.sources, args.quotes)
    size = sum(len(t) for t in texts) / 1e6
    print(
        f"material: {args.sources} sources, {size:.1f} MB; {args.quotes} quotes "
        f"({len(planted)} reworded into another source); made in {time.process_time() - t0:.1f} s"
    )

    start = time.process_time()
    exact = sum(verify_quote(text, texts[s], a, b).status == "exact" for s, text, a, b in quotes)
    baseline = time.process_time() - start
    print(f"own source, exact check of every quote at its offsets: {baseline:.2f} s ({exact})")

    start = time.process_time()
    shingles: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    split = [t.split() for t in texts]
    for sid, words in enumerate(split):
        for i in range(len(words) - _SHINGLE + 1):
            shingles.setdefault(tuple(words[i : i + _SHINGLE]), []).append((sid, i))
    exact_elsewhere = 0
    for s, text, _, _ in quotes:
        words = text.split()
        for sid, i in shingles.get(tuple(words[:_SHINGLE]), ()):
            if sid != s and split[sid][i : i + len(words)] == words:
                exact_elsewhere += 1
    exact_only = time.process_time() - start
    print(
        f"baseline, exact matches only (shingle index + look-ups): {exact_only:.2f} s "
        f"({exact_elsewhere} word-for-word copies in other sources)"
    )

    start = time.process_time()
    index = PassageIndex(enumerate(texts))
    indexing = time.process_time() - start
    print(f"index of all sources' words: {indexing:.2f} s")

    per_quote: list[float] = []
    found_planted = found_copied = passages = 0
    start = time.process_time()
    for number, (s, text, _, _) in enumerate(quotes):
        began = time.process_time()
        found = index.closest(text, exclude=s)
        per_quote.append(time.process_time() - began)
        passages += len(found)
        if number in planted and any(p.source_id == planted[number] for p in found):
            found_planted += 1
        if number in copied and any(p.source_id == copied[number] and p.same_words for p in found):
            found_copied += 1
    closest = time.process_time() - start
    per_quote.sort()
    print(
        f"closest passage of every other source, every quote: {closest:.2f} s; "
        f"median {statistics.median(per_quote) * 1000:.2f} ms, "
        f"99th percentile {per_quote[int(len(per_quote) * 0.99)] * 1000:.2f} ms, "
        f"max {per_quote[-1] * 1000:.1f} ms per quote"
    )
    print(f"word-for-word copies found as the same words: {found_copied} of {len(copied)}")
    print(
        f"passages found: {passages}; planted rewordings (half the words changed) found: "
        f"{found_planted} of {len(planted)} ({found_planted / max(len(planted), 1):.1%})"
    )
    print(f"ratio (index + closest) / exact matches only: {(indexing + closest) / exact_only:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
