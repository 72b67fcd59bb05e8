"""Finding the passage of other sources closest to a quote, even when the quote was reworded.

`compare_quotes` (in `verify`) lines up two quotes over the words they share and gives up when
fewer than 60% are shared: right for two reports of one statement, wrong for a report that
paraphrased it ("now not affords common objective IBM facial recognition" for "no longer offers
general purpose IBM facial recognition"). This module finds such passages at word level:

1. **Words.** A text is split into runs of letters and digits, typography folded and case
   ignored, each with its character offsets; punctuation, hyphenation and quotation marks do not
   count.
2. **Index of rare words.** `PassageIndex` holds, for every word of every indexed source, where it
   stands; words so common that they stand more than `common_share` of all words ("the", "of")
   get no postings. A quote is looked up by its `seeds`, its rarest indexed words, at most 10,
   so no quote is compared with every passage: the work per quote is bounded by the postings of
   its ten rarest words.
3. **Votes.** Each occurrence of a seed votes for the place where the quote would start if it
   stood there; votes are gathered in bins of half the quote's length, so that reordered, dropped
   and added words still vote for the same neighbourhood. A bin needs two different seeds (one
   for a quote with a single seed, three for one with six or more); the twelve best bins, at
   most three per source, are looked at.
4. **The passage.** Around the best bins of each source, the stretch that holds the most of the
   quote's words with the fewest others (a maximum-sum run, +1 for a word of the quote, -1 for
   another) is the core of the passage; it is widened by as many words as the quote has before
   its first and after its last matched word, without crossing the end of a sentence, so that a
   reworded beginning ("now not affords") is set against the words it replaced ("no longer
   offers").
5. **Close enough.** A passage counts when it holds at least 40% of the quote's words, two of
   them rare ones: a quote with half its words changed is still found.

`compare_wording` then says whether the passage has the same words (typography aside) or other
ones, with a word diff in the `[-quote's-] {+passage's+}` form cross-source conflicts use.
"""

from __future__ import annotations

import difflib
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from briefing.core.verify import (
    _TYPOGRAPHY,
    CONFLICT,
    SAME,
    TYPOGRAPHY,
    Comparison,
    _align_key,
    _join,
    _segments,
    _tokens,
)

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?;:\n]")

MAX_SEEDS = 10
MIN_SHARE = 0.4  # of the quote's words that the passage must hold
_BINS_PER_SOURCE = 3
_MAX_CANDIDATES = 12


def word_keys(text: str) -> list[str]:
    """The words of `text` as the index compares them."""
    return [m.group().casefold() for m in _WORD.finditer(text.translate(_TYPOGRAPHY))]


def _spans(text: str) -> tuple[list[str], array, array]:
    keys: list[str] = []
    starts, ends = array("l"), array("l")
    # Folding typography can change lengths (ligatures); index the text as stored so that
    # offsets stay true, folding each word on its own.
    for m in _WORD.finditer(text):
        keys.append(m.group().translate(_TYPOGRAPHY).casefold())
        starts.append(m.start())
        ends.append(m.end())
    return keys, starts, ends


@dataclass(frozen=True)
class ClosePassage:
    """The stretch of one source closest to a quote's words."""

    source_id: int
    start: int  # character offsets into the source's text
    end: int
    text: str
    share: float  # of the quote's words found in it, 0..1
    same_words: bool  # the same words in the same order, typography and case aside


