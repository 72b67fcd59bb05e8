"""Quote offsets (Python characters) against QTextDocument positions (UTF-16, block breaks)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor, QTextDocument

from briefing.ui.text_positions import TextPositions

PIECES = [
    "\r\n",
    "\n",
    "\r",
    " ",
    "\t",
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew, right to left
    "\u0627\u0644\u0633\u0644\u0627\u0645",  # Arabic
    "\u200f",  # right-to-left mark
    "e\u0301",  # e + combining acute accent
    "\U0001f600",  # emoji outside the BMP
    "\U0001f469\u200d\U0001f4bb",  # emoji joined by ZWJ
    "\U0001f1fa\U0001f1f8",  # flag: two regional indicators
    "\u2028",
    "\u2029",
    "\ufffc",
    "\ufdd0",
    "\ufffe",  # at the start, Qt would take it for a byte-swapped byte order mark
    "\ufeff",  # at the start, Qt would drop it as a byte order mark
]
TEXTS = st.lists(
    st.one_of(st.sampled_from(PIECES), st.characters(blacklist_categories=("Cs",))),
    min_size=1,
    max_size=40,
).map("".join)


def document_text(document: QTextDocument, start: int, end: int) -> str:
    cursor = QTextCursor(document)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\u2029", "\n")


def as_shown(text: str, *, leading: bool = True) -> str:
    """`text` as the reader shows it; `leading`: it begins the document (where a U+FEFF is shown
    as a word joiner, since Qt would drop it as a byte order mark)."""
    shown = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")
    for reserved in ("\ufdd0", "\ufdd1", "\ufffc", "\ufffe"):
        shown = shown.replace(reserved, "\ufffd")
    return "\u2060" + shown[1:] if leading and shown.startswith("\ufeff") else shown


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, data=st.data())
def test_offsets_and_document_positions_select_the_same_characters(qapp, text, data):
    positions = TextPositions(text)
    document = QTextDocument()
    document.setPlainText(positions.display)
    assert document.characterCount() - 1 == positions.length

    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    doc_start, doc_end = positions.span_to_document(start, end)
    expected = as_shown(text[start:end], leading=start == 0)
    if 0 < start < len(text) and text[start] == "\n" and text[start - 1] == "\r":
        expected = expected[1:]  # the "\r" before it made the line break
    assert document_text(document, doc_start, doc_end) == expected
    # Back again: a Python offset survives the round trip (except the "\n" of a "\r\n", which
    # shares its position with the character after it).
    for offset in (start, end):
        if not (0 < offset < len(text) and text[offset] == "\n" and text[offset - 1] == "\r"):
            assert positions.to_offset(positions.to_document(offset)) == offset


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, data=st.data())
def test_a_selection_in_the_document_is_a_slice_of_the_stored_text(qapp, text, data):
    positions = TextPositions(text)
    document = QTextDocument()
    document.setPlainText(positions.display)
    # A cursor stands between characters, never inside an emoji's surrogate pair.
    boundaries = sorted({positions.to_document(i) for i in range(len(text) + 1)})
    doc_start = data.draw(st.sampled_from(boundaries))
    doc_end = data.draw(st.sampled_from([b for b in boundaries if b >= doc_start]))
    start, end = positions.span_to_offsets(doc_start, doc_end)
    assert 0 <= start <= end <= len(text)
    # What the user selected is exactly the stored text's slice, as the reader shows it.
    expected = as_shown(text[start:end], leading=start == 0)
    assert document_text(document, doc_start, doc_end) == expected


@settings(max_examples=100, deadline=None)
@given(text=TEXTS)
def test_a_position_inside_a_surrogate_pair_takes_the_whole_character(text):
    positions = TextPositions(text)
    for index, char in enumerate(text):
        if ord(char) > 0xFFFF:
            middle = positions.to_document(index) + 1
            assert positions.span_to_offsets(middle, middle) == (index, index + 1)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hi \U0001f600 there \U0001f600 friend", "friend"),
        ("line one\r\nline two\r\n\u05e9\u05dc\u05d5\u05dd end", "end"),
        ("cafe\u0301 \U0001f1fa\U0001f1f8 flag", "flag"),
    ],
)
def test_known_texts(qapp, text, words):
    positions = TextPositions(text)
    document = QTextDocument()
    document.setPlainText(positions.display)
    start = text.index(words)
    doc_start, doc_end = positions.span_to_document(start, start + len(words))
    assert document_text(document, doc_start, doc_end) == words
    assert positions.span_to_offsets(doc_start, doc_end) == (start, start + len(words))


def reference_maps(text: str) -> tuple[str, list[int], list[int]]:
    """The maps built character by character (how they were first written): the display text,
    the document position of every offset, and the offset of every position."""
    shown, doc_of, position, after_cr = [], [], 0, False
    for char in text:
        doc_of.append(position)
        if char == "\n" and after_cr:
            after_cr = False
            continue
        after_cr = char == "\r"
        char = "\n" if char == "\r" else "\ufffd" if char in "\ufdd0\ufdd1\ufffc\ufffe" else char
        if char == "\ufeff" and not shown:
            char = "\u2060"
        shown.append(char)
        position += 2 if ord(char) > 0xFFFF else 1
    doc_of.append(position)
    py_of = [0] * (position + 1)
    for index, doc in enumerate(doc_of[:-1]):
        py_of[doc] = index
        if ord(text[index]) > 0xFFFF:
            py_of[doc + 1] = index
    py_of[position] = len(text)
    return "".join(shown), doc_of, py_of


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_the_maps_agree_with_a_character_by_character_reference(text):
    positions = TextPositions(text)
    shown, doc_of, py_of = reference_maps(text)
    assert positions.display == shown
    assert [positions.to_document(i) for i in range(len(text) + 1)] == doc_of
    assert [positions.to_offset(p) for p in range(len(py_of))] == py_of
