"""Converting between quote offsets (Python characters) and QTextDocument positions.

A quote's offsets count Python `str` characters (code points) of the stored text. A
QTextDocument counts UTF-16 code units, and it turns line ends into block separators of one
position each. So the two disagree on:

- characters outside the Basic Multilingual Plane (emoji, many CJK extensions): one Python
  character, two document positions;
- a Windows line end "\\r\\n": two Python characters, one document position (and a lone "\\r" is
  a line end too);
- characters Qt reserves for its own structure (U+FDD0, U+FDD1 frame marks, U+FFFC object
  replacement): shown as U+FFFD so that they cannot break the document's structure.

`TextPositions` builds the text the reader shows and both maps; the property test in
`tests/sources/test_text_positions.py` checks them against a real QTextDocument with emoji,
combining marks, right-to-left text and CRLF line ends. This module has no Qt import: it is
arithmetic on strings.
"""

from __future__ import annotations

import re
from bisect import bisect_left

# Characters a QTextDocument would not keep as they are, shown as U+FFFD: two that Qt uses for
# itself, the object replacement character, and U+FFFE, which setPlainText() takes for a
# byte-swapped byte order mark at the start of the text (and then swaps the bytes of the rest).
_REPLACED = re.compile("[\ufdd0\ufdd1\ufffc\ufffe]")
# A leading U+FEFF is taken for a byte order mark and dropped: shown as a word joiner, the
# same invisible no-break, so that positions still count alike.
_LEADING_BOM, _WORD_JOINER = "\ufeff", "\u2060"
_LINE_END = re.compile("\r\n?")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class TextPositions:
    """Both maps, kept as the few places where they stop counting alike (each astral character
    and each "\r\n"), so that a 50 MB source costs a few regex passes, not a loop in Python
    over every character: between those places a position and an offset move together."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Python indices of characters taking two positions, and of the "\n" of each "\r\n",
        # which takes none.
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        self._crlf = [m.start() + 1 for m in re.finditer("\r\n", text)]
        shown = _LINE_END.sub("\n", text) if "\r" in text else text
        shown = _REPLACED.sub("\ufffd", shown)
        if shown.startswith(_LEADING_BOM):
            shown = _WORD_JOINER + shown[1:]
        self.display = shown

    @property
    def length(self) -> int:
        """The document's length in positions (what `characterCount() - 1` reports)."""
        return self.to_document(len(self.text))

    def to_document(self, offset: int) -> int:
        """The document position of a Python offset into the text."""
        offset = max(0, min(offset, len(self.text)))
        return offset + bisect_left(self._astral, offset) - bisect_left(self._crlf, offset)

    def to_offset(self, position: int) -> int:
        """The Python offset of a document position: the last character at or before it. A
        position inside a surrogate pair belongs to its character; where "\r\n" shares one
        position with the next line's first character, that character wins, so a position at
        the start of a line means the line's first character."""
        position = max(0, min(position, self.length))
        low, high = 0, len(self.text)  # the answer is the largest i with to_document(i) <= p
        while low < high:
            middle = (low + high + 1) // 2
            if self.to_document(middle) <= position:
                low = middle
            else:
                high = middle - 1
        return low

    def span_to_document(self, start: int, end: int) -> tuple[int, int]:
        return self.to_document(start), self.to_document(end)

    def span_to_offsets(self, start: int, end: int) -> tuple[int, int]:
        """A document selection as Python offsets; a selection ending inside a surrogate pair
        takes the whole character."""
        begin, finish = self.to_offset(start), self.to_offset(end)
        if finish < len(self.text) and self.to_document(finish) < end:
            finish += 1
        return begin, finish


class WindowPositions:
    """The maps of `TextPositions` for a window [start, end) of a long text, of which the reader
    shows only that stretch: offsets stay offsets into the whole text, and positions are the
    shown document's. An offset outside the window is taken to the window's nearer edge (ask
    `covers` first). `text` is the whole text."""

    def __init__(self, text: str, start: int = 0, end: int | None = None) -> None:
        self.text = text
        self.start = max(0, min(start, len(text)))
        self.end = len(text) if end is None else max(self.start, min(end, len(text)))
        self._inner = TextPositions(text[self.start : self.end])

    @property
    def display(self) -> str:
        return self._inner.display

    @property
    def length(self) -> int:
        return self._inner.length

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end == len(self.text)

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    def to_document(self, offset: int) -> int:
        return self._inner.to_document(offset - self.start)

    def to_offset(self, position: int) -> int:
        return self.start + self._inner.to_offset(position)

    def span_to_document(self, start: int, end: int) -> tuple[int, int]:
        return self.to_document(start), self.to_document(end)

    def span_to_offsets(self, start: int, end: int) -> tuple[int, int]:
        begin, finish = self._inner.span_to_offsets(start, end)
        return self.start + begin, self.start + finish


def cut_after(text: str, offset: int, reach: int = 4_000) -> int:
    """Where to end a window at or after `offset`: after the next line end within `reach`
    characters, else at `offset` itself but never between "\\r" and "\\n"."""
    if offset >= len(text):
        return len(text)
    offset = max(0, offset)
    found = text.find("\n", offset, offset + reach)
    if found >= 0:
        return found + 1
    return offset + 1 if text[offset - 1 : offset + 1] == "\r\n" else offset


def cut_before(text: str, offset: int, reach: int = 4_000) -> int:
    """Where to start a window at or before `offset`: after the line end before it within
    `reach` characters, else at `offset` itself but never between "\\r" and "\\n"."""
    if offset <= 0:
        return 0
    offset = min(offset, len(text))
    found = text.rfind("\n", max(0, offset - reach), offset)
    if found >= 0:
        return found + 1
    return offset - 1 if text[offset - 1 : offset + 1] == "\r\n" else offset
