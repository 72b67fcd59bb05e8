"""How the PDF breaks across pages: no table row cut in two, no quote parted from its citation,
no heading stranded at a page's foot. Read from the laid-out document the PDF is painted from."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QPdfWriter

from briefing.core import briefings as b
from briefing.export.pdf import PagedBriefing, page_layout
from briefing.render.briefing import split_tables

pytestmark = pytest.mark.both_databases


@pytest.fixture(autouse=True)
def _qt(qapp):
    return qapp


def test_split_tables_moves_a_row_with_the_header_or_a_whole_table():
    table = (
        '<table class="grid" style="border-color: red;"><thead><tr><th>Q</th></tr></thead>'
        "<tr><td>one</td></tr><tr><td>two</td></tr></table>"
    )
    html = f"<p>a</p>{table}<p>b</p>{table}"
    split = split_tables(html, {0: 2, 1: 0})
    assert split.count("<table") == 3
    first, second, third = split.split("<table")[1:]
    assert "one" in first and "two" not in first and "page-break" not in first
    assert second.startswith(' class="grid" style="page-break-before: always; border-color: red;"')
    assert "<thead><tr><th>Q</th></tr></thead><tr><td>two</td>" in second
    assert "one" not in second
    assert "page-break-before: always;" in third and "one" in third and "two" in third
    # A table with a <tbody> (as Markdown makes them) is closed and reopened properly.
    markdown_table = (
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>x</td></tr>"
        "<tr><td>y</td></tr></tbody></table>"
    )
    split = split_tables(markdown_table, {0: 2})
    assert split == (
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table>"
        '<table style="page-break-before: always;"><thead><tr><th>h</th></tr></thead><tbody>'
        "<tr><td>y</td></tr></tbody></table>"
    )


def paged(content) -> PagedBriefing:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(page_layout(content.page_size))
    result = PagedBriefing(content, writer)
    result._keep = (writer, buffer, data)  # the device must outlive the layout
    return result


def breaks_badly(document: PagedBriefing) -> list[str]:
    """Every place a reader would find a page break in the wrong spot."""
    height = document.body_height
    layout = document.document.documentLayout()
    bad = []
    for table in document._tables():
        for row in range(table.rows()):
            top, bottom = document._row_span(table, row)
            if bottom - top < height * 0.8 and int((top + 1) // height) != int(
                (bottom - 1) // height
            ):
                bad.append(
                    f"row {row}: {table.cellAt(row, 0).firstCursorPosition().block().text()}"
                )
    block = document.document.begin()
    while block.next().isValid():
        following = block.next()
        page = int((layout.blockBoundingRect(block).top() + 1) // height)
        next_top = int((layout.blockBoundingRect(following).top() + 1) // height)
        next_end = int((layout.blockBoundingRect(following).bottom() - 1) // height)
        if block.blockFormat().headingLevel() in (1, 2, 3) and next_top != page:
            bad.append(f"heading at a page's foot: {block.text()!r}")
        if document._is_quote(block) and next_end != page:
            bad.append(f"quote parted from its citation: {block.text()[:40]!r}")
        block = following
    return bad


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_demo_topic_breaks_cleanly(demo_store, page_size):
    with demo_store.reading() as s:
        content = b.topic_content(s, 1, page_size=page_size, include_private=True)
    assert breaks_badly(paged(content)) == []


def test_a_long_comparison_breaks_between_rows(demo_store):
    """A table longer than a page (the overview of many stakeholders) is split between rows,
    its header repeated; none of its rows is cut."""
    with demo_store.reading() as s:
        content = b.topic_content(s, 1)
    many = tuple(
        b.StakeholderSection(
            title=f"{section.title} {n}",
            kind=section.kind,
            description="",
            speaks_for=None,
            members=(),
            stance=section.stance,
            headline=section.headline * 2,
            as_of=None,
            summary="",
            quotes=(),
            notes=(),
        )
        for n in range(4)
        for section in content.glance
    )
    long = b.BriefingContent(
        title="Many",
        topic="Many",
        audience="",
        author="",
        dated=None,
        introduction="",
        include_private=False,
        page_size="A4",
        sections=many,
        sources=content.sources,
        unverified=(),
        all_quotes=(),
    )
    document = paged(long)
    assert document.html.count("<table") > long.sections.__len__() // 100 + 3  # it was split
    assert breaks_badly(document) == []


def test_split_tables_breaks_one_table_before_several_rows():
    table = (
        '<table class="grid"><thead><tr><th>Q</th></tr></thead><tbody>'
        + "".join(f"<tr><td>r{n}</td></tr>" for n in range(1, 6))
        + "</tbody></table>"
    )
    once_each = split_tables(split_tables(split_tables(table, {0: 4}), {0: 2}), {})
    together = split_tables(table, {0: [2, 4]})
    assert together == once_each
    assert together.count("<table") == 3
    first, second, third = together.split("<table")[1:]
    assert "r1" in first and "r2" not in first and "page-break" not in first
    assert "<thead><tr><th>Q</th></tr></thead><tbody><tr><td>r2</td>" in second
    assert "r3" in second and "r4" not in second
    assert "page-break-before: always;" in third and "r4" in third and "r5" in third


def many_sources(count: int, first: int = 1) -> b.BriefingContent:
    """A briefing whose appendix of sources runs over many pages, each entry a few lines."""
    import datetime as dt

    sources = tuple(
        b.SourceEntry(
            number=n,
            title=f"Report {n} on police use of facial recognition in the city"
            + " and its oversight" * (n % 3),
            publisher="Tech Policy Daily",
            author="A. Writer" if n % 2 else "",
            published=dt.date(2020, 6, 1 + n % 28),
            url=f"https://example.org/{n}" if n % 4 else "",
            sha256=f"{n:064x}",
        )
        for n in range(first, first + count)
    )
    return b.BriefingContent(
        title="Sources",
        topic="Sources",
        audience="",
        author="",
        dated=None,
        introduction="",
        include_private=False,
        page_size="A4",
        sections=(),
        sources=sources,
        unverified=(),
    )


def counting_layouts(monkeypatch) -> list[int]:
    """The size of each HTML a QTextDocument is given from now on."""
    from PySide6.QtGui import QTextDocument

    given: list[int] = []
    set_html = QTextDocument.setHtml

    def counting(document, html):
        given.append(len(html))
        set_html(document, html)

    monkeypatch.setattr(QTextDocument, "setHtml", counting)
    return given


def test_a_long_appendix_breaks_between_rows_in_one_layout(monkeypatch):
    """An appendix of 25 pages: no row cut, and the whole briefing is laid out from its HTML
    once (its breaks are found on the appendix alone), not once more per page of it."""
    given = counting_layouts(monkeypatch)
    document = paged(many_sources(400))
    assert document.page_count > 20
    assert document.html.count('<table class="sources"') > 20  # split page by page
    assert breaks_badly(document) == []
    whole = [size for size in given if size >= len(document.html) * 0.9]
    assert len(whole) == 1 == document.layouts
    # Each part was laid out alone about once: a page or two of rows at a time.
    assert sum(given) - whole[0] < 3 * len(document.html)


def test_breaks_missed_ahead_are_found_in_one_more_layout(monkeypatch):
    """Without the breaks found ahead, the check of the whole briefing finds the first cut row
    and every later break of that table at once: two layouts, not one per page."""
    monkeypatch.setattr(PagedBriefing, "_split_ahead", lambda self: None)
    given = counting_layouts(monkeypatch)
    document = paged(many_sources(400))
    assert document.html.count('<table class="sources"') > 20
    assert breaks_badly(document) == []
    whole = [size for size in given if size >= len(document.html) * 0.9]
    assert len(whole) == 2 == document.layouts


def test_breaks_found_ahead_are_those_the_whole_briefing_needs(demo_store, monkeypatch):
    """The demo topic and a long appendix: the HTML split ahead is the one the rounds over the
    whole briefing arrive at."""
    with demo_store.reading() as s:
        demo = b.topic_content(s, 1, include_private=True)
    for content in (demo, many_sources(120)):
        ahead = paged(content)
        with monkeypatch.context() as m:
            m.setattr(PagedBriefing, "_split_ahead", lambda self: None)
            rounds = paged(content)
        assert ahead.html == rounds.html
        assert ahead.page_count == rounds.page_count


def test_a_briefing_longer_than_qt_can_lay_out_is_refused(monkeypatch, tmp_path):
    """Qt's layout stops at INT_MAX / 256 device pixels (719 A4 pages at 1200 dpi) and crashed
    reading past it; a briefing near that is refused with a message, and no file is written.
    The limit is lowered here to 10 pages, which a 25-page appendix exceeds; at 40 it passes."""
    from briefing.errors import ExportError
    from briefing.export import export_content, pdf

    content = many_sources(400)
    height = paged(content).body_height
    monkeypatch.setattr(pdf, "_QT_LAYOUT_LIMIT", 10 * height)
    out = tmp_path / "long.pdf"
    with pytest.raises(ExportError, match="too long for one PDF.*holds about 9 pages"):
        export_content(content, out, "pdf")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(pdf, "_QT_LAYOUT_LIMIT", 40 * height)
    export_content(content, out, "pdf")
    assert out.exists()


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_a_sources_number_stays_on_one_line_up_to_four_digits(page_size):
    """The "[n]" column was 6% wide whatever the numbers: "[106]" put its "]" on a line of its
    own. It is as wide as the largest number needs."""
    import dataclasses

    for first in (95, 995):
        content = dataclasses.replace(many_sources(12, first=first), page_size=page_size)
        document = paged(content)
        table = next(t for t in document._tables() if t.rows() == 12)
        for row in range(table.rows()):
            cell = table.cellAt(row, 0)
            block = document.document.findBlock(cell.firstPosition())
            assert block.text().startswith(f"[{first + row}]"), block.text()
            assert block.layout().lineCount() == 1, (page_size, block.text())
