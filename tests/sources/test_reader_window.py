"""The reader lays out a window of a long text, not all of it, and stays exact in offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.ui.sources import SourceReader
from briefing.ui.text_positions import TextPositions, WindowPositions, cut_after, cut_before

# Lines with what makes offsets and positions differ: CRLF, astral characters, a lone CR.
LINES = [
    "Plain words about the police and their cameras.",
    "An emoji \U0001f600 and a flag \U0001f1fa\U0001f1f8 in the middle.",
    "Windows line end follows\r",
    "\u05e9\u05dc\u05d5\u05dd right to left, then e\u0301 combined.",
    "A lone carriage return\rsplits this one.",
]


def long_text(lines: int = 400) -> str:
    return "\n".join(f"{n}: {LINES[n % len(LINES)]}" for n in range(lines))


def raw(reader: SourceReader) -> str:
    """The shown document's text, as `setPlainText` was given it."""
    return reader.document().toRawText().replace("\u2029", "\n")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 20_000), st.integers(0, 20_000), st.integers(0, 20_000))
def test_a_window_maps_like_the_whole_text(a, b, offset):
    text = long_text()
    first, last = sorted((cut_before(text, a), cut_after(text, b)))
    window = WindowPositions(text, first, last)
    whole = TextPositions(text)
    def shown(at: int) -> int:  # where an offset lies in the whole display (CRLF shown as LF)
        return at - text.count("\r\n", 0, at)

    assert window.display == whole.display[shown(first) : shown(last)]
    offset = first + offset % (last - first + 1)
    base = whole.to_document(first)
    assert window.to_document(offset) == whole.to_document(offset) - base
    position = window.to_document(offset)
    assert window.to_offset(position) == whole.to_offset(position + base)


def test_cuts_never_split_a_windows_line_end():
    text = "a\r\nb" * 3 + "x" * 10
    for offset in range(len(text) + 1):
        for cut in (cut_after(text, offset, reach=0), cut_before(text, offset, reach=0)):
            assert text[cut - 1 : cut + 1] != "\r\n"
    assert cut_after(text, 1) == 3 and cut_before(text, 5) == 3


@pytest.fixture
def reader(qtbot, monkeypatch):
    monkeypatch.setattr(SourceReader, "WINDOW", 3_000)
    monkeypatch.setattr(SourceReader, "STEP", 1_500)
    reader = SourceReader()
    qtbot.addWidget(reader)
    reader.resize(600, 400)
    reader.show()
    qtbot.waitExposed(reader)
    return reader


def test_a_long_text_is_laid_out_a_window_at_a_time(reader):
    text = long_text()
    reader.show_text(text)
    assert reader.positions.start == 0 and 3_000 <= reader.positions.end < 3_200
    assert raw(reader) == reader.positions.display
    assert len(raw(reader)) < len(text) / 4


def test_selecting_far_away_moves_the_window_and_stays_exact(reader):
    text = long_text()
    reader.show_text(text)
    start = text.index("396: An emoji")
    end = start + len("396: An emoji \U0001f600 and a flag")
    reader.select_span(start, end)
    assert reader.positions.covers(start, end) and reader.positions.start > 0
    assert raw(reader) == reader.positions.display
    assert reader.selected_span() == (start, end)
    assert reader.textCursor().selectedText() == text[start:end]
    # A click on a position answers with the offset into the whole text.
    cursor = reader.textCursor()
    assert reader.positions.to_offset(cursor.selectionStart()) == start


def test_scrolling_down_and_up_grows_the_window_in_place(reader, qtbot):
    text = long_text()
    reader.show_text(text)
    bar = reader.verticalScrollBar()
    ends = [reader.positions.end]
    for _ in range(3):
        bar.setValue(bar.maximum())
        ends.append(reader.positions.end)
    assert ends == sorted(ends) and ends[-1] > ends[0]
    assert raw(reader) == reader.positions.display

    # Jump to the end, select something, then scroll up to the window's top: earlier text is
    # added before it, the selection keeps its offsets and the line at the top stays in view.
    last = text.rindex("397:")
    reader.select_span(last, last + 4)
    first = reader.positions.start
    assert first > 0
    bar.setValue(0)
    assert reader.positions.start < first
    assert raw(reader) == reader.positions.display
    assert reader.selected_span() == (last, last + 4)
    assert bar.value() > 0  # the view did not jump to the added text's top
    top = reader.positions.to_offset(reader.cursorForPosition(reader.rect().topLeft()).position())
    assert abs(top - first) < 200


def test_matches_are_marked_where_the_window_is(reader):
    text = long_text()
    reader.show_text(text)
    near = text.index("2: Windows")
    far = text.index("399:")
    reader.show_matches([(near, near + 10), (far, far + 4)])
    assert len(reader.extraSelections()) == 1  # the far one lies outside the window
    reader.scroll_to(far)
    spans = [
        reader.positions.span_to_offsets(s.cursor.selectionStart(), s.cursor.selectionEnd())
        for s in reader.extraSelections()
    ]
    assert spans == [(far, far + 4)]


def test_a_short_text_is_shown_whole(reader):
    text = long_text(20)
    reader.show_text(text)
    assert reader.positions.whole
    assert raw(reader) == TextPositions(text).display
