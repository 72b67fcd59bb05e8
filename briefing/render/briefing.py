"""A briefing as one HTML document (for the PDF, the HTML export and the preview) or Markdown.

Both renderers read the same `BriefingContent`, so the three exports say the same thing. Every
value from the store is escaped; Markdown (introduction, summaries, notes) goes through the
sanitising `render_markdown`, with its headings pushed below the document's own so that a note's
"# Title" cannot pose as a section. The HTML keeps to the CSS subset QTextDocument understands
(no flexbox, no floats): the PDF exporter lays it out with Qt, and a browser shows it as well.

Colours follow the app (render/palette.py); a stance or a status is always
spelled out in words too, so the printout reads the same in black and white.

In the PDF the table of contents gets page numbers: `html_document(..., toc_pages=True)` leaves a
placeholder (`toc_placeholder(n)`) in each entry's page cell for the exporter to fill in once it
knows where each heading landed. Each section heading is the document's only kind of <h1>.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote as percent_encode

from briefing.core.briefings import (
    GLANCE_TITLE,
    MAP_TITLE,
    TIMELINE_TITLE,
    BriefingContent,
    CitedQuote,
    ComparisonSection,
    NoteBlock,
    NotesSection,
    QuotesSection,
    Section,
    SourceEntry,
    StakeholderSection,
)
from briefing.core.dates import format_date
from briefing.core.timeline import MAP_STANCES, StakeholderMap, Timeline
from briefing.render import palette
from briefing.render.detail import ANSWER_LABELS, kind_label, stance_label
from briefing.render.markdown import is_safe_link, render_markdown
from briefing.render.primary import REWORDED_WORDS
from briefing.text import isolate, isolated_html

# The app's stance colours (`briefing.render.palette`, the window's too).
STANCE_COLOURS = palette.STANCE
STATUS_WORDS = {
    "exact": "Verified",
    "normalized": "Verified (typography differs)",
    "altered": "Altered",
    "not_found": "Not found in source",
}
CONFLICT_WORDS = "another source reports these words differently (Appendix B)"
# A stakeholder per column beyond this many makes columns too narrow to read: the table is split.
MAX_COMPARISON_COLUMNS = 5

FONT_FAMILY = "'DejaVu Sans', 'Noto Sans', 'Liberation Sans', Arial, sans-serif"
# The drawings of PDF and ODT: an <img> whose address names the figure; the exporter paints it
# (`briefing.export.figures`). Its nominal size is in CSS pixels, scaled to the page's width.
FIGURE_SCHEME = "figure"
FIGURE_WIDTH = 640
FIGURE_LANES = 30  # lanes drawn in an export's timeline; the words list every one

STYLE = f"""
body {{ font-family: {FONT_FAMILY}; font-size: 10pt; color: {palette.TEXT}; }}
h1 {{ font-size: 16pt; color: {palette.INK}; margin: 0 0 6px 0; }}
h2 {{ font-size: 12pt; color: {palette.INK}; margin: 12px 0 4px 0; }}
h3 {{ font-size: 10.5pt; margin: 10px 0 2px 0; }}
h4, h5, h6 {{ font-size: 10pt; margin: 8px 0 2px 0; }}
p {{ margin: 3px 0 5px 0; }}
a {{ color: {palette.LINK}; text-decoration: none; }}
.title {{ font-size: 26pt; font-weight: bold; color: {palette.INK}; margin: 0 0 10px 0; }}
.subtitle {{ font-size: 14pt; color: {palette.MUTED}; margin: 0 0 28px 0; }}
.meta td {{ padding: 3px 14px 3px 0; font-size: 11pt; }}
.label {{ color: {palette.MUTED}; }}
.muted, .citation {{ color: {palette.MUTED}; }}
.small {{ font-size: 8.5pt; }}
.private-warning {{ color: {palette.PRIVATE}; font-weight: bold; }}
.toc td {{ padding: 3px 4px; font-size: 10.5pt; }}
.toc .page {{ text-align: right; }}
.headline {{ font-weight: bold; font-size: 11pt; margin: 6px 0 6px 0; }}
.stance {{ font-weight: bold; }}
.words {{ font-style: italic; margin: 6px 0 0 14px; }}
.citation {{ font-size: 8.5pt; margin: 1px 0 6px 14px; }}
.qno {{ font-weight: bold; color: {palette.INK}; font-style: normal; }}
.ok {{ color: {palette.OK}; }}
.altered {{ color: {palette.WARNING}; font-weight: bold; }}
.not_found {{ color: {palette.ERROR}; font-weight: bold; }}
.diff {{ font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt; }}
.note {{ margin: 4px 0 8px 0; }}
.private {{ color: {palette.PRIVATE}; font-weight: bold; }}
.grid {{ border-collapse: collapse; }}
.grid th {{ background-color: {palette.INK}; color: #ffffff; font-size: 8.5pt; padding: 4px; }}
.grid td {{ font-size: 8.5pt; padding: 4px; vertical-align: top; }}
.grid .question {{ font-weight: bold; background-color: {palette.WINDOW_BACKGROUND}; }}
.comment {{ font-size: 7.5pt; }}
.yes {{ color: {palette.OK}; font-weight: bold; }}
.no {{ color: {palette.ERROR}; font-weight: bold; }}
.partly {{ color: {palette.WARNING}; font-weight: bold; }}
.unknown {{ color: {palette.MUTED}; font-weight: bold; }}
.sources td {{ font-size: 8.5pt; padding: 3px 6px 3px 0; vertical-align: top; }}
.hash {{ font-family: 'DejaVu Sans Mono', monospace; font-size: 7pt; color: {palette.MUTED}; }}
.remote-image {{ color: {palette.MUTED}; }}
"""


def toc_placeholder(index: int) -> str:
    """The text standing in for the page number of the contents' entry `index` (0-based)."""
    return f"\u2063{index:03d}\u2063"  # invisible separators: nothing in a briefing contains them


def anchor(index: int) -> str:
    return f"section-{index + 1}"


_TABLE_START = re.compile(r"<table\b[^>]*>")
_PAGE_BREAK = "page-break-before: always; "


def _breaking(start_tag: str) -> str:
    """A table's start tag that also starts a new page."""
    if 'style="' in start_tag:
        return start_tag.replace('style="', f'style="{_PAGE_BREAK}', 1)
    return start_tag[:-1] + f' style="{_PAGE_BREAK.strip()}">'


def split_tables(html: str, breaks: dict[int, int | Sequence[int]]) -> str:
    """Start a new page before row `breaks[i]` of the i-th table (0-based, header rows counted),
    or before each of the rows `breaks[i]` lists.

    The PDF exporter calls this when Qt would cut a row in two across a page: Qt has no
    "keep row together", but it honours a page break before a table. Row 0 moves the whole
    table; a later row ends the table there and opens a copy (same attributes, same header
    row) on the next page. The document's tables are never nested (render_markdown's tables
    sit at the top level too), so the i-th "<table" is the i-th table Qt lays out.
    """
    starts = list(_TABLE_START.finditer(html))
    for index in sorted(breaks, reverse=True):
        wanted = breaks[index]
        rows = sorted({wanted} if isinstance(wanted, int) else set(wanted))
        match = starts[index]
        tag = match.group(0)
        start_tag = _breaking(tag) if rows and rows[0] == 0 else tag
        parts = _parts(html, match)
        pieces = [r for r in rows if 0 < r < len(parts.row_starts)]
        if not pieces:
            html = html[: match.start()] + start_tag + html[match.end() :]
            continue
        body = parts.body
        for cut in reversed(pieces):
            at = parts.row_starts[cut]
            header = parts.header if parts.header_end <= at else ""
            in_body = body.rfind("<tbody", 0, at) > body.rfind("</tbody>", 0, at)
            close, reopen = ("</tbody>", "<tbody>") if in_body else ("", "")
            body = body[:at] + f"{close}</table>{_breaking(tag)}{header}{reopen}" + body[at:]
        html = html[: match.start()] + start_tag + body + html[parts.end :]
    return html


@dataclass(frozen=True)
class TableParts:
    """One table of the HTML, cut where its rows start (what `split_tables` cuts at)."""

    start: int  # where its start tag starts in the HTML
    tag: str  # its start tag
    body: str  # what lies between the start tag and "</table>"
    end: int  # where its "</table>" starts in the HTML
    row_starts: tuple[int, ...]  # where each "<tr" starts in `body`, header rows included
    header: str  # "<thead>...</thead>", or ""
    header_end: int  # where the header ends in `body` (0 without one)

    def piece(self, start: int, stop: int) -> str:
        """A table of rows [start, stop) as `split_tables` makes it when it breaks before `start`
        (a new page, the header repeated), closed after `stop`: for laying out on its own."""
        ends = self.row_starts[1:] + (len(self.body),)
        rows = self.body[self.row_starts[start] : ends[stop - 1]]
        rows = re.sub(r"</?tbody\b[^>]*>", "", rows)
        in_body = "<tbody" in self.body
        open_, close = ("<tbody>", "</tbody>") if in_body else ("", "")
        return f"{_breaking(self.tag)}{self.header}{open_}{rows}{close}</table>"

    def opening(self, stop: int) -> str:
        """The table as written, cut after its first `stop` rows (header rows counted)."""
        ends = self.row_starts[1:] + (len(self.body),)
        rows = self.body[: ends[stop - 1]]
        unclosed = rows.count("<tbody") > rows.count("</tbody>")
        return f"{self.tag}{rows}{'</tbody>' if unclosed else ''}</table>"


def table_parts(html: str, index: int) -> TableParts:
    """The `index`-th table of `html` (0-based), as `TableParts`."""
    return _parts(html, list(_TABLE_START.finditer(html))[index])


def all_tables(html: str) -> list[TableParts]:
    """Every table of `html`, in order, as `TableParts`."""
    return [_parts(html, match) for match in _TABLE_START.finditer(html)]


def _parts(html: str, match: re.Match) -> TableParts:
    end = html.index("</table>", match.end())
    body = html[match.end() : end]
    head = re.search(r"<thead\b.*?</thead>", body, flags=re.S)
    return TableParts(
        start=match.start(),
        tag=match.group(0),
        body=body,
        end=end,
        row_starts=tuple(m.start() for m in re.finditer(r"<tr\b", body)),
        header=head.group(0) if head else "",
        header_end=head.end() if head else 0,
    )


_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def _u(text: str) -> str:
    """User text, escaped and isolated (`briefing.text.isolated_html`)."""
    return isolated_html(text)


def _markdown(text: str) -> str:
    """Sanitised HTML for user Markdown, its headings demoted below the document's (h4-h6)."""
    html = render_markdown(text)
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 3, 6)}>", html)


