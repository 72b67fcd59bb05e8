"""A briefing as a PDF, laid out by Qt (QTextDocument + QPdfWriter): offline, no browser engine.

How a page is made:

1. The briefing's HTML (render/briefing.py) is laid out in a QTextDocument whose page size is the
   printable area minus a band for the running header and one for the footer.
2. Clean breaks: Qt would cut a table row in two at a page's foot, and strand a heading there
   or part a quote from its citation. A table that would be cut is split in the HTML before
   that row (a short table moves whole). The breaks are found before the briefing is laid out,
   on each table laid out alone with what stands before it on its page (`_split_ahead`), since
   parsing the HTML of a long briefing is the costliest step of an export (3.3 s for 40
   stakeholders); the layout of the whole then checks them, and any break missed there costs
   one more layout, for all of that table's breaks at once (`_keep_table_rows_whole`).
   Headings and quotes that would break badly get a page break before them
   (`_keep_together`).
3. Two passes for the contents: after the first layout, the page each section heading (<h1>)
   landed on is read from the layout, and the placeholders in the contents are replaced by those
   numbers in place. The numbers take the same room as the placeholders (a fixed-width cell), so
   nothing moves; this is checked, and laid out again if it ever did.
4. Each page is painted with QPainter: the slice of the document that falls on it, then the
   header (the briefing's title) and the footer ("Page N of M"), except on the title page. Text
   stays text (QPdfWriter embeds the fonts whole), so it is selectable and searchable; links to
   web pages stay clickable.
   In-document links (contents, Q numbers, source numbers) become named destinations (Qt does
   that for <a name> anchors).
5. QPdfWriter has no API for an outline, so pypdf adds one (a bookmark per section, at the pages
   found in step 3), and sets the title, author and subject.

The same `PagedBriefing` paints onto a QPrinter for the print preview. Work happens in whatever
thread calls it: the document and the writer are created there (Qt allows QTextDocument and
QPainter on a QPdfWriter outside the GUI thread).
"""

from __future__ import annotations

import bisect
import io
import math
import re
from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextTable,
)

from briefing import __version__
from briefing.core.briefings import BriefingContent
from briefing.errors import ExportCancelled, ExportError
from briefing.export.figures import figure_names, paint_figure
from briefing.render import palette
from briefing.render.briefing import (
    FIGURE_SCHEME,
    FIGURE_WIDTH,
    TableParts,
    all_tables,
    html_document,
    split_tables,
    table_parts,
    toc_placeholder,
)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
MARGINS_MM = QMarginsF(20, 14, 20, 14)  # left, top, right, bottom
HEADER_MM = 11.0  # the band above the text that holds the running header
FOOTER_MM = 11.0
INK = QColor(palette.INK)
MUTED = QColor(palette.MUTED)
RULE = QColor(palette.BORDER)
PRIVATE = QColor(palette.PRIVATE)
# An element that starts a new page (a part's heading, a table moved to the next page).
_PAGE_STARTER = re.compile(r"<(?:h[1-6]|table|p|div)\b[^>]*page-break-before:\s*always[^>]*>")
# Qt places text in fixed point, and its document layout stops at INT_MAX / 256 device pixels:
# 8,388,607, which is 719 A4 pages at the PDF's 1200 dpi. Past it the layout is wrong and Qt
# crashes reading it (a whole topic of 100 stakeholders on the benchmark store, 1,200 pages).
# A briefing that comes near it is refused with a message instead.
_QT_LAYOUT_LIMIT = (2**31 - 1) / 256
# How much may stand before a table on its page for `_split_ahead` to lay the two out alone.
_AHEAD_LIMIT = 50_000
# Device pixels (1/1200 inch on a PDF) of rounding tolerated where a block meets a page's edge.
_SLACK = 0.5


def page_layout(page_size: str) -> QPageLayout:
    return QPageLayout(
        QPageSize(PAGE_SIZES[page_size]),
        QPageLayout.Orientation.Portrait,
        MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )


