"""Checking a quote against the stored copy of its source.

A quote is anchored by character offsets [start, end) into its source's text. The check compares
the quote's words with the passage at those offsets:

- `exact`: the same characters;
- `normalized`: equal once typography is normalised: curly and straight quotation marks, dashes,
  ellipses, runs of white space, and the case of the first letter (a quote that starts a sentence
  in a briefing may capitalise a word the source has in mid-sentence);
- `altered`: close but different, with a word-level diff;
- `not_found`: the passage says something else, or the source is gone.

If the passage at the offsets does not match, the quote is looked for elsewhere in the source, so
that a quote whose offsets went stale is still recognised (and reported with where it was found).
"""

from __future__ import annotations

import difflib
import re
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