def _stance_badge(stance: str | None) -> str:
    background, text = palette.stance_pair(stance)
    return (
        f'<span class="stance" style="background-color: {background}; color: {text};">'
        f"&nbsp;{escape(stance_label(stance))}&nbsp;</span>"
    )


def _status(quote: CitedQuote) -> str:
    css = "ok" if quote.status in ("exact", "normalized") else quote.status
    mark = "\u2713" if css == "ok" else "\u26a0"
    # Non-breaking: the status wraps as one piece, never as a lone mark or a lone word.
    words = escape(STATUS_WORDS[quote.status]).replace(" ", "&nbsp;")
    status = f'<span class="{css}">{mark}&nbsp;{words}</span>'
    if quote.conflicts:
        status += f' &middot; <span class="altered">\u26a0 {CONFLICT_WORDS}</span>'
    if quote.reworded:
        status += f' &middot; <span class="altered">\u26a0 {REWORDED_WORDS}</span>'
    return status


def _who(quote: CitedQuote) -> str:
    who = _u(quote.speaker)
    return f"reported, about {who}" if quote.attribution == "reported" else who


def _when(quote: CitedQuote) -> str:
    """The quote's date; "reported" is said once, by the attribution, not again by the date."""
    if quote.attribution == "reported" and quote.when.startswith("reported "):
        return quote.when.removeprefix("reported ")
    return quote.when