class PagedBriefing:
    """A briefing laid out for one paged device (a QPdfWriter or a QPrinter)."""

    def __init__(self, content: BriefingContent, device: QPagedPaintDevice) -> None:
        self.content = content
        self.device = device
        resolution = device.logicalDpiY()
        self.dots_per_mm = resolution / 25.4
        paint_rect = device.pageLayout().paintRectPixels(resolution)
        self.width = float(paint_rect.width())
        self.header = HEADER_MM * self.dots_per_mm
        self.footer = FOOTER_MM * self.dots_per_mm
        # A whole number of device pixels: Qt places pages in fixed point (1/64 px), so a page
        # height with a fraction puts the k-th page's top a hair above k * height, and a heading
        # that starts a page would be counted (and painted, under the footer) on the page before.
        self.body_height = float(math.floor(paint_rect.height() - self.header - self.footer))

        self.document = self._new_document()
        self._scratch: QTextDocument | None = None  # a table laid out alone lives in it
        # The timeline and the map: their <img> keep the room in the text, and `paint` draws
        # them there as vectors (`briefing.export.figures`).
        self.figures = figure_names(content)
        self._add_figures(self.document)
        self.html = self._size_figures(html_document(content, toc_pages=True, figures=True))
        self._split_ahead()
        self.document.setHtml(self.html)
        self.layouts = 1  # how many times the whole briefing was laid out from its HTML
        self._check_length()
        self._keep_table_rows_whole()
        self._keep_together()
        self._check_length()
        self.section_pages = self._heading_pages()
        self._fill_contents()
        self._lay_out_fully()  # the contents' page numbers were an edit: lay out what follows

    def _check_length(self) -> None:
        """Refuse a briefing longer than Qt can lay out (`_QT_LAYOUT_LIMIT`), before Qt reads
        a layout it could not make. The room kept spare is for the page breaks still to come."""
        height = self.document.documentLayout().documentSize().height()
        if height > _QT_LAYOUT_LIMIT * 0.97:
            most = int(_QT_LAYOUT_LIMIT * 0.97 // self.body_height)
            raise ExportError(
                f"this briefing is too long for one PDF: a PDF made here holds about {most} "
                "pages, and this one is longer. Export fewer "
                "stakeholders (compose a briefing), or to HTML or Markdown; no file was written"
            )

    def _new_document(self) -> QTextDocument:
        """An empty document laid out as the briefing's pages are."""
        document = QTextDocument()
        document.documentLayout().setPaintDevice(self.device)
        document.setDocumentMargin(0)
        document.setDefaultFont(QFont("DejaVu Sans", 10))
        document.setPageSize(QSizeF(self.width, self.body_height))
        return document

    def _add_figures(self, document: QTextDocument) -> None:
        blank = QImage(1, 1, QImage.Format.Format_ARGB32)
        blank.fill(Qt.GlobalColor.transparent)
        for name in self.figures:
            document.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(f"{FIGURE_SCHEME}:{name}"), blank
            )

    def _figure_chars(self) -> list[tuple[int, str]]:
        """(position, figure name) of each figure's image in the document."""
        found = []
        block = self.document.begin()
        prefix = f"{FIGURE_SCHEME}:"
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat() and fmt.toImageFormat().name().startswith(prefix):
                    name = fmt.toImageFormat().name()[len(prefix) :]
                    if name in self.figures:
                        found.append((fragment.position(), name))
                iterator += 1
            block = block.next()
        return found

    def _size_figures(self, html: str) -> str:
        """Each figure as wide as the text, its height in proportion, never taller than a page
        (Qt cannot split a line over two pages): its <img> sizes in the device's pixels."""
        # Qt reads <img> sizes as CSS pixels (1/96 inch) and scales them to the device.
        self.css_scale = self.device.logicalDpiX() / 96
        width = self.width / self.css_scale * 0.995
        scale = width / FIGURE_WIDTH

        def sized(match: re.Match) -> str:
            height = min(int(match.group(2)) * scale, self.body_height / self.css_scale * 0.92)
            return f'{match.group(1)} width="{width:.0f}" height="{height:.0f}"'

        return re.sub(rf'(<img src="{FIGURE_SCHEME}:\w+") width="\d+" height="(\d+)"', sized, html)

    def figure_rects(self) -> list[tuple[QRectF, str]]:
        """Where each figure's image landed, in document coordinates."""
        rects = []
        for position, name in self._figure_chars():
            block = self.document.findBlock(position)
            layout = block.layout()
            if layout is None or not layout.lineCount():
                continue
            line = layout.lineForTextPosition(position - block.position())
            fmt = self.document.findBlock(position)
            image = None
            iterator = fmt.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if fragment.position() == position:
                    image = fragment.charFormat().toImageFormat()
                    break
                iterator += 1
            if image is None or not line.isValid():
                continue
            x = layout.position().x() + line.cursorToX(position - block.position())[0]
            width, height = image.width() * self.css_scale, image.height() * self.css_scale
            top = layout.position().y() + line.y() + line.ascent() - height
            rects.append((QRectF(x, top, width, height), name))
        return rects

    def _lay_out_fully(self) -> None:
        """Lay the whole document out now. After an edit Qt lays a long document out lazily, a
        step at a time from its event loop; an export has none running, and the blocks not yet
        laid out (the end of Appendix B) were painted as nothing."""
        self.document.markContentsDirty(0, self.document.characterCount())

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def _page_of(self, y: float) -> int:
        """The page (0-based) that document position `y` is painted on."""
        return int((y + _SLACK) // self.body_height)

    def _first_line_top(self, block) -> float:
        """Where a block's text starts. A block's bounding rect can start on the page before
        its first line, which Qt moved to the next page because it did not fit."""
        layout = block.layout()
        if layout is not None and layout.lineCount():
            return layout.position().y() + layout.lineAt(0).y()
        return self.document.documentLayout().blockBoundingRect(block).top()

    def _tables(self) -> list[QTextTable]:
        return [f for f in self.document.rootFrame().childFrames() if isinstance(f, QTextTable)]

    def _row_span(self, table: QTextTable, row: int) -> tuple[float, float]:
        """The top of a table row's first lines and the bottom of its last ones."""
        layout = table.document().documentLayout()  # the briefing's, or a piece's on its own
        tops, bottoms = [], []
        for column in range(table.columns()):
            cell = table.cellAt(row, column)
            tops.append(layout.blockBoundingRect(cell.firstCursorPosition().block()).top())
            bottoms.append(layout.blockBoundingRect(cell.lastCursorPosition().block()).bottom())
        return min(tops), max(bottoms)

    def _table_break(self, table: QTextTable) -> int | None:
        """Where a table should start a new page so that no row is cut in two, or None.

        A table that fits on a page but would straddle two moves whole to the next page; a
        longer one breaks before its first row that would straddle (Qt repeats the header row).
        A row taller than a page cannot be helped, and is left to Qt.
        """
        header_rows = table.format().headerRowCount()
        if table.rows() <= header_rows:
            return None
        top, _ = self._row_span(table, 0)
        _, bottom = self._row_span(table, table.rows() - 1)
        if self._page_of(top) == self._page_of(bottom):
            return None
        at_page_top = top % self.body_height < self.body_height * 0.02
        if bottom - top < self.body_height * 0.9 and not at_page_top:
            return 0
        for row in range(header_rows, table.rows()):
            row_top, row_bottom = self._row_span(table, row)
            if row_bottom - row_top > self.body_height * 0.8:
                continue
            if self._page_of(row_top) != self._page_of(row_bottom - 1):
                return 0 if row == header_rows else row
        return None

    def _forced_breaks(self) -> list[int]:
        """Document positions where the HTML itself starts a new page (sections, moved tables)."""
        positions = [
            table.firstPosition()
            for table in self._tables()
            if table.frameFormat().pageBreakPolicy()
            & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
        ]
        block = self.document.begin()
        while block.isValid():
            if (
                block.blockFormat().pageBreakPolicy()
                & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
            ):
                positions.append(block.position())
            block = block.next()
        return sorted(positions)

    def _keep_table_rows_whole(self) -> None:
        """Qt cuts a table row in two at a page's foot; move such rows (or whole short tables)
        to the next page instead, by splitting the table in the HTML and laying out again.

        Moving a row pushes everything after it down, up to the next forced page break; so each
        round fixes only the first table between two forced breaks that has a cut row, and lays
        out again. That table's every break is found in the round (`_breaks_from`): after the
        first, each part of it starts a page, so where its rows fall no longer depends on the
        rest of the briefing, and the part is laid out on its own, a page or two of rows at a
        time, instead of the whole briefing once per page of the table (the sources appendix
        of 40 stakeholders runs to 200 pages). A briefing has few tables (contents, overview,
        comparison, sources), so this is a round or two, and none when nothing is cut.
        """
        for _round in range(6):
            tables = self._tables()
            if len(tables) != self.html.count("<table"):
                return  # a table Qt made up or merged: leave the layout to Qt
            forced = self._forced_breaks()
            breaks: dict[int, list[int]] = {}
            fixed_segments: set[int] = set()
            for index, table in enumerate(tables):
                segment = bisect.bisect_right(forced, table.firstPosition() - 1)
                if segment in fixed_segments:
                    continue
                row = self._table_break(table)
                if row is not None:
                    breaks[index] = self._breaks_from(index, table, row)
                    fixed_segments.add(segment)
            if not breaks:
                return
            self._scratch = None
            self.html = split_tables(self.html, breaks)
            self.document.setHtml(self.html)
            self.layouts += 1

    def _breaks_from(self, index: int, table: QTextTable, first: int) -> list[int]:
        """Every row of the `index`-th table that should start a page, given that `first`
        should (0: the whole table moves)."""
        parts = table_parts(self.html, index)
        if len(parts.row_starts) != table.rows():
            return [first]  # the HTML and Qt disagree on the rows: one break at a time
        return self._breaks_after(parts, table.format().headerRowCount(), first)

    def _breaks_after(self, parts: TableParts, header_rows: int, first: int) -> list[int]:
        """`first`, and every later row of the table `parts` that should start a page.

        From `first` on each part of the table starts a page with the header repeated, as
        `split_tables` makes it; the part is laid out on its own in a scratch document of the
        same page (`_table_break` on it finds where it must break next), a page or two of rows
        at a time. What the parts' columns look like cannot differ from the split briefing's
        (the tables have fixed column widths); if it ever did, the next round's check of the
        whole briefing would find the cut row.
        """
        breaks = [first]
        total = len(parts.row_starts)
        start = max(first, header_rows)
        chunk = 32
        while start < total:
            stop = min(total, start + chunk)
            table = self._lay_out_alone(parts.piece(start, stop), header_rows + stop - start)
            if table is None:
                return breaks  # not as expected: leave the rest to the next round
            row = self._table_break(table)
            if row is None:
                if stop == total:
                    break  # the rest of the table falls on its pages without a cut
                chunk *= 2  # the rows so far fit on one page: take more
                continue
            if row <= header_rows:
                break  # its first row, at a page's top, is cut: nothing to gain
            fitted = row - header_rows
            start += fitted
            breaks.append(start)
            chunk = fitted + fitted // 4 + 2  # the next part holds about as many rows
        return breaks

    def _lay_out_alone(self, html: str, rows: int, *, lead: str = "<p>&nbsp;</p>"):
        """The last table of `html` (a piece of the briefing's body), laid out in a scratch
        document of the briefing's page after `lead` (a line, so that a piece that starts a
        new page starts the next one, as it does in the briefing); None unless it has `rows`."""
        head = self.html[: self.html.index("<body>") + len("<body>")]
        scratch = self._new_document()
        self._add_figures(scratch)  # a figure keeps its room, as in the briefing
        scratch.setHtml(f"{head}{lead}{html}</body></html>")
        tables = [f for f in scratch.rootFrame().childFrames() if isinstance(f, QTextTable)]
        if not tables or tables[-1].rows() != rows:
            return None
        self._scratch = scratch  # the table lives as long as its document
        return tables[-1]

    def _split_ahead(self) -> None:
        """Break the long tables in the HTML before the briefing is first laid out, so that
        it need not be laid out again for them.

        Where a table's rows fall depends only on what stands before it on its page, back to
        the last element that starts a page (a part's heading): for the first table after
        such an element, with little before it (the contents, the overview, the comparison,
        the sources), that stretch and the table's first page or two of rows are laid out on
        their own to find its first break, then `_breaks_after` finds the rest. The layout of
        the whole briefing checks the result (`_keep_table_rows_whole`), which is all it has
        to do when nothing was missed.
        """
        body = self.html.index("<body>") + len("<body>")
        page_starts = [m.start() for m in _PAGE_STARTER.finditer(self.html)]
        breaks: dict[int, list[int]] = {}
        segments: set[int] = set()
        for index, parts in enumerate(all_tables(self.html)):
            at = parts.start
            segment = max([s for s in page_starts if s <= at], default=body)
            if segment in segments:
                continue  # not the first table on its stretch: its place waits on the first
            segments.add(segment)
            before = self.html[segment:at]
            if len(before) > _AHEAD_LIMIT or "<table" in before:
                continue
            header_rows = parts.header.count("<tr")
            first = self._first_break_alone(
                before, parts, header_rows, lead="" if segment == body else "<p>&nbsp;</p>"
            )
            if first is not None:
                breaks[index] = self._breaks_after(parts, header_rows, first)
        self._scratch = None  # the scratch layouts' work is done: let them go
        if breaks:
            self.html = split_tables(self.html, breaks)

    def _first_break_alone(
        self, before: str, parts: TableParts, header_rows: int, *, lead: str
    ) -> int | None:
        """Where the table `parts` should first break (as `_table_break`), laid out alone after
        what stands `before` it on its page; None if nowhere or if that cannot be told."""
        total = len(parts.row_starts)
        chunk = 32
        while True:
            stop = min(total, chunk)
            table = self._lay_out_alone(before + parts.opening(stop), stop, lead=lead)
            if table is None or table.format().headerRowCount() != header_rows:
                return None
            if stop < total:
                top, _ = self._row_span(table, 0)
                _, bottom = self._row_span(table, stop - 1)
                if self._page_of(top) == self._page_of(bottom) or bottom - top < (
                    self.body_height * 0.9
                ):
                    chunk *= 2  # too few rows to tell how the whole table falls
                    continue
            return self._table_break(table)

    def _keep_together(self) -> None:
        """Keep headings with what follows them and each quote with its citation (Qt has no
        keep-with-next): such a block that would be cut or stranded at a page's foot starts
        the next page instead.

        A pass over the layout finds them. Moving a block pushes what follows down by the rest
        of its page, which the pass adds up as it goes (and resets at the next forced page
        break) instead of laying the document out again after each move; the moves are then
        made in one edit, so Qt lays out once more. That estimate can be a line off after a
        paragraph that itself breaks across pages, so the pass runs again on the new layout
        until it finds nothing (usually once more).
        """
        for _round in range(4):
            moves, unbreak = self._blocks_to_move()
            if not moves:
                return
            cursor = QTextCursor(self.document)
            cursor.beginEditBlock()
            for table in self._tables():
                if table.firstPosition() in unbreak:
                    fmt = table.format()
                    fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_Auto)
                    table.setFormat(fmt)
            for position in moves:
                cursor.setPosition(position)
                fmt = cursor.blockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                fmt.setTopMargin(0)  # flush with the page top, like every other page's text
                cursor.setBlockFormat(fmt)
            cursor.endEditBlock()

    def _blocks_to_move(self) -> tuple[list[int], list[int]]:
        """The blocks that should start a new page, and the tables that should no longer
        start one because the heading above them now does."""
        layout = self.document.documentLayout()
        height = self.body_height
        forced = set(self._forced_breaks())
        line = QFontMetricsF(self.document.defaultFont(), self.device).lineSpacing()
        moves, shift = [], 0.0
        unbreak: list[int] = []
        tables = {table.firstPosition() for table in self._tables()}
        previous_bottom = 0.0
        block = self.document.begin()
        while block.isValid():
            rect = layout.blockBoundingRect(block)
            if block.position() in forced:
                # Laid out at a page top; pushed down, it lands on the first page top after
                # what now precedes it.
                natural = rect.top()
                landed = max(natural, math.ceil((previous_bottom + shift) / height - 1e-6) * height)
                shift = landed - natural
            top = rect.top() + shift
            on_page = top % height
            following = block.next()
            need = rect.height()
            if block.position() in forced:
                need = 0.0  # it starts a page already
            elif block.blockFormat().headingLevel() in (1, 2, 3) and following.isValid():
                # A heading needs four lines of what follows it on the same page (a section's
                # one-line stance and a description are not enough to stand under it), or a
                # whole quote with its citation.
                if self._is_quote(following):
                    after = layout.blockBoundingRect(following).height()
                    if following.next().isValid():
                        after += layout.blockBoundingRect(following.next()).height()
                    need += after
                else:
                    after, ahead = 0.0, following
                    for _ in range(4):
                        if not ahead.isValid() or after >= 4 * line:
                            break
                        after += layout.blockBoundingRect(ahead).height()
                        ahead = ahead.next()
                    need += min(after, 4 * line)
            elif self._is_quote(block) and following.isValid():
                need += layout.blockBoundingRect(following).height()  # the citation
            else:
                need = 0.0
            if (
                block.blockFormat().headingLevel() in (1, 2, 3)
                and block.position() not in forced
                and following.isValid()
                and (
                    following.position() in forced  # a table moved whole to the next page
                    or self._page_of(self._first_line_top(following) + shift) != self._page_of(top)
                )
            ):
                need = height - on_page + 1  # stranded as laid out: take it along
                if following.position() in forced and following.position() in tables:
                    unbreak.append(following.position())  # the heading moves; the table follows
            if need and on_page > height * 0.02 and on_page + need > height and need < height / 2:
                moves.append(block.position())
                shift += height - on_page
            previous_bottom = rect.bottom()
            block = block.next()
        return moves, unbreak

    @staticmethod
    def _is_quote(block) -> bool:
        """A quote's paragraph: it opens with the anchor "qN" its Q number links to."""
        fragment = block.begin()
        if fragment.atEnd():
            return False
        names = fragment.fragment().charFormat().anchorNames()
        return bool(names) and names[0].startswith("q") and names[0][1:].isdigit()

    def _heading_pages(self) -> list[int]:
        pages = []
        block = self.document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() == 1:
                pages.append(self._page_of(self._first_line_top(block)) + 1)
            block = block.next()
        expected = len(self.content.section_titles)
        if len(pages) != expected:  # a bug in the HTML, not something a user can cause
            raise RuntimeError(f"found {len(pages)} section headings, expected {expected}")
        return pages

    def _fill_contents(self) -> None:
        cursors = [self.document.find(toc_placeholder(i)) for i in range(len(self.section_pages))]
        spans = [(c.selectionStart(), c.selectionEnd()) for c in cursors]
        editor = QTextCursor(self.document)
        for _attempt in range(3):
            # One edit block, last entry first (so earlier positions hold): one relayout, not one
            # per entry.
            editor.beginEditBlock()
            for (start, end), page in reversed(list(zip(spans, self.section_pages, strict=True))):
                editor.setPosition(start)
                editor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
                editor.insertText(str(page))
            editor.endEditBlock()
            shift, spans_after = 0, []
            for (start, end), page in zip(spans, self.section_pages, strict=True):
                spans_after.append((start + shift, start + shift + len(str(page))))
                shift += len(str(page)) - (end - start)
            spans = spans_after
            again = self._heading_pages()
            if again == self.section_pages:  # the numbers took the placeholders' room
                return
            self.section_pages = again

    def paint(
        self,
        painter: QPainter,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        pages: range | None = None,
    ) -> None:
        """Paint every page (or `pages`, 0-based) onto the device `painter` is active on."""
        total = self.page_count
        wanted = pages if pages is not None else range(total)
        figures = self.figure_rects()
        for number, page in enumerate(wanted):
            if cancelled is not None and cancelled():
                raise ExportCancelled("the export was cancelled; no file was written")
            if number > 0:
                self.device.newPage()
            painter.save()
            painter.translate(0, self.header - page * self.body_height)
            # The slice a hair higher than the page: a block that starts exactly at the next
            # page's top is not drawn (clipped, but still text in the PDF) at this page's foot.
            clip = QRectF(0, page * self.body_height - _SLACK, self.width, self.body_height)
            painter.setClipRect(clip)
            self.document.drawContents(painter, clip)
            for rect, name in figures:
                if rect.intersects(clip):
                    paint_figure(painter, rect, self.figures[name])
            painter.restore()
            if page > 0:
                self._paint_margins(painter, page + 1, total)
            else:
                self._paint_title_band(painter)
            if progress is not None:
                progress(number + 1, len(wanted))

    def _paint_title_band(self, painter: QPainter) -> None:
        """The title page's band in the app's ink colour, and a line on how it was made."""
        mm = self.dots_per_mm
        painter.save()
        painter.fillRect(QRectF(0, 0, self.width, 4 * mm), INK)
        font = QFont("DejaVu Sans")
        font.setPointSizeF(8)
        painter.setFont(font)
        painter.setPen(MUTED)
        footer = QRectF(0, self.header + self.body_height + 3 * mm, self.width, 8 * mm)
        painter.drawText(
            footer,
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
            "Prepared with Briefing. Every quote is checked against the stored copy of its "
            "source (Appendix B lists any that differ).",
        )
        painter.restore()

    def _paint_margins(self, painter: QPainter, page: int, total: int) -> None:
        mm = self.dots_per_mm
        font = QFont("DejaVu Sans")
        font.setPointSizeF(8)
        painter.save()
        painter.setFont(font)
        painter.setPen(MUTED)
        header = QRectF(0, 0, self.width, self.header - 3 * mm)
        flags = Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextSingleLine
        title = painter.fontMetrics().elidedText(
            self.content.title, Qt.TextElideMode.ElideRight, int(self.width * 0.7)
        )
        painter.drawText(header, flags | Qt.AlignmentFlag.AlignLeft, title)
        if self.content.topic and self.content.topic != self.content.title:
            topic = painter.fontMetrics().elidedText(
                self.content.topic, Qt.TextElideMode.ElideRight, int(self.width * 0.28)
            )
            painter.drawText(header, flags | Qt.AlignmentFlag.AlignRight, topic)
        painter.setPen(QPen(RULE, 0.3 * mm))
        rule_y = self.header - 1.8 * mm
        painter.drawLine(0, int(rule_y), int(self.width), int(rule_y))

        footer_top = self.header + self.body_height
        painter.drawLine(0, int(footer_top + 2 * mm), int(self.width), int(footer_top + 2 * mm))
        footer = QRectF(0, footer_top + 3 * mm, self.width, self.footer - 3 * mm)
        flags = Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextSingleLine
        painter.setPen(MUTED)
        painter.drawText(footer, flags | Qt.AlignmentFlag.AlignRight, f"Page {page} of {total}")
        if self.content.include_private:
            painter.setPen(PRIVATE)
            painter.drawText(
                footer,
                flags | Qt.AlignmentFlag.AlignLeft,
                "Includes private notes \u2014 do not circulate",
            )
        elif self.content.dated is not None:
            painter.drawText(
                footer,
                flags | Qt.AlignmentFlag.AlignLeft,
                f"Prepared {self.content.dated.day} {self.content.dated:%B %Y}",
            )
        painter.restore()


