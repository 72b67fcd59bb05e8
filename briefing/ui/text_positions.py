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

`TextPositions` builds the text the reader shows and both maps in one pass; the property test in
`tests/sources/test_text_positions.py` checks them against a real QTextDocument with emoji,
combining marks, right-to-left text and CRLF line ends. This module has no Qt import: it is
arithmetic on strings.
"""

from __future__ import annotations

_REPLACED = frozenset({"\ufdd0", "\ufdd1", "\ufffc"})


class TextPositions:
    def __init__(self, text: str) -> None:
        self.text = text
        shown: list[str] = []
        doc_of: list[int] = []
        position = 0
        after_cr = False
        for char in text:
            doc_of.append(position)
            if char == "\n" and after_cr:
                after_cr = False
                continue  # the "\r" before it already made the line break
            after_cr = char == "\r"
            if char == "\r":
                char = "\n"
            elif char in _REPLACED:
                char = "\ufffd"
            shown.append(char)
            position += 2 if ord(char) > 0xFFFF else 1
        doc_of.append(position)
        self.display = "".join(shown)
        self._doc_of = doc_of
        # From a document position back to a character: a position inside a surrogate pair
        # belongs to its character; where "\r\n" shares one position, the later index wins, so
        # a position at the start of a line means the line's first character.
        py_of = [0] * (position + 1)
        for index, doc in enumerate(doc_of[:-1]):
            py_of[doc] = index
            if ord(text[index]) > 0xFFFF:
                py_of[doc + 1] = index
        py_of[position] = len(text)
        self._py_of = py_of

    @property
    def length(self) -> int:
        """The document's length in positions (what `characterCount() - 1` reports)."""
        return self._doc_of[-1]

    def to_document(self, offset: int) -> int:
        """The document position of a Python offset into the text."""
        return self._doc_of[max(0, min(offset, len(self.text)))]

    def to_offset(self, position: int) -> int:
        """The Python offset of a document position."""
        return self._py_of[max(0, min(position, self.length))]

    def span_to_document(self, start: int, end: int) -> tuple[int, int]:
        return self.to_document(start), self.to_document(end)

    def span_to_offsets(self, start: int, end: int) -> tuple[int, int]:
        """A document selection as Python offsets; a selection ending inside a surrogate pair
        takes the whole character."""
        begin, finish = self.to_offset(start), self.to_offset(end)
        if finish < len(self.text) and self.to_document(finish) < end:
            finish += 1
        return begin, finish
