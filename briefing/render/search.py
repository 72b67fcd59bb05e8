"""HTML for what search opens outside a card and a source: a note on its own, or a lone hit.

No Qt here; the GUI shows these in the details panel. (Sources and quotes open in the source
reader, which marks the matches itself.) Every value from the store is escaped; a note's body goes
through the same sanitiser as everywhere (`render_markdown`), and marked words of a snippet
become a coloured span, the first with the anchor `first-match` so that a view can scroll to it.
"""

from __future__ import annotations

from html import escape

from briefing.core.notes import NoteSummary
from briefing.core.search import KIND_TITLES, SearchHit
from briefing.render import palette
from briefing.render.markdown import render_markdown
from briefing.text import FSI, PDI, isolated_html, needs_isolation

FIRST_MATCH = "first-match"
# The details style sheet knows nothing of matches: the colour is set here, where marks are made.
MATCH_STYLE = f"background-color: {palette.MATCH}; font-weight: bold;"


def marked_html(text: str, spans, *, anchor: bool = False) -> str:
    """`text` escaped, with `spans` ([start, end) pairs, in order) marked as matches."""
    parts, position = [], 0
    for number, (start, end) in enumerate(spans):
        if start < position:
            continue
        parts.append(escape(text[position:start]))
        name = f'<a name="{FIRST_MATCH}"></a>' if anchor and number == 0 else ""
        parts.append(f'{name}<span style="{MATCH_STYLE}">{escape(text[start:end])}</span>')
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def hit_html(hit: SearchHit) -> str:
    """A record that has no card or source to open on (a note on a topic or a briefing)."""
    kind = KIND_TITLES[hit.kind].rstrip("s")
    detail = ""
    if hit.detail:
        detail = f'<p class="muted">{kind} &middot; {isolated_html(hit.detail)}</p>'
    snippet = marked_html(hit.snippet, hit.highlights, anchor=True)
    if needs_isolation(hit.snippet):  # the marks stay inside the isolate
        snippet = f"<bdi>{FSI}{snippet}{PDI}</bdi>"
    return f"<h1>{isolated_html(hit.title)}</h1>{detail}<p>{snippet}</p>"


def note_html(hit: SearchHit, note: NoteSummary) -> str:
    """A note that no card shows (on a source or a briefing): all of it, as the details show
    notes."""
    privacy = "Private" if note.private else "Shareable"
    tags = "".join(f" &middot; #{escape(tag)}" for tag in note.tags)
    edited = note.updated_at.strftime("%d %b %Y %H:%M UTC")
    return (
        f"<h1>{escape(hit.title)}</h1>"
        f'<p class="muted">Note &middot; {privacy} &middot; edited {escape(edited)}{tags}</p>'
        f"{render_markdown(note.body)}"
    )
