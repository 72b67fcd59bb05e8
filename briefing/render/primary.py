"""A quote against its speaker's primary document, as HTML: "reworded: the primary document
says ...", with the document's words beside the quote's and the changed words marked in type
(bold, underlined; struck out and underlined in the word diff), never in colour alone.

Used by the details panel, the source reader's quote panel and the exports. No Qt here.
"""

from __future__ import annotations

from html import escape

from briefing.core.primary import PrimaryCheck
from briefing.core.verify import Segment

REWORDED_WORDS = "reworded: the speaker\u2019s primary document says otherwise (Appendix B)"


def _marked(segments: tuple[Segment, ...]) -> str:
    return " ".join(
        f'<b class="changed"><u>{escape(s.text)}</u></b>' if s.changed else escape(s.text)
        for s in segments
    )


def _document(primary: PrimaryCheck) -> str:
    return f"<i>{escape(primary.source_title)}</i> ({escape(primary.owner)})"


def primary_line_html(primary: PrimaryCheck | None) -> str:
    """One line for a quote in the details panel (empty where there is no primary document)."""
    if primary is None:
        return ""
    if not primary.reworded:
        return (
            f'<br><span class="muted">\u2713 Matches the primary document {_document(primary)}'
            "</span>"
        )
    from briefing.render.quote_check import diff_html

    return (
        '<br><span class="check check-altered">\u26a0 Reworded: the primary document '
        f"{_document(primary)} says</span> \u201c{_marked(primary.comparison.second)}\u201d"
        f'<br><span class="diff">{diff_html(primary.diff or "")}</span>'
    )


def primary_block_html(primary: PrimaryCheck | None, source_title: str) -> str:
    """The quote panel's section: the quote and the primary document side by side."""
    if primary is None:
        return ""
    if not primary.reworded:
        return (
            '<h3>Primary document</h3><p class="relation relation-same">\u2713 Matches the '
            f"primary document {_document(primary)}.</p>"
        )
    from briefing.render.quote_check import diff_html

    return (
        "<h3>Primary document</h3>"
        '<p class="relation relation-conflict">\u26a0 Reworded: the primary document '
        f"{_document(primary)} says it differently.</p>"
        '<table class="side-by-side" width="100%" cellspacing="0"><tr>'
        f"<th>This source: {escape(source_title)}</th>"
        f"<th>Primary document: {escape(primary.source_title)}</th></tr>"
        f'<tr><td width="50%">{_marked(primary.comparison.first)}</td>'
        f'<td width="50%">{_marked(primary.comparison.second)}</td></tr></table>'
        f'<p class="diff">{diff_html(primary.diff or "")}</p>'
        '<p class="muted">Underlined bold words differ; in the line above, struck out: this '
        "quote\u2019s words, underlined: the primary document\u2019s.</p>"
    )
