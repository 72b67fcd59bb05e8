"""A briefing as OpenDocument text (.odt), written by Qt's own writer (QTextDocumentWriter).

The same sanitised HTML as the HTML export and the PDF (`render.briefing.html_document`) is
laid into a QTextDocument and saved in the "odf" format, which LibreOffice and Word open. The
bytes are written to memory first; `export_content` then writes them to a temporary name and
renames, like every export, so the file is whole or absent. Nothing is fetched: the document
holds no remote resource (images in notes are named, not shown).

The stakeholder map and the timeline go in as SVG pictures (drawn by QSvgGenerator with the same
painting as the window and the PDF, `briefing.export.figures`), so they stay vector drawings with
their words as text; Qt's writer stores them as `image/svg+xml`.

Qt's writer gets five things wrong that LibreOffice shows (looked at through
`soffice --convert-to pdf`), so its content.xml is mended before the file is written
(`_mend_content`): a table of width 100% becomes "100pt" wide and its columns "26%" (not ODF
lengths, so LibreOffice draws equal columns); text in a cell aligned to the top is written as
raised by 100% (LibreOffice prints it as tiny superscript); cell backgrounds (the dark heading
rows) are dropped; CSS's default "outset" borders come out as heavy 3-D lines; and every line
break gets a tab before it. The fixes come
from the laid-out QTextDocument itself, table by table in document order, not from guesses.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QUrl
from PySide6.QtGui import (
    QFont,
    QTextDocument,
    QTextDocumentWriter,
    QTextFrame,
    QTextLength,
    QTextTable,
)

from briefing.core.briefings import BriefingContent
from briefing.errors import ExportError
from briefing.export.figures import figure_names, figure_svg
from briefing.render.briefing import (
    FIGURE_SCHEME,
    FIGURE_WIDTH,
    MAP_HEIGHT,
    html_document,
    timeline_height,
)


def render_odt(content: BriefingContent) -> bytes:
    """The briefing as the bytes of an .odt file."""
    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Sans", 10))
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, content.title)
    for name, figure in figure_names(content).items():
        height = MAP_HEIGHT if name == "map" else timeline_height(figure)
        svg = figure_svg(figure, FIGURE_WIDTH, height)
        document.addResource(
            QTextDocument.ResourceType.ImageResource,
            QUrl(f"{FIGURE_SCHEME}:{name}"),
            QByteArray(svg),
        )
    document.setHtml(html_document(content, figures=True))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QTextDocumentWriter(buffer, QByteArray(b"odf"))
    if not writer.write(document):
        raise ExportError("Qt could not write the OpenDocument file; nothing was written")
    buffer.close()
    return _mend_package(bytes(data.data()), document)


_NAMESPACES = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
}
for _prefix, _uri in _NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


def _name(qualified: str) -> str:
    prefix, local = qualified.split(":")
    return f"{{{_NAMESPACES[prefix]}}}{local}"


def _mend_package(package: bytes, document: QTextDocument) -> bytes:
    """The .odt with its content.xml mended (above); every other member as Qt wrote it, in the
    same order and compression (the "mimetype" entry first and stored, as ODF requires)."""
    mended = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as given, zipfile.ZipFile(mended, "w") as out:
        for info in given.infolist():
            data = given.read(info)
            if info.filename == "content.xml":
                data = _mend_content(data, document)
            out.writestr(info, data)
    return mended.getvalue()


def _tables(frame: QTextFrame) -> Iterator[QTextTable]:
    """The document's tables in document order (a table's own nested tables after it), the
    order content.xml holds them in."""
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from _tables(child)


def _mend_content(content: bytes, document: QTextDocument) -> bytes:
    root = ET.fromstring(content)
    styles = root.find(_name("office:automatic-styles"))
    if styles is None:
        return content
    by_name = {style.get(_name("style:name")): style for style in styles}
    # Character formats aligned to the top of a table cell: Qt writes "raised by 100%".
    for properties in root.iter(_name("style:text-properties")):
        if properties.get(_name("style:text-position")) == "100%":
            del properties.attrib[_name("style:text-position")]
    _drop_tabs_before_line_breaks(root)
    for properties in root.iter(_name("style:table-cell-properties")):
        border = properties.get(_name("fo:border"))
        if border is not None:
            properties.set(_name("fo:border"), _solid(border))
    tables = list(root.iter(_name("table:table")))
    laid_out = list(_tables(document.rootFrame()))
    if len(tables) != len(laid_out):
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    added = 0
    for number, (element, table) in enumerate(zip(tables, laid_out, strict=True)):
        _mend_widths(element, table, number, styles, by_name)
        for row_number, row in enumerate(element.findall(_name("table:table-row"))):
            cells = [c for c in row if c.tag.endswith("table-cell")]
            for column, cell_element in enumerate(cells):
                if row_number >= table.rows() or column >= table.columns():
                    continue
                brush = table.cellAt(row_number, column).format().background()
                if brush.style() == Qt.BrushStyle.NoBrush:
                    continue
                added += 1
                name = f"BriefingCell{added}"
                old = by_name.get(cell_element.get(_name("table:style-name")))
                style = ET.SubElement(styles, _name("style:style"))
                style.set(_name("style:name"), name)
                style.set(_name("style:family"), "table-cell")
                properties = ET.SubElement(style, _name("style:table-cell-properties"))
                if (
                    old is not None
                    and (given := old.find(_name("style:table-cell-properties"))) is not None
                ):
                    properties.attrib.update(given.attrib)
                properties.set(_name("fo:background-color"), brush.color().name())
                cell_element.set(_name("table:style-name"), name)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _drop_tabs_before_line_breaks(root: ET.Element) -> None:
    """Qt writes every line break (`<br>`, U+2028) as a tab and then the break, so a short
    first line gained a tab stop's width and a long one wrapped onto a line of its own. A tab
    in the text itself is written as its own tab and kept."""
    tab, line_break = _name("text:tab"), _name("text:line-break")
    for parent in root.iter():
        children = list(parent)
        for before, after in zip(children, children[1:], strict=False):
            if before.tag != tab or after.tag != line_break or (before.tail or "").strip():
                continue
            parent.remove(before)


def _solid(border: str) -> str:
    """CSS's default "outset" as a plain line; a border of no width as none."""
    if re.match(r"0(\.0+)?(pt|px|cm|mm|in)?\b", border):
        return "none"
    return border.replace("outset", "solid").replace("inset", "solid")