def _quote(quote: CitedQuote) -> str:
    return (
        f'<p class="words"><a name="q{quote.number}"></a>'
        f'<span class="qno">Q{quote.number}</span>&nbsp; '
        f"\u201c{_u(quote.text)}\u201d</p>"
        f'<p class="citation">\u2014 {_who(quote)}, <i>{_u(quote.source_title)}</i>, '
        f'{escape(quote.dated or _when(quote))}&nbsp;<a href="#source-{quote.source_number}">'
        f"[{quote.source_number}]</a>&nbsp;&middot;&nbsp;{_status(quote)}</p>"
    )


def _note(note: NoteBlock) -> str:
    label = (
        # Words, not a padlock emoji: the PDF is set in fonts that may have no such glyph.
        '<span class="private">PRIVATE NOTE \u2014 not for circulation</span>'
        if note.private
        else '<span class="muted">Note</span>'
    )
    on = f' <span class="muted">on {_u(note.attached_to)}</span>' if note.attached_to else ""
    body = f'<div dir="auto">{_markdown(note.body)}</div>'
    return f'<div class="note"><p class="small">{label}{on}</p>{body}</div>'


def _ref(number: int | None) -> str:
    if number is None:
        return '<span class="muted">(no quote)</span>'
    return f'<a href="#q{number}">Q{number}</a>'


def _comparison(section: ComparisonSection) -> str:
    parts = [
        '<p class="muted">Each answer cites the quote that backs it (Q numbers refer to the '
        "quotes in the stakeholder sections below).</p>"
    ]
    count = len(section.stakeholders)
    for start in range(0, count, MAX_COMPARISON_COLUMNS):
        columns = range(start, min(start + MAX_COMPARISON_COLUMNS, count))
        # Fixed widths: the question column, then equal shares, so nothing runs off the page.
        share = 70 // len(columns)
        head = ['<th width="30%" align="left">Question</th>']
        for c in columns:
            head.append(
                f'<th width="{share}%" align="left">{_u(section.stakeholders[c])}<br>'
                f"{_stance_badge(section.stances[c])}</th>"
            )
        rows = ["<thead><tr>" + "".join(head) + "</tr></thead>"]
        for q, question in enumerate(section.questions):
            cells = [f'<td class="question" width="30%">{_u(question)}</td>']
            for c in columns:
                cell = section.cells[q][c]
                if cell is None:
                    cells.append(f'<td width="{share}%" class="muted">No answer recorded</td>')
                    continue
                comment = (
                    f'<br><span class="comment">{_u(cell.comment)}</span>' if cell.comment else ""
                )
                cells.append(
                    f'<td width="{share}%"><span class="{escape(cell.answer)}">'
                    f"{escape(ANSWER_LABELS.get(cell.answer, cell.answer))}</span> "
                    f"{_ref(cell.quote_number)}{comment}</td>"
                )
            rows.append("<tr>" + "".join(cells) + "</tr>")
        parts.append(
            '<table class="grid" width="100%" border="1" cellspacing="0" cellpadding="4" '
            f'style="border-color: {palette.BORDER};">' + "".join(rows) + "</table><p></p>"
        )
    return "".join(parts)


