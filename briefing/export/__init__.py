"""Exporting a briefing to a file: PDF or OpenDocument text (Qt), HTML or Markdown, whole or
not at all.

`export_content` is what the command line and the GUI's worker thread call. HTML and Markdown
need no Qt (so `briefing export x.md` starts no Qt at all); the PDF module is imported only for
a PDF or an .odt (written by `export.odt` with Qt's QTextDocumentWriter).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefing.core.briefings import BriefingContent
from briefing.errors import InputError
from briefing.export.files import check_destination, write_atomically

FORMATS = ("pdf", "odt", "md", "html")
QT_FORMATS = ("pdf", "odt")  # these need a Q(Gui)Application
_EXTENSIONS = {
    ".pdf": "pdf",
    ".odt": "odt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}


def format_for(path: Path, requested: str | None = None) -> str:
    """The export format: the one asked for, else the one OUT's extension names."""
    if requested is not None:
        if requested not in FORMATS:
            raise InputError(f"format {requested!r} is not one of {', '.join(FORMATS)}")
        return requested
    found = _EXTENSIONS.get(Path(path).suffix.lower())
    if found is None:
        raise InputError(
            f"cannot tell the format from {Path(path).name!r}: name it .pdf, .odt, .md or .html, "
            "or give --format"
        )
    return found


def export_content(
    content: BriefingContent,
    path: Path,
    fmt: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Write `content` to `path` in `fmt`; raises ExportError, ExportCancelled, InputError."""
    path = check_destination(Path(path))  # before any rendering: fail fast
    if fmt == "pdf":
        from briefing.export.pdf import render_pdf

        data = render_pdf(content, progress=progress, cancelled=cancelled)
    elif fmt == "odt":
        from briefing.export.odt import render_odt

        data = render_odt(content)
        if cancelled is not None and cancelled():
            from briefing.errors import ExportCancelled

            raise ExportCancelled("the export was cancelled; no file was written")
    elif fmt == "html":
        from briefing.render.briefing import html_document

        data = html_document(content).encode("utf-8")
    elif fmt == "md":
        from briefing.render.briefing import markdown_document

        data = markdown_document(content).encode("utf-8")
    else:
        raise InputError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    write_atomically(path, data)
    return path