class PassageIndex:
    """Where every word of a set of sources stands, for finding passages close to quotes."""

    def __init__(self, sources: Iterable[tuple[int, str]], *, common_share: float = 0.002):
        self._texts: dict[int, str] = {}
        self._keys: list[str] = []
        self._starts = array("l")
        self._ends = array("l")
        self._ids: list[int] = []
        self._source_range: dict[int, tuple[int, int]] = {}
        self._owner = array("l")  # for every position, the index of its source in `_ids`
        for source_id, text in sources:
            keys, starts, ends = _spans(text)
            first = len(self._keys)
            self._ids.append(source_id)
            self._texts[source_id] = text
            self._source_range[source_id] = (first, first + len(keys))
            self._keys.extend(keys)
            self._starts.extend(starts)
            self._ends.extend(ends)
            self._owner.extend(array("l", [len(self._ids) - 1]) * len(keys))
        self.frequency = Counter(self._keys)
        total = len(self._keys)
        # "the" in English, "de" in French: words this common find everything and nothing.
        self._cap = max(50, int(total * common_share))
        self._postings: dict[str, array] = defaultdict(lambda: array("l"))
        for position, key in enumerate(self._keys):
            if self.frequency[key] <= self._cap:
                self._postings[key].append(position)
        self._postings = dict(self._postings)

    def seeds(self, quote: list[str]) -> list[str]:
        """The quote's rarest indexed words, rarest first, at most `MAX_SEEDS`."""
        indexed = {key for key in quote if key in self._postings}
        return sorted(indexed, key=lambda key: (self.frequency[key], key))[:MAX_SEEDS]

    def closest(
        self,
        quote_text: str,
        *,
        exclude: int | None = None,
        only: set[int] | None = None,
    ) -> list[ClosePassage]:
        """The closest passage to the quote in each source that holds one, best first.
        `exclude`: the quote's own source; `only`: look in these sources alone."""
        quote = word_keys(quote_text)
        if len(quote) < 2:
            return []
        seeds = self.seeds(quote)
        if not seeds:
            return []
        where: dict[str, list[int]] = defaultdict(list)
        for index, key in enumerate(quote):
            where[key].append(index)
        width = max(4, len(quote) // 2)
        owner = self._owner
        votes: dict[tuple[int, int], set[str]] = defaultdict(set)
        for key in seeds:
            first = where[key][0]
            for position in self._postings[key]:
                votes[owner[position], (position - first) // width].add(key)
        # Two seeds must agree on a place (three, for a quote with many): with half the quote's
        # words changed, about half its seeds remain.
        needed = 1 if len(seeds) == 1 else 2 if len(seeds) < 6 else 3
        per_source: dict[int, list[tuple[int, int]]] = defaultdict(list)
        empty: set[str] = set()
        for (index, bin_), keys in votes.items():
            # A bin and its neighbours: reordered words vote a bin or two away.
            count = len(
                keys | votes.get((index, bin_ - 1), empty) | votes.get((index, bin_ + 1), empty)
            )
            if count < needed:
                continue
            source_id = self._ids[index]
            if source_id == exclude or (only is not None and source_id not in only):
                continue
            per_source[source_id].append((count, bin_))
        candidates: list[tuple[int, int, int]] = []
        for source_id, bins in per_source.items():
            bins.sort(reverse=True)
            candidates.extend((count, source_id, bin_) for count, bin_ in bins[:_BINS_PER_SOURCE])
        candidates.sort(reverse=True)
        best: dict[int, ClosePassage] = {}
        for _, source_id, bin_ in candidates[:_MAX_CANDIDATES]:
            passage = self._passage(quote, where, source_id, bin_ * width, width, len(seeds))
            if passage is None:
                continue
            held = best.get(source_id)
            if held is None or passage.share > held.share:
                best[source_id] = passage
        return sorted(best.values(), key=lambda p: (-p.share, p.source_id))

    def _passage(
        self,
        quote: list[str],
        where: dict[str, list[int]],
        source_id: int,
        anchor: int,
        width: int,
        seed_count: int,
    ) -> ClosePassage | None:
        low, high = self._source_range[source_id]
        n = len(quote)
        lo = max(low, anchor - width - n // 2)
        hi = min(high, anchor + width + n + n // 2)
        region = self._keys[lo:hi]
        if not region:
            return None
        # The quote word for word (typography aside) wins outright.
        matcher = difflib.SequenceMatcher(a=region, b=quote, autojunk=False)
        block = max(matcher.get_matching_blocks(), key=lambda b: b.size)
        if block.size == n:
            return self._make(source_id, lo + block.a, lo + block.a + n, quote, n)
        # Otherwise, the run with the most of the quote's words and the fewest others.
        bag = Counter(quote)
        ratio, run = 0.5, None
        for _ in range(5):
            found = _best_run(region, bag, ratio / (2 - ratio))
            if found is None:
                break
            dice = 2 * found[2] / (n + found[1] - found[0])
            run = found
            if dice <= ratio + 1e-9:
                break
            ratio = dice
        if run is None or run[2] < 2:
            return None
        best_start, best_end = _trim(region, bag, n, run[0], run[1])
        start, end = lo + best_start, lo + best_end
        # Widen by the quote's words before its first and after its last word in the passage,
        # as they line up in order, without crossing the end of a sentence.
        blocks = [
            b
            for b in difflib.SequenceMatcher(
                a=region[best_start:best_end], b=quote, autojunk=False
            ).get_matching_blocks()
            if b.size
        ]
        if not blocks:
            return None
        head = max(0, blocks[0].b - blocks[0].a)
        tail = max(
            0,
            (n - blocks[-1].b - blocks[-1].size)
            - (best_end - best_start - blocks[-1].a - blocks[-1].size),
        )
        text = self._texts[source_id]
        for _ in range(head):
            if start - 1 < low:
                break
            between = text[self._ends[start - 1] : self._starts[start]]
            if _SENTENCE_END.search(between):
                break
            start -= 1
        for _ in range(tail):
            if end >= high:
                break
            between = text[self._ends[end - 1] : self._starts[end]]
            if _SENTENCE_END.search(between):
                break
            end += 1
        if end - start > 2 * n + 4:
            return None
        found = Counter(self._keys[start:end]) & bag
        rare = sum(1 for key in found if key in self._postings)
        share = found.total() / n
        if share < MIN_SHARE or rare < min(2, seed_count):
            return None
        return self._make(source_id, start, end, quote, found.total())

    def _make(self, source_id: int, start: int, end: int, quote: list[str], found: int):
        text = self._texts[source_id]
        first, last = self._starts[start], self._ends[end - 1]
        return ClosePassage(
            source_id=source_id,
            start=first,
            end=last,
            text=text[first:last],
            share=round(found / len(quote), 3),
            same_words=self._keys[start:end] == quote,
        )


def _best_run(region: list[str], bag: Counter[str], penalty: float):
    """The run of `region` with the highest sum of +1 per word of the quote (each counted as often
    as the quote has it) and -`penalty` per other word: (start, end, words of the quote)."""
    used: Counter[str] = Counter()
    score = best_score = 0.0
    matched = best_matched = 0
    run_start = best_start = best_end = 0
    for i, key in enumerate(region):
        if used[key] < bag[key]:
            used[key] += 1
            score += 1
            matched += 1
        else:
            score -= penalty
        if score <= 0:
            score, matched, run_start = 0.0, 0, i + 1
            used.clear()
        elif score > best_score:
            best_score, best_start, best_end, best_matched = score, run_start, i + 1, matched
    return (best_start, best_end, best_matched) if best_matched else None


def _trim(region: list[str], bag: Counter[str], n: int, start: int, end: int) -> tuple[int, int]:
    """Cut words off either end of region[start:end] while that brings its words closer to the
    quote's (Dice: twice the shared words over both lengths): a word the quote has once, which
    the run took at its first occurrence, may stand again further in."""
    counts = Counter(region[start:end])
    matched = (counts & bag).total()

    def dice(m: int, length: int) -> float:
        return 2 * m / (n + length)

    best, best_start, m = dice(matched, end - start), start, matched
    for k in range(start, end - 1):
        key = region[k]
        if counts[key] <= bag[key]:
            m -= 1
        counts[key] -= 1
        if dice(m, end - k - 1) > best:
            best, best_start = dice(m, end - k - 1), k + 1
    counts = Counter(region[best_start:end])
    m = (counts & bag).total()
    best_end = end
    for k in range(end - 1, best_start, -1):
        key = region[k]
        if counts[key] <= bag[key]:
            m -= 1
        counts[key] -= 1
        if dice(m, k - best_start) > best:
            best, best_end = dice(m, k - best_start), k
    return best_start, best_end


def compare_wording(quote: str, passage: str) -> Comparison:
    """How `passage` words what `quote` says: SAME, TYPOGRAPHY, or CONFLICT (other words), with a
    word diff `[-the quote's-] {+the passage's+}` and both sides' words, changed runs marked."""
    a, ja = _tokens(quote)
    b, jb = _tokens(passage)
    ka, kb = [_align_key(w) for w in a], [_align_key(w) for w in b]
    if ka == kb:
        typography = any(x != y for x, y in zip(a, b, strict=True)) or ja != jb
        return Comparison(
            TYPOGRAPHY if typography else SAME,
            None,
            _segments(a, ja, [(0, len(a), False)]),
            _segments(b, jb, [(0, len(b), False)]),
        )
    out: list[str] = []
    spans_a: list[tuple[int, int, bool]] = []
    spans_b: list[tuple[int, int, bool]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ka, b=kb, autojunk=False).get_opcodes():
        changed = op != "equal"
        spans_a.append((i1, i2, changed))
        spans_b.append((j1, j2, changed))
        if not changed:
            out.append(_join(b, jb, j1, j2))
            continue
        if i2 > i1:
            out.append("[-" + _join(a, ja, i1, i2) + "-]")
        if j2 > j1:
            out.append("{+" + _join(b, jb, j1, j2) + "+}")
    return Comparison(CONFLICT, " ".join(out), _segments(a, ja, spans_a), _segments(b, jb, spans_b))
