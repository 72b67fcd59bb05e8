"""A briefing as OpenDocument text (.odt), written by Qt's own writer (QTextDocumentWriter).

The same sanitised HTML as the HTML export and the PDF (`render.briefing.html_document`) is
laid into a QTextDocument and saved in the "odf" format, which LibreOffice and Word open. The
bytes are written to memory first; `export_content` then writes them to a temporary name and
renames, like every export, so the file is whole or absent. Nothing is fetched: the document
holds no remote resource (images in notes are named, not shown).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QFont, QTextDocument, QTextDocumentWriter

from briefing.core.briefings import BriefingContent
from briefing.errors import ExportError
from briefing.render.briefing import html_document


def render_odt(content: BriefingContent) -> bytes:
    """The briefing as the bytes of an .odt file."""
    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Sans", 10))
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, content.title)
    document.setHtml(html_document(content))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QTextDocumentWriter(buffer, QByteArray(b"odf"))
    if not writer.write(document):
        raise ExportError("Qt could not write the OpenDocument file; nothing was written")
    buffer.close()
    return bytes(data.data())
