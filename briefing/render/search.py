"""HTML for what search opens outside a card: a source with its matches marked, or a lone hit.

No Qt here; the GUI shows these in the details panel. Every value from the store is escaped, and
marked words become `<span class="match">`; the first carries the anchor `first-match` so that
the view can scroll to it.
"""

from __future__ import annotations

from html import escape

from briefing.core.search import KIND_TITLES, SearchHit, SourceView

FIRST_MATCH = "first-match"
# The details style sheet knows nothing of matches: the colour is set here, where marks are made.
MATCH_STYLE = "background-color: #fff1a8; font-weight: bold;"


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


def source_html(source: SourceView) -> str:
    about = [source.publisher, source.author]
    if source.published:
        about.append(source.published.isoformat())
    citation = " &middot; ".join(escape(part) for part in about if part)
    matches = len(source.highlights)
    found = f"{matches} match{'es' if matches != 1 else ''} marked" if matches else ""
    body = marked_html(source.text, source.highlights, anchor=True)
    paragraphs = "".join(
        f"<p>{paragraph.replace(chr(10), '<br>')}</p>"
        for paragraph in body.split("\n\n")
        if paragraph.strip()
    )
    url = f'<p class="muted">{escape(source.url)}</p>' if source.url else ""
    return (
        f"<h1>{escape(source.title)}</h1>"
        f'<p class="muted">Source &middot; {citation}</p>{url}'
        f'<p class="muted">{found}</p>'
        f"<h2>Text</h2>{paragraphs}"
    )


def hit_html(hit: SearchHit) -> str:
    """A record that has no card or source to open on (a note on a topic or a briefing)."""
    kind = KIND_TITLES[hit.kind].rstrip("s")
    detail = f'<p class="muted">{kind} &middot; {escape(hit.detail)}</p>' if hit.detail else ""
    return (
        f"<h1>{escape(hit.title)}</h1>{detail}"
        f"<p>{marked_html(hit.snippet, hit.highlights, anchor=True)}</p>"
    )
