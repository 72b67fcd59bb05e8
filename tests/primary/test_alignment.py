"""Word-level alignment: the closest passage survives rewording, reordering, drops and additions."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from briefing.core.alignment import (
    BAND,
    CHANCE,
    POSTINGS_BUDGET,
    PassageIndex,
    compare_wording,
)

DATA = Path(__file__).parent.parent / "data" / "primary"
LETTER = (DATA / "ibm-letter-2020-06-08.txt").read_text(encoding="utf-8")

FILLER = (
    "The council met on Tuesday to discuss parking, the library budget and a new bus route. "
    "Residents asked about potholes on the high street and the timing of the summer fair. "
)


def _index() -> PassageIndex:
    return PassageIndex([(1, FILLER * 20), (2, LETTER), (3, FILLER * 5)])


def test_the_demo_reworded_quote_finds_the_letters_words():
    quote = (
        "now not affords common objective IBM facial recognition or evaluation software program."
    )
    [passage] = _index().closest(quote)
    assert passage.source_id == 2
    assert passage.text == (
        "no longer offers general purpose IBM facial recognition or analysis software"
    )
    assert not passage.same_words
    compared = compare_wording(quote, passage.text)
    assert compared.conflict
    assert "{+no longer offers general purpose+}" in compared.diff
    assert "[-evaluation-] {+analysis+}" in compared.diff


def test_an_exact_quote_is_the_same_words_at_its_offsets():
    words = "IBM firmly opposes and will not condone uses of any technology"
    [passage] = _index().closest(words)
    assert passage.same_words and passage.share == 1.0
    assert LETTER[passage.start : passage.end] == words


def test_typography_and_case_are_not_rewording():
    quote = "we believe now is the time to begin a national dialogue on whether and how "
    quote += "facial-recognition technology should be employed"
    [passage] = _index().closest(quote)
    assert passage.same_words
    assert not compare_wording(quote, passage.text).conflict


def test_reordered_dropped_and_added_words_are_found():
    quote = (
        "opposes firmly IBM and will not condone any technology use, including facial "
        "recognition offered by other vendors, for surveillance of the masses"
    )
    [passage] = _index().closest(quote)
    assert passage.source_id == 2
    assert passage.text.startswith("IBM firmly opposes")
    assert "mass surveillance" in passage.text


@pytest.mark.parametrize("seed", range(20))
def test_half_the_words_changed_is_still_found(seed):
    rng = random.Random(seed)
    words = LETTER.split()
    start = rng.randrange(20, len(words) - 30)
    original = words[start : start + rng.randrange(10, 24)]
    changed = list(original)
    for i in rng.sample(range(len(changed)), len(changed) // 2):
        changed[i] = rng.choice(["zebra", "quantum", "parsnip", "velvet", "gravel", "lantern"])
    found = _index().closest(" ".join(changed))
    assert found and found[0].source_id == 2
    passage = found[0]
    # The passage overlaps the original words, not somewhere else in the letter.
    where = re.search(r"\s+".join(map(re.escape, original)), LETTER)
    assert passage.start < where.end() and passage.end > where.start()
    assert passage.share >= 0.4


def test_unrelated_words_find_nothing():
    assert _index().closest("the price of tomatoes in the market rose sharply this week") == []
    assert _index().closest("IBM") == []  # one word is too little to align


def test_own_source_is_excluded_and_only_limits_the_search():
    words = "general purpose IBM facial recognition or analysis software"
    assert _index().closest(words, exclude=2) == []
    assert _index().closest(words, only={1, 3}) == []
    assert [p.source_id for p in _index().closest(words, only={2})] == [2]


def test_the_index_keeps_no_postings_for_very_common_words():
    index = PassageIndex([(1, "the " * 5000 + "rare words here")])
    assert "the" not in index.seeds(["the", "rare"])
    assert index.seeds(["the", "rare"]) == ["rare"]


def test_offsets_are_the_stored_texts_with_ligatures_and_curly_quotes():
    text = "Intro. The o\ufb03cers\u2019 “unit” said something fine about o\ufb03cers today."
    index = PassageIndex([(7, text)])
    [passage] = index.closest("the officers' unit said something nice about officers")
    assert text[passage.start : passage.end] == passage.text
    assert passage.text.startswith("The o\ufb03cers")


# -- a speaker's primary documents, read whole; chance; bounded work -----------------------------

_PROSE = random.Random(3)
_VOCAB = [
    "".join(_PROSE.choices("bdfklmnprstvz", k=1) + _PROSE.choices("aeiou", k=1)) * 2 + str(i)
    for i in range(3000)
]


def _document(rng: random.Random, words: int) -> list[str]:
    """Made-up prose whose word frequencies fall off like a language's (Zipf)."""
    weights = [1 / (rank + 1) for rank in range(len(_VOCAB))]
    return rng.choices(_VOCAB, weights, k=words)