def _mend_widths(
    element: ET.Element,
    table: QTextTable,
    number: int,
    styles: ET.Element,
    by_name: dict[str | None, ET.Element],
) -> None:
    """A table as wide as the text (a relative width, not "100pt") and its columns in ODF's
    relative units ("26*"), the columns without a width sharing what is left."""
    table_format = table.format()
    style = by_name.get(element.get(_name("table:style-name")))
    if style is not None and table_format.width().type() == QTextLength.Type.PercentageLength:
        properties = style.find(_name("style:table-properties"))
        if properties is not None:
            properties.attrib.pop(_name("style:width"), None)
            properties.set(_name("style:rel-width"), f"{table_format.width().rawValue():g}%")
            properties.set(_name("table:align"), "margins")
    columns = element.findall(_name("table:table-column"))
    constraints = table_format.columnWidthConstraints()
    if len(columns) != table.columns() or len(constraints) != table.columns():
        return
    given = [
        c.rawValue() if c.type() == QTextLength.Type.PercentageLength else None for c in constraints
    ]
    free = [share for share in given if share is None]
    rest = max(0.0, 100.0 - sum(share for share in given if share is not None))
    shares = [share if share is not None else rest / len(free) for share in given]
    if sum(shares) <= 0:
        return
    for place, (column, share) in enumerate(zip(columns, shares, strict=True)):
        name = f"BriefingTable{number}.{place}"
        style = ET.SubElement(styles, _name("style:style"))
        style.set(_name("style:name"), name)
        style.set(_name("style:family"), "table-column")
        properties = ET.SubElement(style, _name("style:table-column-properties"))
        properties.set(_name("style:rel-column-width"), f"{max(1, round(share * 100))}*")
        column.set(_name("table:style-name"), name)
