"""Checking a quote against the stored copy of its source.

A quote is anchored by character offsets [start, end) into its source's text. The check compares
the quote's words with the passage at those offsets:

- `exact`: the same characters;
- `normalized`: equal once typography is normalised: curly and straight quotation marks, dashes,
  ellipses, ligatures (a PDF's "ﬁ" for "fi"), runs of white space, and the case of the first
  letter (a quote that starts a sentence in a briefing may capitalise a word the source has in
  mid-sentence);
- `altered`: close but different, with a word-level diff;
- `not_found`: the passage says something else, or the source is gone.

If the passage at the offsets does not match, the quote is looked for elsewhere in the source, so
that a quote whose offsets went stale is still recognised (and reported with where it was found).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

EXACT = "exact"
NORMALIZED = "normalized"
ALTERED = "altered"
NOT_FOUND = "not_found"
STATUSES = (EXACT, NORMALIZED, ALTERED, NOT_FOUND)

# What each status says to a user, in words (never colour alone).
STATUS_LABELS = {
    EXACT: "Verified: matches the source exactly",
    NORMALIZED: "Verified: matches the source except for typography",
    ALTERED: "Altered: differs from the source",
    NOT_FOUND: "Not found in the source",
}

# Words that must change for a passage to count as "altered" rather than "not found".
_ALTERED_MIN_RATIO = 0.6

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": "...",
        # Ligatures, as PDF text extraction often gives them ("oﬃcers" for "officers").
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
    }
)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The text with typography folded: what two faithful copies of the same words share."""
    folded = _SPACES.sub(" ", text.translate(_TYPOGRAPHY)).strip()
    return folded[:1].lower() + folded[1:]