def _subject(content: BriefingContent) -> str:
    subject = f"Briefing on {content.topic}" if content.topic else "Briefing"
    if content.audience:
        subject += f" for {content.audience}"
    return subject


def render_pdf(
    content: BriefingContent,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> bytes:
    """The briefing as PDF bytes, with outline and metadata. Raises ExportCancelled."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(page_layout(content.page_size))
    writer.setTitle(content.title)
    writer.setCreator(f"Briefing {__version__}")
    writer.setPdfVersion(QPdfWriter.PdfVersion.PdfVersion_1_6)
    paged = PagedBriefing(content, writer)
    painter = QPainter()
    if not painter.begin(writer):
        raise RuntimeError("Qt could not start a PDF")
    try:
        paged.paint(painter, progress=progress, cancelled=cancelled)
    finally:
        painter.end()
        buffer.close()
    if cancelled is not None and cancelled():
        raise ExportCancelled("the export was cancelled; no file was written")
    return finish_pdf(bytes(data.data()), content, paged.section_pages)


def finish_pdf(raw: bytes, content: BriefingContent, section_pages: list[int]) -> bytes:
    """Add the outline and the metadata that Qt cannot write, as an incremental update.

    pypdf reads only what it must (the trailer, the catalog, the page tree); the new objects (the
    outline, the information dictionary, the catalog pointing at the outline) are appended after
    Qt's bytes with their own cross-reference section, as PDF's incremental updates allow. That
    is several times faster than having pypdf parse and rewrite every object of a long briefing.
    """
    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        NullObject,
        NumberObject,
        create_string_object,
    )

    reader = PdfReader(io.BytesIO(raw))
    trailer = reader.trailer
    root_ref = trailer.raw_get("/Root")
    pages = [page.indirect_reference for page in reader.pages]
    next_number = int(trailer["/Size"])
    previous_xref = int(raw[raw.rindex(b"startxref") + 9 :].split()[0])

    objects: dict[int, DictionaryObject] = {}

    def new_ref() -> IndirectObject:
        nonlocal next_number
        ref = IndirectObject(next_number, 0, None)
        next_number += 1
        return ref

    outline_ref = new_ref()
    item_refs = [new_ref() for _ in section_pages]
    for index, (title, page) in enumerate(zip(content.section_titles, section_pages, strict=True)):
        item = DictionaryObject(
            {
                NameObject("/Title"): create_string_object(title),
                NameObject("/Parent"): outline_ref,
                NameObject("/Dest"): ArrayObject(
                    [pages[page - 1], NameObject("/XYZ"), NullObject(), NullObject(), NullObject()]
                ),
            }
        )
        if index > 0:
            item[NameObject("/Prev")] = item_refs[index - 1]
        if index < len(item_refs) - 1:
            item[NameObject("/Next")] = item_refs[index + 1]
        objects[item_refs[index].idnum] = item
    objects[outline_ref.idnum] = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Outlines"),
            NameObject("/First"): item_refs[0],
            NameObject("/Last"): item_refs[-1],
            NameObject("/Count"): NumberObject(len(item_refs)),
        }
    )
    info_ref = new_ref()
    info = DictionaryObject()
    old_info = trailer.get("/Info")
    if old_info is not None:
        info.update(old_info.get_object())
    for key, value in (
        ("/Title", content.title),
        ("/Author", content.author or "Briefing"),
        ("/Subject", _subject(content)),
        ("/Creator", f"Briefing {__version__}"),
    ):
        info[NameObject(key)] = create_string_object(value)
    objects[info_ref.idnum] = info
    catalog = DictionaryObject(root_ref.get_object())
    catalog[NameObject("/Outlines")] = outline_ref
    catalog[NameObject("/PageMode")] = NameObject("/UseOutlines")
    objects[root_ref.idnum] = catalog

    out = io.BytesIO()
    out.write(raw if raw.endswith(b"\n") else raw + b"\n")
    offsets: dict[int, int] = {}
    for number, value in sorted(objects.items()):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode())
        value.write_to_stream(out)
        out.write(b"\nendobj\n")
    xref_at = out.tell()
    out.write(b"xref\n0 1\n0000000000 65535 f \n")
    numbers = sorted(offsets)
    run: list[int] = []
    for number in numbers + [-1]:
        if run and number != run[-1] + 1:
            out.write(f"{run[0]} {len(run)}\n".encode())
            for n in run:
                out.write(f"{offsets[n]:010d} 00000 n \n".encode())
            run = []
        run.append(number)
    new_trailer = DictionaryObject(
        {
            NameObject("/Size"): NumberObject(next_number),
            NameObject("/Root"): root_ref,
            NameObject("/Info"): info_ref,
            NameObject("/Prev"): NumberObject(previous_xref),
        }
    )
    if "/ID" in trailer:
        new_trailer[NameObject("/ID")] = trailer["/ID"]
    out.write(b"trailer\n")
    new_trailer.write_to_stream(out)
    out.write(f"\nstartxref\n{xref_at}\n%%EOF\n".encode())
    return out.getvalue()
