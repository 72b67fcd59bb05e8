"""A briefing as OpenDocument text (.odt), written by Qt's own writer (QTextDocumentWriter).

The same sanitised HTML as the HTML export and the PDF (`render.briefing.html_document`) is
laid into a QTextDocument and saved in the "odf" format, which LibreOffice and Word open. The
bytes are written to memory first; `export_content` then writes them to a temporary name and
renames, like every export, so the file is whole or absent. Nothing is fetched: the document
holds no remote resource (images in notes are named, not shown).

The stakeholder map and the timeline go in as SVG pictures (drawn by QSvgGenerator with the same
painting as the window and the PDF, `briefing.export.figures`), so they stay vector drawings with
their words as text; Qt's writer stores them as `image/svg+xml`.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QUrl
from PySide6.QtGui import QFont, QTextDocument, QTextDocumentWriter

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
    return bytes(data.data())