def _stakeholder(section: StakeholderSection) -> str:
    about = escape(kind_label(section.kind))
    if section.speaks_for:
        about += f" &middot; speaks for {_u(section.speaks_for)}"
    if section.members:
        about += " &middot; including " + ", ".join(map(_u, section.members))
    when = f" &middot; as of {escape(format_date(section.as_of))}" if section.as_of else ""
    parts = [
        f'<p>{_stance_badge(section.stance)} &nbsp;<span class="muted">{about}{when}</span></p>'
    ]
    if section.description:
        parts.append(f'<p class="muted">{_u(section.description)}</p>')
    if section.headline:
        parts.append(f'<p class="headline">{_u(section.headline)}</p>')
    if section.summary:
        parts.append(_markdown(section.summary))
    if section.quotes:
        parts.append("<h3>Quotes</h3>")
        parts.extend(_quote(q) for q in section.quotes)
    if section.notes:
        parts.append("<h3>Notes</h3>")
        parts.extend(_note(n) for n in section.notes)
    return "".join(parts)


def _section_body(section: Section) -> str:
    if isinstance(section, ComparisonSection):
        return _comparison(section)
    if isinstance(section, StakeholderSection):
        return _stakeholder(section)
    if isinstance(section, QuotesSection):
        return "".join(_quote(q) for q in section.quotes)
    if isinstance(section, NotesSection):
        return "".join(_note(n) for n in section.notes)
    raise TypeError(f"unknown section {section!r}")


def _glance(content: BriefingContent) -> str:
    rows = [
        '<thead><tr><th width="26%" align="left">Stakeholder</th>'
        '<th width="16%" align="left">Stance</th><th align="left">Position</th></tr></thead>'
    ]
    for section in content.glance:
        headline = _u(section.headline) or '<span class="muted">No position recorded</span>'
        rows.append(
            f'<tr><td width="26%"><b>{_u(section.title)}</b><br>'
            f'<span class="muted">{escape(kind_label(section.kind))}</span></td>'
            f'<td width="16%">{_stance_badge(section.stance)}</td><td>{headline}</td></tr>'
        )
    return (
        '<table class="grid" width="100%" border="1" cellspacing="0" cellpadding="4" '
        f'style="border-color: {palette.BORDER};">' + "".join(rows) + "</table>"
    )


# -- the timeline and the map in words --------------------------------------------------------


def figure_timeline(timeline: Timeline) -> Timeline:
    """The part of the timeline an export draws: the first `FIGURE_LANES` lanes (the cards'
    order: the most influential first) and the topic's own lane."""
    if len(timeline.lanes) <= FIGURE_LANES:
        return timeline
    from dataclasses import replace

    own = [lane for lane in timeline.lanes if lane.stakeholder_id is None]
    return replace(timeline, lanes=(*timeline.lanes[:FIGURE_LANES], *own))


def timeline_height(timeline: Timeline) -> int:
    """The nominal height of the drawn timeline at `FIGURE_WIDTH` (CSS pixels): an axis, a
    legend and a lane per stakeholder, in lines of the figure's 8 point text."""
    line = 12.6
    return round(line * (2.4 + 1.8 + 2.4 * len(timeline.lanes)))


MAP_HEIGHT = 420


def timeline_words(timeline: Timeline) -> list[tuple[str, str]]:
    """What the timeline shows, a line per lane: (name, what happened when)."""
    lines = []
    for lane in timeline.lanes:
        parts = []
        for span in lane.spans:
            until = f" until {format_date(span.end)}" if span.end else ""
            parts.append(
                f"{stance_label(span.stance).lower()} from {format_date(span.start)}{until}"
            )
        events = [m for m in lane.marks if m.kind == "event"]
        quotes = [m for m in lane.marks if m.kind == "quote"]
        words = "; ".join(parts)
        if events:
            happened = "; ".join(f"{m.when}: {m.label}" for m in events)
            words += (". " if words else "") + f"Events: {happened}"
        if quotes:
            first, last = quotes[0].on, quotes[-1].on
            span = (
                format_date(first)
                if first == last
                else f"{format_date(first)} to {format_date(last)}"
            )
            count = f"{len(quotes)} quote{'s' if len(quotes) != 1 else ''}"
            words += (". " if words else "") + f"{count}, {span}"
        lines.append((lane.name, (words or "nothing dated") + "."))
    return lines


def map_words(chart: StakeholderMap) -> list[tuple[str, str]]:
    """What the map shows, a line per stance: (stance, who by influence, the strongest first)."""
    lines = []
    for stance in MAP_STANCES:
        here = [p for p in chart.points if p.stance == stance]
        if not here:
            continue
        levels = []
        for level in (5, 4, 3, 2, 1, None):
            names = [p.name for p in here if p.influence == level]
            if names:
                label = f"influence {level}" if level else "influence not recorded"
                levels.append(f"{label}: {', '.join(names)}")
        title = stance_label(stance) if stance else "No position"
        lines.append((title, "; ".join(levels) + "."))
    return lines