def _short_rewording(seed: int):
    """Three documents of 3,000 words; a quote of 8-10 words, reworded with half its words
    changed, planted in document 2; the quote as the report has it; the planted words."""
    rng = random.Random(seed)
    docs = {sid: _document(rng, 3000) for sid in (1, 2, 3)}
    original = _document(rng, rng.randint(8, 10))
    changed = list(original)
    for i in rng.sample(range(len(changed)), len(changed) // 2):
        changed[i] = rng.choice(["zebra", "quantum", "parsnip", "velvet", "gravel", "lantern"])
    at = rng.randrange(100, 2900)
    docs[2][at:at] = ["\n\n", *original, "\n\n"]
    return docs, " ".join(changed), " ".join(original)


@pytest.mark.parametrize("seed", range(30))
def test_a_short_quote_half_reworded_is_found_in_the_speakers_documents(seed):
    """The rare-word index needs two rare words to agree; a speaker's few primary documents are
    read whole instead, so a short quote left with one rare word is still found (`only`)."""
    docs, quote, original = _short_rewording(seed)
    index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
    found = index.closest(quote, only={1, 2, 3})
    words, planted = quote.split(), original.split()
    kept = sum(index.weight(a) for a, b in zip(words, planted, strict=True) if a == b)
    scope = sum(map(len, docs.values()))
    if (
        min(
            index.expected_by_chance(words, kept, scope),
            index.expected_by_chance(words, kept, scope, frame=True),
        )
        > CHANCE
    ):
        # What the quote kept could be in place by chance (common words only): not claimed.
        assert all(p.source_id != 2 or p.share >= 0.4 for p in found)
        return
    assert [p.source_id for p in found][:1] == [2]
    assert set(original.split()) & set(found[0].text.split())


def test_most_short_half_reworded_quotes_are_found():
    found = 0
    for seed in range(40):
        docs, quote, _ = _short_rewording(seed)
        index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
        found += any(p.source_id == 2 for p in index.closest(quote, only={1, 2, 3}))
    assert found >= 30  # the rest kept only common words (see the benchmark for the figures)


@pytest.mark.parametrize("seed", range(30))
def test_a_quote_sharing_a_few_words_by_chance_is_not_matched(seed):
    """Made-up prose of the same words, with two words of one passage of the document in it:
    it shares common words everywhere and two rare ones with one place, and must find nothing."""
    rng = random.Random(1000 + seed)
    docs = {sid: _document(rng, 3000) for sid in (1, 2, 3)}
    words = _document(rng, rng.randint(8, 30))
    at = rng.randrange(0, 2970)
    picked = sorted(rng.sample(range(at, at + 30), 2))
    for place, taken in zip(sorted(rng.sample(range(len(words)), 2)), picked, strict=True):
        words[place] = docs[2][taken]
    index = PassageIndex((sid, " ".join(w)) for sid, w in docs.items())
    assert index.closest(" ".join(words), only={1, 2, 3}) == []
    assert index.closest(" ".join(words)) == []


def test_the_seeds_of_a_quote_have_bounded_postings():
    common = " ".join(f"w{i % 40}" for i in range(200_000))
    index = PassageIndex([(1, common + " rare1 rare2 rare3")])
    quote = [f"w{i}" for i in range(12)] + ["rare1", "rare2"]
    seeds = index.seeds(quote)
    assert seeds[:2] == ["rare1", "rare2"]
    assert sum(index.frequency[key] for key in seeds[2:]) <= POSTINGS_BUDGET


def _planted(seed: int, length: int):
    """Three documents of 3,000 words, a passage of `length` words planted in document 2."""
    rng = random.Random(seed)
    docs = {sid: _document(rng, 3000) for sid in (1, 2, 3)}
    passage = _document(rng, length)
    docs[2][1500:1500] = ["\n\n", *passage, "\n\n"]
    return rng, docs, passage


@pytest.mark.parametrize("seed", range(10))
def test_a_rewording_with_words_dropped_and_added_is_found_in_place(seed):
    """Words dropped and added shift the rest of the quote by a word or two: words one or two
    off their place still count, so the passage is found, and all of it."""
    rng, docs, passage = _planted(seed, 16)
    quote = list(passage)
    del quote[3]  # a word dropped
    quote.insert(9, "moreover")  # one added
    quote[12] = "parsnip"  # one changed
    del quote[5]
    index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
    [found] = index.closest(" ".join(quote), only={1, 2, 3})
    assert found.source_id == 2
    assert found.text.split()[0] == passage[0] and found.text.split()[-1] == passage[-1]


@pytest.mark.parametrize("seed", range(10))
def test_a_quote_with_its_two_halves_swapped_is_found(seed):
    """Reordered: each half keeps its own words in order, and one half is enough."""
    _, docs, passage = _planted(100 + seed, 20)
    quote = passage[10:] + passage[:10]
    index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
    found = index.closest(" ".join(quote), only={1, 2, 3})
    assert [p.source_id for p in found] == [2]


def test_the_tail_of_chance_is_never_below_what_chance_gives():
    """The exact sum (`_Tail`) against drawing each word's place at random, and Chernoff's
    bound above it: the bar a primary-document passage must clear is never too low."""
    from briefing.core.alignment import _SHIFT_COST, _Tail

    rng = random.Random(5)
    weights = {f"w{i}": w for i, w in enumerate([0.8, 1.5, 2.2, 3.0, 4.1, 5.5, 6.0, 7.3])}
    quote = [*weights, "w2", "w0"]
    tail = _Tail(quote, weights)
    draws, hits = 100_000, Counter()
    for _ in range(draws):
        total = 0.0
        for key in quote:
            w = weights[key]
            p = math.exp(-w)
            for k in range(BAND + 1):  # nearest of the places 0, +-1, +-2 holding the word
                if rng.random() < (p if k == 0 else 1 - (1 - p) ** 2):
                    total += max(0.0, w - _SHIFT_COST[k])
                    break
        for s in (4, 8, 12, 16):
            hits[s] += total >= s
    previous = 1.0
    for s in (4, 8, 12, 16):
        exact = tail(s)
        assert hits[s] / draws <= exact * 1.1 + 3e-4, (s, hits[s] / draws, exact)
        assert exact <= tail.bound(s) + 1e-12 and exact <= previous
        previous = exact


def _synonym_rewording(seed: int):
    """As `_short_rewording`, but each changed word is another word of the documents' own
    vocabulary of about the same frequency (a synonym), as a report's rewording has it."""
    rng = random.Random(seed)
    docs = {sid: _document(rng, 3000) for sid in (1, 2, 3)}
    original = _document(rng, rng.randint(8, 10))
    changed = list(original)
    for i in rng.sample(range(len(changed)), len(changed) // 2):
        rank = _VOCAB.index(changed[i])
        changed[i] = _VOCAB[rank ^ 1]  # ranks 2k and 2k + 1: about as common
    at = rng.randrange(100, 2900)
    docs[2][at:at] = ["\n\n", *original, "\n\n"]
    return docs, " ".join(changed), " ".join(original)


def test_the_frame_alone_finds_a_substitution_the_slack_test_cannot():
    """Kept words exactly in place (a word-for-word substitution) are far less likely by chance
    than in order with slack: the frame is tested on its own, at half the bar (Bonferroni), and
    finds rewordings the slack test alone leaves. Fails when only the slack test is made."""
    frame_only = 0
    for seed in range(200):
        docs, quote, original = _synonym_rewording(seed)
        index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
        words, planted = quote.split(), original.split()
        kept = sum(index.weight(a) for a, b in zip(words, planted, strict=True) if a == b)
        scope = sum(map(len, docs.values()))
        frame = index.expected_by_chance(words, kept, scope, frame=True)
        slack = index.expected_by_chance(words, kept, scope)
        assert frame <= max(slack * 1.0001, 1e-6)  # rarer with no slack (below 1e-6: bounds)
        if frame <= CHANCE < slack:
            frame_only += 1
            found = index.closest(quote, only={1, 2, 3})
            assert [p.source_id for p in found][:1] == [2], seed
    assert frame_only >= 3


def test_the_frames_tail_is_never_below_what_chance_gives():
    """The frame's tail (no slack) against drawing each word at random in place."""
    from briefing.core.alignment import _Tail

    rng = random.Random(6)
    weights = {f"w{i}": w for i, w in enumerate([0.8, 1.5, 2.2, 3.0, 4.1, 5.5])}
    quote = [*weights, "w1", "w0"]
    tail = _Tail(quote, weights, band=0)
    draws, hits = 100_000, Counter()
    for _ in range(draws):
        total = sum(weights[k] for k in quote if rng.random() < math.exp(-weights[k]))
        for s in (3, 6, 9):
            hits[s] += total >= s - 1e-9
    for s in (3, 6, 9):
        assert hits[s] / draws <= tail(s) * 1.1 + 3e-4, (s, hits[s] / draws, tail(s))


def test_the_priors_of_the_frames_patterns_sum_to_less_than_one():
    """The union bound of the frame in pieces holds only if the patterns' priors sum to at most
    1: every set of breaks (after which word) with every shift, for short and long quotes."""
    from itertools import combinations

    from briefing.core.alignment import _NO_BREAK, _break_prior

    for n in (2, 5, 8, 12):
        per_break = sum(_break_prior(n, d) for d in range(-3 * n, 3 * n + 1))
        total = _NO_BREAK + (1 - _NO_BREAK) * sum(
            per_break ** len(gaps) for b in range(1, n) for gaps in combinations(range(n - 1), b)
        )
        assert total <= 1.0, (n, total)
        assert _break_prior(n, 0) == 0 and _break_prior(n, 2 * n + 1) == 0


def test_chance_alone_passes_the_tests_no_more_often_than_the_bar(monkeypatch):
    """With the bar raised to 0.2, made-up quotes against made-up documents (no planting) pass
    one of the two tests about as often as the union bound allows, never more: fails if the
    frame in pieces' priors or the tails are too generous."""
    from briefing.core import alignment

    monkeypatch.setattr(alignment, "CHANCE", 0.2)
    rng = random.Random(11)
    docs = {sid: _document(rng, 1500) for sid in (1, 2)}
    index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
    trials = 300
    passed = sum(
        bool(index.closest(" ".join(_document(rng, rng.randint(8, 20))), only={1, 2}))
        for _ in range(trials)
    )
    assert passed <= trials * 0.2 * 1.3 + 5, passed


def _pieces_rewording(seed: int):
    """A quote of 8-24 words reworded as a report does: half its words (rounded down) changed,
    each changed word a synonym (about as common) or dropped, sometimes a word added, and for
    16 words or more sometimes its two clauses swapped; planted in document 2 of three. Returns
    the documents, the quote as the report has it, and where the planting starts."""
    rng = random.Random(seed)
    docs = {sid: _document(rng, 3000) for sid in (1, 2, 3)}
    original = _document(rng, rng.randint(8, 24))
    changing = set(rng.sample(range(len(original)), len(original) // 2))
    quote: list[str] = []
    for i, word in enumerate(original):
        if i not in changing:
            quote.append(word)
        elif rng.random() < 0.7:
            quote.append(_VOCAB[_VOCAB.index(word) ^ 1])
        if rng.random() < 0.04:
            quote.append(rng.choice(_VOCAB[:20]))
    if len(original) >= 16 and rng.random() < 0.3:
        cut = rng.randrange(3, len(quote) - 3)
        quote = quote[cut:] + quote[:cut]
    at = rng.randrange(100, 2900)
    docs[2][at:at] = ["\n\n", *original, "\n\n"]
    return docs, " ".join(quote), at


def test_every_rewording_distinguishable_from_chance_is_found():
    """Synonyms, dropped and added words and swapped clauses: every rewording whose true place
    chance alone would match less than the bar (`chance_at`, the strongest test at the true
    place) is found by the search, which does not know the place; and most are."""
    distinguishable = 0
    for seed in range(80):
        docs, quote, at = _pieces_rewording(seed)
        index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
        chance = index.chance_at(quote, 2, at, sum(map(len, docs.values())))
        if chance > CHANCE:
            continue
        distinguishable += 1
        found = index.closest(quote, only={1, 2, 3})
        assert 2 in [p.source_id for p in found], (seed, quote)
    assert distinguishable >= 60


def test_a_moved_clause_found_alone_gives_the_whole_passage():
    """A report that swapped a statement's clauses and reworded the clause it moved: the words
    found in place are the document's second clause, at the start of the quote, and the
    document's first clause (one word of it kept) lies before them, where the quote has no
    words left to widen by. The passage is widened the other way too, so it holds enough of the
    quote (was: dropped by the 40% share filter, the rewording missed)."""
    rng = random.Random(5)
    docs = {sid: _document(rng, 3000) for sid in (1, 2, 3)}
    statement = [f"rare{i}" for i in range(16)]
    docs[2][1500:1500] = ["\n\n", *statement, "\n\n"]
    quote = statement[10:] + [statement[0]] + [f"other{i}" for i in range(9)]
    index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
    [found] = index.closest(" ".join(quote), only={1, 2, 3})
    assert found.source_id == 2
    assert found.text.split() == statement
    assert found.share == round(7 / 16, 3)


def test_the_slack_score_is_taken_one_and_two_words_off_the_best_places(monkeypatch):
    """Words added through the quote shift the rest of it further and further: the place with
    the most words exactly in place (the first two) is not where the quote's words stand best
    with slack (two words off, where one stands in place and four one or two off). The best
    places are scored one and two words off too, so that place is found even when only the
    single best place by exact words is looked at (was: missed, and with it rewordings
    distinguishable from chance)."""
    import briefing.core.alignment as alignment

    monkeypatch.setattr(alignment, "_PLACES", 1)
    rng = random.Random(11)
    docs = {sid: _document(rng, 3000) for sid in (1, 2, 3)}
    statement = ["rare0", "rare1", "rare2", "rare3", "rare4"]
    docs[2][1500:1500] = ["\n\n", *statement, "\n\n"]
    quote = ["rare0", "rare1", "add0", "add1", "rare2", "add2", "rare3", "add3", "rare4"]
    index = PassageIndex((sid, " ".join(words)) for sid, words in docs.items())
    weights = {key: index.weight(key) for key in quote if key in index.frequency}
    low, high = index._source_range[2]
    start = low + 1500
    place, score, matched, exact = index._best_place(quote, weights, 2)
    assert max(exact, key=exact.__getitem__) == start  # rare0, rare1 in place
    assert place == start - 2
    assert score > index._score_place(quote, weights, start, low, high)[0]
    assert sorted(matched) == [0, 1, 4, 6, 8]
