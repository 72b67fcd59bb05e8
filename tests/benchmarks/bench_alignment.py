"""Finding each quote's closest passage in every other source, at scale: 10,000 quotes against
1,000 sources, as a ratio to checking exact matches only, in the same run.

Run: `python tests/benchmarks/bench_alignment.py [--sources 1000] [--quotes 10000] [--seed 7]`.
Seed 7 is the one the flag's bar was looked at with: give figures from another seed. Not part of
the test run. Sources are made-up prose (a Zipf-weighted vocabulary of 5,000 words, sentences of
8-30 words), about 20 kB each: 20 MB in all. Quotes are passages of 8-30 words of one source,
each with a speaker; 100 speakers own 3 sources each as primary documents. A quarter of the
quotes are planted, with half their words changed (in place, by words drawn at random), in a
primary document of their speaker (a statement a report reworded), and an eighth word for word,
each between two sentences of the document (never inside another planting).
Controls, a tenth as many as quotes, are in no source: made-up prose of the same words, half of
them with two words of one passage of a primary document of their speaker.

- own source: every quote checked exactly against its own source at its offsets;
- baseline, exact matches only: an index of every source's 6-word shingles (a dict), and for
  every quote the other sources that hold it word for word, done the cheapest way;
- index + closest: the rare-word index of all 1,000 sources (`PassageIndex`), and for every
  quote the closest passage in each other source; recall of the planted rewordings and
  precision of the passages found (any passage but the planted one is false), per quote length;
- the flag: every quote against its speaker's primary documents (`only`, read whole, as
  `primary_checks` does): the same figures, how many controls found anything, how many
  rewordings kept words that chance alone would match as well (by the flag's own bar) and the
  closest misses.

Per-quote times are given as median, 95th percentile and worst. The last line is the ratio of
index + closest to the exact-match baseline. Times are CPU time of this process, steadier than
wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from briefing.core.alignment import CHANCE, PassageIndex, word_keys
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


SPEAKERS = 100  # each owns PRIMARY_EACH of the first SPEAKERS * PRIMARY_EACH sources
PRIMARY_EACH = 3
BUCKETS = ((8, 10), (11, 15), (16, 20), (21, 30))


def bucket(length: int) -> str:
    for low, high in BUCKETS:
        if low <= length <= high:
            return f"{low}-{high} words"
    return "other"


def build(sources: int, quotes: int, seed: int):
    """Sources; quotes (each with a speaker); rewordings and copies planted in the speaker's own
    primary documents; and controls: quotes found in no source."""
    rng = random.Random(seed)
    texts = [prose(rng, 3000) for _ in range(sources)]
    owned = {sp: list(range(sp * PRIMARY_EACH, (sp + 1) * PRIMARY_EACH)) for sp in range(SPEAKERS)}
    plans = []  # (source, speaker, the quote's words), drawn before any planting moves words
    for _ in range(quotes):
        s = rng.randrange(sources)
        length = rng.randint(8, 30)
        start = rng.randrange(0, len(texts[s]) - length)
        plans.append((s, rng.randrange(SPEAKERS), texts[s][start : start + length]))
    planted: dict[int, int] = {}  # quote index -> the primary document holding a rewording
    copied: dict[int, int] = {}  # quote index -> the primary document holding it word for word
    kept: dict[int, list[int]] = {}  # rewording -> the places of the quote's words it kept
    # Each planting goes between two sentences of the document as it was made, so that no
    # planting lands inside another and cuts it in two: a rewording split by 8-30 other words
    # is no longer "half the words changed" (the first version of this benchmark did that to
    # about one rewording in twelve).
    ends = [[i + 1 for i, word in enumerate(words) if word.endswith(".")] for words in texts]
    insertions: dict[int, list[tuple[int, int, list[str]]]] = {}
    chosen = rng.sample(range(quotes), quotes // 4 + quotes // 8)
    for n, q in enumerate(chosen):
        s, speaker, words = plans[q]
        other = rng.choice(owned[speaker])
        if other == s:
            continue
        at = rng.choice(ends[other])
        if n < quotes // 4:
            words = reworded(rng, words)
            kept[q] = [i for i, (a, b) in enumerate(zip(plans[q][2], words, strict=True)) if a == b]
        insertions.setdefault(other, []).append((at, n, ["\n\n", *words, "\n\n"]))
        (planted if n < quotes // 4 else copied)[q] = other
    for other, places in insertions.items():
        for at, _, words in sorted(places, reverse=True):
            texts[other][at:at] = words
    joined = [" ".join(words) for words in texts]
    quote_list = []
    for s, speaker, words in plans:
        text = " ".join(words)
        where = joined[s].find(text)
        quote_list.append((s, speaker, text, where, where + len(text)))
    # Controls, each of a speaker with primary documents and "from" a source of its own that is
    # not indexed (-1): made-up prose of the same words (sharing common and some rare words
    # with every source by chance), and the same with two words of one passage of a primary
    # document of the speaker in it, in that passage's order.
    controls = []
    for n in range(quotes // 10):
        speaker = rng.randrange(SPEAKERS)
        words = prose(rng, rng.randint(8, 30))[: rng.randint(8, 30)]
        words = [w.strip(".").lower() for w in words]
        if n % 2:
            doc = joined[rng.choice(owned[speaker])].split()
            at = rng.randrange(0, len(doc) - 30)
            picked = sorted(rng.sample(range(at, at + 30), 2))
            places = sorted(rng.sample(range(len(words)), 2))
            for place, taken in zip(places, picked, strict=True):
                words[place] = doc[taken].strip(".")
        controls.append((-1, speaker, " ".join(words)))
    return joined, quote_list, planted, copied, owned, controls, kept


def _times(per_quote: list[float]) -> str:
    per_quote = sorted(per_quote)
    return (
        f"median {statistics.median(per_quote) * 1000:.2f} ms, "
        f"p95 {per_quote[int(len(per_quote) * 0.95)] * 1000:.2f} ms, "
        f"worst {per_quote[-1] * 1000:.1f} ms per quote"
    )


def _table(title: str, rows: dict[str, list[int]]) -> None:
    """rows: bucket -> [planted, planted found, true passages, false passages, controls,
    controls with a passage]."""
    print(title)
    print("  length        planted  found  recall   passages  false  precision  controls  flagged")
    total = [0] * 6
    for name in [*(f"{lo}-{hi} words" for lo, hi in BUCKETS)]:
        r = rows.get(name, [0] * 6)
        total = [a + b for a, b in zip(total, r, strict=True)]
        _row(name, r)
    _row("all", total)


def _row(name: str, r: list[int]) -> None:
    planted, found, true, false, controls, flagged = r
    recall = found / planted if planted else 1.0
    precision = true / (true + false) if true + false else 1.0
    print(
        f"  {name:<13} {planted:>7} {found:>6} {recall:>7.1%} {true + false:>10} {false:>6} "
        f"{precision:>10.1%} {controls:>9} {flagged:>8}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--quotes", type=int, default=10000)
    # 7 is the seed the thresholds were looked at with; report figures from another one.
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.process_time()
    texts, quotes, planted, copied, owned, controls, kept = build(
        args.sources, args.quotes, args.seed
    )
    size = sum(len(t) for t in texts) / 1e6
    print(
        f"material (seed {args.seed}): {args.sources} sources, {size:.1f} MB; {args.quotes} quotes "
        f"({len(planted)} reworded and {len(copied)} copied into a primary document of their "
        f"speaker); {len(controls)} controls; made in {time.process_time() - t0:.1f} s"
    )

    start = time.process_time()
    exact = sum(verify_quote(text, texts[s], a, b).status == "exact" for s, _, text, a, b in quotes)
    baseline = time.process_time() - start
    print(f"own source, exact check of every quote at its offsets: {baseline:.2f} s ({exact})")

    start = time.process_time()
    shingles: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    split = [t.split() for t in texts]
    for sid, words in enumerate(split):
        for i in range(len(words) - _SHINGLE + 1):
            shingles.setdefault(tuple(words[i : i + _SHINGLE]), []).append((sid, i))
    exact_elsewhere = 0
    exact_times: list[float] = []
    for s, _, text, _, _ in quotes:
        began = time.process_time()
        words = text.split()
        for sid, i in shingles.get(tuple(words[:_SHINGLE]), ()):
            if sid != s and split[sid][i : i + len(words)] == words:
                exact_elsewhere += 1
        exact_times.append(time.process_time() - began)
    exact_only = time.process_time() - start
    print(
        f"baseline, exact matches only (shingle index + look-ups): {exact_only:.2f} s "
        f"({exact_elsewhere} word-for-word copies in other sources); {_times(exact_times)}"
    )

    # 1. Every quote against every other source.
    start = time.process_time()
    index = PassageIndex(enumerate(texts))
    indexing = time.process_time() - start
    print(f"index of all sources' words: {indexing:.2f} s")
    per_quote: list[float] = []
    rows: dict[str, list[int]] = {}
    found_copied = 0
    start = time.process_time()
    for number, (s, _, text, _, _) in enumerate(quotes):
        began = time.process_time()
        found = index.closest(text, exclude=s)
        per_quote.append(time.process_time() - began)
        r = rows.setdefault(bucket(len(text.split())), [0] * 6)
        target = planted.get(number, copied.get(number))
        true = [p for p in found if p.source_id == target]
        r[2] += len(true)
        r[3] += len(found) - len(true)
        if number in planted:
            r[0] += 1
            r[1] += bool(true)
        if number in copied and any(p.same_words for p in true):
            found_copied += 1
    closest = time.process_time() - start
    for _, _, text in controls:
        found = index.closest(text)
        r = rows.setdefault(bucket(len(text.split())), [0] * 6)
        r[3] += len(found)
        r[4] += 1
        r[5] += bool(found)
    print(
        f"closest passage in every other source, every quote: {closest:.2f} s; {_times(per_quote)}"
    )
    print(f"word-for-word copies found as the same words: {found_copied} of {len(copied)}")
    _table("every quote against all other sources (a false passage: any but a planted one):", rows)

    # 2. The flag: each quote against its speaker's primary documents only, as `primary_checks`
    # does (one index of every speaker's primary documents, each quote looking in its own).
    primary_ids = sorted({sid for docs in owned.values() for sid in docs})
    start = time.process_time()
    primary = PassageIndex((sid, texts[sid]) for sid in primary_ids)
    flag_times: list[float] = []
    missed: list[int] = []
    rows = {}
    for number, (s, speaker, text, _, _) in enumerate(quotes):
        began = time.process_time()
        found = primary.closest(text, exclude=s, only=set(owned[speaker]))
        flag_times.append(time.process_time() - began)
        r = rows.setdefault(bucket(len(text.split())), [0] * 6)
        target = planted.get(number, copied.get(number))
        true = [p for p in found if p.source_id == target]
        r[2] += len(true)
        r[3] += len(found) - len(true)
        if number in planted:
            r[0] += 1
            r[1] += bool(true)
            if not true:
                missed.append(number)
    flagging = time.process_time() - start
    for _, speaker, text in controls:
        found = primary.closest(text, only=set(owned[speaker]))
        r = rows.setdefault(bucket(len(text.split())), [0] * 6)
        r[3] += len(found)
        r[4] += 1
        r[5] += bool(found)
    print(
        f"primary documents ({len(primary_ids)} of {SPEAKERS} speakers), every quote against "
        f"its speaker's: {flagging:.2f} s; {_times(flag_times)}"
    )
    _table("every quote against its speaker's primary documents (the reworded flag):", rows)

    # How often chance alone gives a place of the speaker's three documents a score as high as
    # the rewording's kept words standing in place (the bar the flag sets, `CHANCE`): where it
    # is near 1 or above, what the rewording kept is no evidence that it comes from the
    # document, and finding it would flag as many quotes that share words by chance.
    def by_chance(number: int) -> float:
        words = word_keys(quotes[number][2])
        scope = sum(len(word_keys(texts[d])) for d in owned[quotes[number][1]])
        score = sum(primary.weight(words[i]) for i in kept[number] if i < len(words))
        return primary.expected_by_chance(words, score, scope)

    chances = {number: by_chance(number) for number in planted}
    clear = [number for number, chance in chances.items() if chance <= CHANCE]
    print(
        f"rewordings whose kept words in place chance alone would match or beat at most "
        f"{CHANCE:g} times in their speaker's documents: {len(clear)} of {len(chances)}; "
        f"found {len(clear) - len(set(clear) & set(missed))} of them"
    )
    for number in sorted(missed, key=chances.__getitem__)[:12]:
        words = quotes[number][2].split()
        print(
            f"  missed: {len(words)} words, kept {len(kept[number])} "
            f"({' '.join(words[i] for i in kept[number])}); chance matches or beats them "
            f"{chances[number]:.1e} times"
        )
    print(
        f"ratio (flag: primary documents, every quote) / exact matches only: "
        f"{flagging / exact_only:.1f}"
    )
    print(f"ratio (index + closest) / exact matches only: {(indexing + closest) / exact_only:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