def _timeline_section(content: BriefingContent, figures: bool) -> str:
    timeline = content.timeline
    drawn = figure_timeline(timeline)
    parts = []
    if figures:
        parts.append(
            f'<p><img src="{FIGURE_SCHEME}:timeline" width="{FIGURE_WIDTH}" '
            f'height="{timeline_height(drawn)}" alt="Positions over time"></p>'
        )
        if len(drawn.lanes) < len(timeline.lanes):
            parts.append(
                f'<p class="muted">The drawing shows the first {FIGURE_LANES} of '
                f"{len(timeline.lanes)} stakeholders; every one is listed below.</p>"
            )
    parts.append(
        '<p class="muted">Each stakeholder\'s stance from one dated position to the next, '
        "and the events and quotes of their record, by date"
        + (f"; the line marks {escape(format_date(timeline.as_of))}" if timeline.as_of else "")
        + ".</p>"
    )
    parts.append(_words_table((_u(name), words) for name, words in timeline_words(timeline)))
    return "".join(parts)


def _words_table(rows) -> str:
    """The figures' words as a table: a name (already escaped) and a row of words each, so the
    timeline and the map read the same in print and to a screen reader."""
    cells = "".join(
        f'<tr><td width="26%"><b>{name}</b></td><td>{_u(words)}</td></tr>' for name, words in rows
    )
    return (
        '<table class="grid" width="100%" border="1" cellspacing="0" cellpadding="4" '
        f'style="border-color: #d0d7de;">{cells}</table>'
    )


def _map_section(content: BriefingContent, figures: bool) -> str:
    chart = content.stakeholder_map
    parts = []
    if figures:
        parts.append(
            f'<p><img src="{FIGURE_SCHEME}:map" width="{FIGURE_WIDTH}" height="{MAP_HEIGHT}" '
            'alt="Stakeholder map"></p>'
        )
    when = f" as of {escape(format_date(chart.as_of))}" if chart.as_of else ""
    parts.append(
        f'<p class="muted">Stance across, influence up (1 to 5){when}. By stance, the most '
        "influential first:</p>"
    )
    parts.append(_words_table((escape(title), words) for title, words in map_words(chart)))
    return "".join(parts)


def _not_recorded(source: SourceEntry) -> str:
    """What the store does not know about a source, said rather than left out, so a reader can
    tell a source without a web address from an omission."""
    missing = [
        name
        for name, value in (
            ("publisher", source.publisher),
            ("date", source.published),
            ("web address", source.url),
        )
        if not value
    ]
    if not missing:
        return ""
    listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
    return f"No {listed} recorded."


def _number_width(largest: int) -> int:
    """The percentage of the page the sources' "[n]" column needs up to "[largest]": "[99]"
    fits 6%, and each more digit takes about 1.6% (a bold digit at 10 pt on A4 or Letter), so
    "[106]" no longer wraps its "]" onto a line of its own."""
    return 6 + math.ceil(1.6 * max(0, len(str(largest)) - 2))


def _source(source: SourceEntry, number_width: int = 6) -> str:
    by = ", ".join(
        _u(part)
        for part in (
            source.publisher,
            source.author,
            format_date(source.published) if source.published else "",
        )
        if part
    )
    url = (
        f'<br><a href="{escape(source.url, quote=True)}">{escape(source.url)}</a>'
        if source.url.startswith(("http://", "https://"))
        else (f"<br>{escape(source.url)}" if source.url else "")
    )
    missing = _not_recorded(source)
    missing = f'<br><span class="muted">{missing}</span>' if missing else ""
    by = f"<br>{by}" if by else ""
    return (
        f'<tr><td width="{number_width}%"><b><a name="source-{source.number}"></a>'
        f"[{source.number}]</b></td>"
        f"<td><b>{_u(source.title)}</b>{by}{url}{missing}<br>"
        f'<span class="hash">sha256 {escape(source.sha256)}</span></td></tr>'
    )


def _unverified(content: BriefingContent) -> str:
    if not content.unverified:
        total = len(content.all_quotes)
        return (
            f'<p class="ok">\u2713 Every one of the {total} quotes in this briefing matches its '
            "stored source, exactly or apart from typography.</p>"
        ) + _conflicting(content)
    parts = [
        "<p>These quotes do not match the stored copy of their source. Check them before "
        "relying on them.</p>"
    ]
    for quote in content.unverified:
        diff = f'<br><span class="diff">Difference: {_u(quote.diff)}</span>' if quote.diff else ""
        parts.append(
            f'<p class="citation"><a href="#q{quote.number}"><b>Q{quote.number}</b></a> '
            f"{_status(quote)} \u2014 \u201c{_u(quote.text)}\u201d \u2014 {_who(quote)}, "
            f"source [{quote.source_number}]{diff}</p>"
        )
    return "".join(parts) + _conflicting(content)