@dataclass(frozen=True)
class Verification:
    status: str
    diff: str | None = None  # word-level: "[-removed-]{+added+}" marks, for `altered`
    found_at: tuple[int, int] | None = None  # where the words are, if not at the offsets

    @property
    def verified(self) -> bool:
        return self.status in (EXACT, NORMALIZED)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def word_diff(expected: str, actual: str) -> str:
    """Mark how `actual` differs from `expected`, word by word: [-gone-] and {+new+}."""
    old, new = expected.split(), actual.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(old[i1:i2])
            continue
        if i2 > i1:
            out.append("[-" + " ".join(old[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(new[j1:j2]) + "+}")
    return " ".join(out)


def verify_quote(text: str, source_text: str | None, start: int, end: int) -> Verification:
    """Compare a quote with the passage of `source_text` at [start, end)."""
    if source_text is None:
        return Verification(NOT_FOUND)
    passage = source_text[start:end]
    if text == passage:
        return Verification(EXACT)
    if normalize(text) == normalize(passage):
        return Verification(NORMALIZED)

    # The offsets may be stale: look for the words elsewhere before judging them.
    elsewhere = source_text.find(text)
    if elsewhere >= 0:
        return Verification(EXACT, found_at=(elsewhere, elsewhere + len(text)))

    similarity = difflib.SequenceMatcher(
        a=normalize(passage), b=normalize(text), autojunk=False
    ).ratio()
    if passage and similarity >= _ALTERED_MIN_RATIO:
        return Verification(ALTERED, diff=word_diff(passage, text))
    return Verification(NOT_FOUND)


def verify_span(
    text: str, window_start: int, window: str, start: int, end: int
) -> Verification | None:
    """A quote checked against a stretch of its source (`window`, which starts at offset
    `window_start` of the text): exact or normalized when the window holds its offsets and the
    words there match; None when that cannot be told without the whole text."""
    if start < window_start or end > window_start + len(window):
        return None
    passage = window[start - window_start : end - window_start]
    if text == passage:
        return Verification(EXACT)
    if normalize(text) == normalize(passage):
        return Verification(NORMALIZED)
    return None


# -- across sources ----------------------------------------------------------------------------
#
# Two quotes from different sources that say nearly the same thing are compared word by word.
# Words are aligned on their typographic fold (quotation marks around a word and the case of the
# first word do not count); only the stretch both quotes cover is compared, since quoting less (or
# more) of a statement is not misquoting it. Punctuation that ends a quote (".", ",", ";",
# ":") is how a report fits the words into its own sentence ("... dialogue," she said), so it does
# not count either, nor does hyphenation ("facial-recognition" for "facial recognition"). Anything
# else that differs makes the two a conflict.

SAME = "same"
TYPOGRAPHY = "typography"
CONFLICT = "conflict"

# Share of the shorter quote's words that must appear in the other for the two to be "the same
# words, reported twice" rather than two different statements.
_SAME_WORDS_MIN_SHARE = 0.6
_HYPHEN = re.compile(r"(?<=\w)([-\u2010\u2011])(?=\w)")
_QUOTE_MARKS = "\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb"


@dataclass(frozen=True)
class Segment:
    """A run of words of one quote, and whether the other quote has it differently."""

    text: str
    changed: bool


@dataclass(frozen=True)
class Comparison:
    kind: str  # SAME, TYPOGRAPHY or CONFLICT
    diff: str | None  # how the second quote differs from the first: [-first's-]{+second's+}
    first: tuple[Segment, ...]  # the first quote's compared words, changed runs marked
    second: tuple[Segment, ...]

    @property
    def conflict(self) -> bool:
        return self.kind == CONFLICT


def _fold_word(word: str) -> str:
    return word.translate(_TYPOGRAPHY).strip(_QUOTE_MARKS)


def _align_key(word: str) -> str:
    # Words are lined up on their letters; punctuation then decides whether they differ.
    return _fold_word(word).rstrip(".,;:!?").strip(_QUOTE_MARKS).casefold()


def _strict_keys(words: list[str]) -> list[str]:
    keys = [_fold_word(w) for w in words]
    if keys:
        keys[0] = keys[0][:1].lower() + keys[0][1:]
        keys[-1] = keys[-1].rstrip(".,;:").strip(_QUOTE_MARKS)
    return keys


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """The words of a quote, splitting hyphenated ones, and what joined each to the one before
    (a space or the hyphen), so that the words are shown as the quote has them."""
    words: list[str] = []
    joiners: list[str] = []
    between = ""
    for chunk in text.split():
        # A free-standing dash or ellipsis is punctuation between words, not a word: it joins
        # the next word to the one before, so that a dash one report adds is typography.
        if not any(c.isalnum() for c in chunk):
            between += chunk + " "
            continue
        parts = _HYPHEN.split(chunk)
        words.append(parts[0])
        joiners.append(" " + between if between else " ")
        between = ""
        for hyphen, word in zip(parts[1::2], parts[2::2], strict=True):
            words.append(word)
            joiners.append(hyphen)
    return words, joiners


def _join(words: list[str], joiners: list[str], i: int, j: int) -> str:
    return "".join((joiners[k] if k > i else "") + words[k] for k in range(i, j))


def _segments(
    words: list[str], joiners: list[str], spans: list[tuple[int, int, bool]]
) -> tuple[Segment, ...]:
    merged: list[tuple[int, int, bool]] = []
    for i, j, changed in spans:
        if j <= i:
            continue
        if merged and merged[-1][2] == changed and merged[-1][1] == i:
            merged[-1] = (merged[-1][0], j, changed)
        else:
            merged.append((i, j, changed))
    return tuple(Segment(_join(words, joiners, i, j), changed) for i, j, changed in merged)


def comparable_words(text: str) -> Counter[str]:
    """The words `compare_quotes` aligns, counted, for a quick test before aligning them."""
    return Counter(_align_key(w) for w in _tokens(text)[0])


def could_be_same_words(first: Counter[str], second: Counter[str]) -> bool:
    """False when `compare_quotes` would certainly find two quotes to be different statements:
    they do not share enough words, even in the best order."""
    needed = max(2, _SAME_WORDS_MIN_SHARE * min(first.total(), second.total()))
    # The words both have, counted as `(first & second).total()` counts them, but found by a
    # set intersection: most pairs share a few words, and a card's details test thousands.
    common = first.keys() & second.keys()
    if not common:
        return False
    shared = sum(map(min, map(first.__getitem__, common), map(second.__getitem__, common)))
    return shared >= needed


# Words that one quote has in place of the other's at either end are compared; a few more of
# the longer side are kept so that "by police" against "by domestic law enforcement agencies"
# shows whole, without marking the rest of a long passage as missing.
_EDGE_SLACK = 4


def _overlap(a: list[str], b: list[str], blocks) -> tuple[slice, slice]:
    """Both quotes cut to the stretch they both cover: words beyond the other's ends are context
    the other quote did not include, not a difference."""
    first, last = blocks[0], blocks[-1]
    head_a, head_b = first.a, first.b
    if not head_a or not head_b:
        head_a = head_b = 0
    head_a, head_b = min(head_a, head_b + _EDGE_SLACK), min(head_b, head_a + _EDGE_SLACK)
    tail_a, tail_b = len(a) - (last.a + last.size), len(b) - (last.b + last.size)
    if not tail_a or not tail_b:
        tail_a = tail_b = 0
    tail_a, tail_b = min(tail_a, tail_b + _EDGE_SLACK), min(tail_b, tail_a + _EDGE_SLACK)
    return (
        slice(first.a - head_a, last.a + last.size + tail_a),
        slice(first.b - head_b, last.b + last.size + tail_b),
    )


def compare_quotes(first: str, second: str) -> Comparison | None:
    """How `second` reports the words of `first`; None when they are not the same words."""
    # "facial-recognition" and "facial recognition" are the same words, hyphenated or not.
    a, ja = _tokens(first)
    b, jb = _tokens(second)
    if not a or not b:
        return None
    matcher = difflib.SequenceMatcher(
        a=[_align_key(w) for w in a], b=[_align_key(w) for w in b], autojunk=False
    )
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    shared = sum(block.size for block in blocks)
    if not blocks or shared < max(2, _SAME_WORDS_MIN_SHARE * min(len(a), len(b))):
        return None
    cut_a, cut_b = _overlap(a, b, blocks)
    a, ja, b, jb = a[cut_a], ja[cut_a], b[cut_b], jb[cut_b]
    sa, sb = _strict_keys(a), _strict_keys(b)

    kind = SAME
    out: list[str] = []
    spans_a: list[tuple[int, int, bool]] = []
    spans_b: list[tuple[int, int, bool]] = []

    def differ(i1: int, i2: int, j1: int, j2: int) -> None:
        if i2 > i1:
            out.append("[-" + _join(a, ja, i1, i2) + "-]")
        if j2 > j1:
            out.append("{+" + _join(b, jb, j1, j2) + "+}")
        spans_a.append((i1, i2, True))
        spans_b.append((j1, j2, True))

    opcodes = difflib.SequenceMatcher(
        a=[_align_key(w) for w in a], b=[_align_key(w) for w in b], autojunk=False
    ).get_opcodes()
    for op, i1, i2, j1, j2 in opcodes:
        if op != "equal":
            kind = CONFLICT
            differ(i1, i2, j1, j2)
            continue
        for offset in range(i2 - i1):
            i, j = i1 + offset, j1 + offset
            if sa[i] != sb[j]:  # the same letters, other punctuation or capitals
                kind = CONFLICT
                differ(i, i + 1, j, j + 1)
                continue
            hyphenation = offset > 0 and ja[i] != jb[j]
            if (a[i] != b[j] or hyphenation) and kind == SAME:
                kind = TYPOGRAPHY
            if offset > 0 and jb[j] != " " and out:
                out[-1] += jb[j] + b[j]
            else:
                out.append(b[j])
            spans_a.append((i, i + 1, False))
            spans_b.append((j, j + 1, False))
    return Comparison(
        kind=kind,
        diff=" ".join(out) if kind == CONFLICT else None,
        first=_segments(a, ja, spans_a),
        second=_segments(b, jb, spans_b),
    )