def _conflicting(content: BriefingContent) -> str:
    if not content.conflicting:
        return ""
    parts = [
        "<p>These quotes match their own source, but another source reports the same words "
        "differently, or the speaker\u2019s own primary document (their letter or statement) "
        "words them otherwise (in the differences, [-words-] are this quote\u2019s, {+words+} "
        "the other source\u2019s). Check which is right before relying on them.</p>"
    ]
    for quote in content.conflicting:
        lines = "".join(
            f'<br><span class="diff">{_u(line)}</span>'
            for line in (*quote.conflicts, *([quote.reworded] if quote.reworded else []))
        )
        parts.append(
            f'<p class="citation"><a href="#q{quote.number}"><b>Q{quote.number}</b></a> '
            f"\u2014 \u201c{_u(quote.text)}\u201d \u2014 {_who(quote)}, "
            f"source [{quote.source_number}]{lines}</p>"
        )
    return "".join(parts)


def _title_page(content: BriefingContent) -> str:
    rows = []
    for label, value in (
        ("Topic", content.topic if content.topic != content.title else ""),
        ("Prepared for", content.audience),
        ("Prepared by", content.author),
        ("Date", format_date(content.dated) if content.dated else ""),
        ("As of", format_date(content.as_of) if content.as_of else ""),
    ):
        if value:
            rows.append(f'<tr><td class="label">{label}</td><td>{_u(value)}</td></tr>')
    stakeholders = sum(isinstance(s, StakeholderSection) for s in content.sections)
    summary = (
        f"{stakeholders} stakeholder{'s' if stakeholders != 1 else ''}, "
        f"{len(content.all_quotes)} quote{'s' if len(content.all_quotes) != 1 else ''} "
        f"from {len(content.sources)} source{'s' if len(content.sources) != 1 else ''}; "
        f"{len(content.all_quotes) - len(content.unverified)} verified against the stored source."
    )
    counts: dict[str | None, int] = {}
    for section in content.glance:
        counts[section.stance] = counts.get(section.stance, 0) + 1
    order = ["opposes", "conditional", "supports", "unclear", None]
    stances = " &nbsp; ".join(
        f"{_stance_badge(stance)} {counts[stance]}" for stance in order if stance in counts
    )
    stances = (
        f'<p style="margin-top: 18px;"><span class="label">Stances:</span> &nbsp;{stances}</p>'
        if stances
        else ""
    )
    warning = (
        '<p class="private-warning">This copy includes PRIVATE NOTES. Do not circulate.</p>'
        if content.include_private
        else ""
    )
    as_of = (
        f'<p class="as-of"><b>As of {escape(format_date(content.as_of))}:</b> each '
        "stakeholder's position, quotes and answers as they stood on that day. Later changes "
        "are left out.</p>"
        if content.as_of
        else ""
    )
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr><td height="140"></td></tr>'
        "</table>"
        '<p class="muted" style="font-size: 11pt;">BRIEFING</p>'
        f'<p class="title">{_u(content.title)}</p>'
        + (f'<table class="meta" cellspacing="0">{"".join(rows)}</table>' if rows else "")
        + as_of
        + f"{stances}"
        f'<p style="margin-top: 30px;" class="muted">{escape(summary)}</p>{warning}'
    )


def html_document(
    content: BriefingContent, *, toc_pages: bool = False, figures: bool = False
) -> str:
    """The whole briefing as one sanitised HTML document. With `figures` (PDF and ODT), the map
    and the timeline are drawn as well as told (`<img src="figure:...">`, painted by the
    exporter); without, they are told in words only."""
    titles = content.section_titles
    toc_rows = []
    for index, title in enumerate(titles):
        page = f'<td class="page" width="12%">{toc_placeholder(index)}</td>' if toc_pages else ""
        toc_rows.append(f'<tr><td><a href="#{anchor(index)}">{_u(title)}</a></td>{page}</tr>')
    bodies = []
    if content.introduction.strip():
        bodies.append(_markdown(content.introduction))
    if content.glance:
        bodies.append(_glance(content))
    if content.stakeholder_map is not None:
        bodies.append(_map_section(content, figures))
    if content.timeline is not None:
        bodies.append(_timeline_section(content, figures))
    bodies += [_section_body(section) for section in content.sections]
    number_width = _number_width(max((source.number for source in content.sources), default=0))
    sources = "".join(_source(source, number_width) for source in content.sources)
    bodies.append(f'<table class="sources" width="100%">{sources}</table>')
    bodies.append(_unverified(content))
    # A new page for each part, but stakeholders follow one another, as do the appendices and
    # the introduction and the overview: a page per stakeholder would be mostly white.
    kinds = (["intro"] if content.introduction.strip() else []) + (
        ["intro"] if content.glance else []
    )
    kinds += ["figure"] * ((content.stakeholder_map is not None) + (content.timeline is not None))
    kinds += [type(section).__name__ for section in content.sections] + ["appendix", "appendix"]
    sections = []
    for i, (title, body) in enumerate(zip(titles, bodies, strict=True)):
        flowing = ("StakeholderSection", "QuotesSection", "NotesSection")
        flows = (
            i > 0
            and (
                (kinds[i] == kinds[i - 1] and kinds[i] in ("intro", *flowing, "appendix"))
                # A run of single quotes or notes follows the text before it: alone on a page,
                # one quote would leave it nearly white.
                or (kinds[i] in flowing[1:] and kinds[i - 1] in flowing)
            )
        )
        style = ' style="margin-top: 18px;"' if flows else ' style="page-break-before: always;"'
        sections.append(f'<h1{style}><a name="{anchor(i)}"></a>{_u(title)}</h1>{body}')
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{escape(content.title)}</title><style>{STYLE}</style></head><body>"
        f"{_title_page(content)}"
        '<h2 style="page-break-before: always; font-size: 16pt;">Contents</h2>'
        f'<table class="toc" width="100%" cellspacing="0">{"".join(toc_rows)}</table>'
        f"{''.join(sections)}</body></html>"
    )


# -- Markdown -----------------------------------------------------------------------------------


def _md_text(text: str) -> str:
    """Plain text made inert in Markdown: no markup, no raw HTML."""
    text = " ".join(text.split())
    text = re.sub(r"([\\`*_\[\]#<>|])", r"\\\1", text)
    return isolate(text)  # U+2068 ... U+2069: an override inside cannot reorder what follows


# A Markdown link or image, `[words](target "title")` / `![alt](target)`, and a reference
# definition, `[name]: target`: the places where Markdown makes a viewer fetch or follow.
_MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*([^)\s]*)[^)\n]*\)")
_MD_DEFINITION = re.compile(r"(?m)^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*)(\S+)")


def _md_link(match: re.Match) -> str:
    image, words, target = match.groups()
    if image:  # a viewer would fetch it: the export names it instead, as the app's views do
        return f"[image: {words} \u2014 {_md_text(target)}]".replace("[", "\\[", 1)
    return match.group(0) if is_safe_link(target) else words


def _md_user(markdown_text: str) -> str:
    """User Markdown kept as Markdown, made as safe to open as the HTML export: raw HTML made
    literal (`<` as `&lt;`), images (every form) named rather than fetched, and links kept only
    to web, mail or the document itself; headings demoted below the document's."""
    body = markdown_text.replace("<", "&lt;").strip()
    body = _MD_LINK.sub(_md_link, body)
    # Every other image form (reference-style `![x][r1]`, collapsed `![r1][]`, shortcut `![r1]`,
    # an alt text over two lines, nested brackets) starts with "![" too: with its bracket made
    # literal, what is left is at most a link, which a viewer shows but does not fetch.
    body = body.replace("![", "!\\[")
    body = _MD_DEFINITION.sub(
        lambda m: m.group(0) if is_safe_link(m.group(2)) else m.group(1) + "#", body
    )
    return re.sub(r"^(#{1,3})(?=\s)", lambda m: "#" * (len(m.group(1)) + 3), body, flags=re.M)


def _md_quote(quote: CitedQuote) -> list[str]:
    who = _md_text(quote.speaker)
    if quote.attribution == "reported":
        who = f"reported, about {who}"
    dated = _md_text(quote.dated or _when(quote))
    return [
        f"> **Q{quote.number}** \u201c{_md_text(quote.text)}\u201d",
        ">",
        f"> \u2014 {who}, *{_md_text(quote.source_title)}*, {dated} "
        f"[{quote.source_number}] \u00b7 {STATUS_WORDS[quote.status]}"
        + (f" \u00b7 \u26a0 {CONFLICT_WORDS}" if quote.conflicts else "")
        + (f" \u00b7 \u26a0 {REWORDED_WORDS}" if quote.reworded else ""),
        "",
    ]


def _md_note(note: NoteBlock) -> list[str]:
    label = "**PRIVATE NOTE \u2014 not for circulation**" if note.private else "*Note*"
    on = f" on {_md_text(note.attached_to)}" if note.attached_to else ""
    return [f"{label}{on}", "", _md_user(note.body), ""]


def _md_section(section: Section) -> list[str]:
    lines: list[str] = []
    if isinstance(section, ComparisonSection):
        names = [_md_text(n) for n in section.stakeholders]
        stances = [stance_label(s) for s in section.stances]
        lines.append(
            "| Question | "
            + " | ".join(f"{n} ({s})" for n, s in zip(names, stances, strict=True))
            + " |"
        )
        lines.append("|---" * (len(names) + 1) + "|")
        for question, row in zip(section.questions, section.cells, strict=True):
            cells = []
            for cell in row:
                if cell is None:
                    cells.append("no answer recorded")
                    continue
                ref = f" Q{cell.quote_number}" if cell.quote_number else " (no quote)"
                comment = f" \u2014 {_md_text(cell.comment)}" if cell.comment else ""
                cells.append(f"**{ANSWER_LABELS.get(cell.answer, cell.answer)}**{ref}{comment}")
            lines.append(f"| {_md_text(question)} | " + " | ".join(cells) + " |")
        lines.append("")
    elif isinstance(section, StakeholderSection):
        about = kind_label(section.kind)
        if section.speaks_for:
            about += f", speaks for {_md_text(section.speaks_for)}"
        when = f", as of {format_date(section.as_of)}" if section.as_of else ""
        lines += [f"**Stance: {stance_label(section.stance)}** \u00b7 {about}{when}", ""]
        if section.description:
            lines += [_md_text(section.description), ""]
        if section.headline:
            lines += [f"**{_md_text(section.headline)}**", ""]
        if section.summary:
            lines += [_md_user(section.summary), ""]
        if section.quotes:
            lines += ["### Quotes", ""]
            for quote in section.quotes:
                lines += _md_quote(quote)
        if section.notes:
            lines += ["### Notes", ""]
            for note in section.notes:
                lines += _md_note(note)
    elif isinstance(section, QuotesSection):
        for quote in section.quotes:
            lines += _md_quote(quote)
    elif isinstance(section, NotesSection):
        for note in section.notes:
            lines += _md_note(note)
    return lines


def markdown_document(content: BriefingContent) -> str:
    """The same briefing as Markdown, for pasting into e-mail or a wiki."""
    lines = [f"# {_md_text(content.title)}", ""]
    for label, value in (
        ("Topic", content.topic),
        ("Prepared for", content.audience),
        ("Prepared by", content.author),
        ("Date", format_date(content.dated) if content.dated else ""),
        ("As of", format_date(content.as_of) if content.as_of else ""),
    ):
        if value:
            lines.append(f"- **{label}:** {_md_text(value)}")
    if content.as_of:
        lines += [
            "",
            f"Each stakeholder's position, quotes and answers as they stood on "
            f"{format_date(content.as_of)}. Later changes are left out.",
        ]
    if content.include_private:
        lines += ["", "**This copy includes PRIVATE NOTES. Do not circulate.**"]
    lines.append("")
    lines += ["## Contents", ""]
    lines += [f"{i + 1}. {_md_text(title)}" for i, title in enumerate(content.section_titles)]
    lines.append("")
    if content.introduction.strip():
        lines += ["## Introduction", "", _md_user(content.introduction), ""]
    if content.glance:
        lines += [f"## {GLANCE_TITLE}", "", "| Stakeholder | Stance | Position |", "|---|---|---|"]
        lines += [
            f"| {_md_text(s.title)} | {stance_label(s.stance)} | {_md_text(s.headline)} |"
            for s in content.glance
        ]
        lines.append("")
    if content.stakeholder_map is not None:
        chart = content.stakeholder_map
        when = f" as of {format_date(chart.as_of)}" if chart.as_of else ""
        lines += [
            f"## {MAP_TITLE}",
            "",
            f"Stance across, influence up (1 to 5){when}. By stance, the most influential first:",
            "",
        ]
        lines += [f"- **{title}:** {_md_text(words)}" for title, words in map_words(chart)]
        lines.append("")
    if content.timeline is not None:
        timeline = content.timeline
        line = f"; the day marked is {format_date(timeline.as_of)}" if timeline.as_of else ""
        lines += [
            f"## {TIMELINE_TITLE}",
            "",
            "Each stakeholder's stance from one dated position to the next, and the events and "
            f"quotes of their record, by date{line}:",
            "",
        ]
        lines += [
            f"- **{_md_text(name)}:** {_md_text(words)}" for name, words in timeline_words(timeline)
        ]
        lines.append("")
    for section in content.sections:
        lines += [f"## {_md_text(section.title)}", ""]
        lines += _md_section(section)
    lines += ["## Appendix A: Sources", ""]
    for source in content.sources:
        by = ", ".join(
            p
            for p in (
                _md_text(source.publisher),
                _md_text(source.author),
                format_date(source.published) if source.published else "",
            )
            if p
        )
        # Percent-encoded, so that no character of a stored address can close the <...> early.
        address = percent_encode(source.url, safe=":/?#[]@!$&'()*+,;=%~")
        url = f" <{address}>" if source.url.startswith(("http://", "https://")) else ""
        by = f", {by}." if by else "."
        missing = f" {_not_recorded(source)}" if _not_recorded(source) else ""
        lines.append(
            f"{source.number}. **{_md_text(source.title)}**{by}{url}{missing} "
            f"sha256 `{source.sha256}`"
        )
    lines += ["", "## Appendix B: Quotes not verified", ""]
    if not content.unverified:
        lines.append(
            f"Every one of the {len(content.all_quotes)} quotes in this briefing matches its "
            "stored source, exactly or apart from typography."
        )
    for quote in content.unverified:
        diff = f" Difference: `{quote.diff.replace('`', '')}`" if quote.diff else ""
        lines.append(
            f"- **Q{quote.number}** {STATUS_WORDS[quote.status]}: "
            f"\u201c{_md_text(quote.text)}\u201d \u2014 {_md_text(quote.speaker)}, "
            f"source [{quote.source_number}].{diff}"
        )
    if content.conflicting:
        lines += [
            "",
            "These quotes match their own source, but another source reports the same words "
            "differently, or the speaker's own primary document words them otherwise "
            "(`[-this quote's-]` `{+the other source's+}`):",
            "",
        ]
    for quote in content.conflicting:
        lines.append(
            f"- **Q{quote.number}** \u201c{_md_text(quote.text)}\u201d \u2014 "
            f"{_md_text(quote.speaker)}, source [{quote.source_number}]."
        )
        lines += [f"  - `{line.replace('`', '')}`" for line in quote.conflicts]
        if quote.reworded:
            lines.append(f"  - `{quote.reworded.replace('`', '')}`")
    return "\n".join(lines).rstrip() + "\n"
