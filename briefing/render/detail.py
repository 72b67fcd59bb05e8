"""A stakeholder's detail panel as one HTML fragment (no Qt: the GUI shows it, tests read it).

Every value from the store is escaped; Markdown (position summaries, notes) goes through the
sanitising renderer. Statuses and stances are spelled out in words, colour only adds to them.

Quotes, the position and the notes heading carry `notes:KIND/ID` links (`notes_href`): the
window's Notes tab opens on that record's notes when one is clicked. A note's own Markdown
cannot make such a link (the sanitiser keeps only http, https and mailto).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from briefing.core.cards import NoteView, PositionView, QuoteView, StakeholderDetail
from briefing.core.dates import format_date
from briefing.core.notes import NoteSummary
from briefing.render.labels import KIND_LABELS as KIND_LABELS  # where they were
from briefing.render.labels import STANCE_LABELS as STANCE_LABELS
from briefing.render.labels import kind_label, stance_label
from briefing.render.markdown import render_markdown
from briefing.render.primary import primary_line_html
from briefing.text import isolate

ANSWER_LABELS = {"yes": "Yes", "no": "No", "partly": "Partly", "unknown": "Unknown"}
_STATUS_MARKS = {
    "exact": "\u2713",
    "normalized": "\u2713",
    "altered": "\u26a0",
    "not_found": "\u2717",
}
NOTES_SCHEME = "notes"
# The padlock beside a private note: drawn by the app and served by the details view itself
# (`briefing.ui.browser.SafeBrowser`), since not every system has a font with a padlock glyph.
LOCK_IMAGE = "briefing-image:lock"


# The link under a card's first quotes that asks for more of them (the details panel follows it).
MORE_QUOTES_HREF = "more:quotes"


def notes_href(kind: str, record_id: int) -> str:
    """The address of a link that opens the notes on one record."""
    return f"{NOTES_SCHEME}:{kind}/{int(record_id)}"


def _notes_link(kind: str, record_id: int, count: int | None, empty: str) -> str:
    words = (f"{count} note" if count == 1 else f"{count} notes") if count else empty
    return f'<a class="notes-link" href="{notes_href(kind, record_id)}">{words}</a>'




def _u(text: str) -> str:
    """User text: escaped and isolated (U+2068 ... U+2069, which Qt's rich text lays out; it
    ignores `<bdi>`), so that a right-to-left override in a quote cannot reorder its citation."""
    return escape(isolate(text))


def authorship(added_by: str | None, changed_by: str | None) -> str:
    """Who added and who last changed a record, in words, on a team store ("added by alice ·
    changed by bob"); "" on a store file, whose records carry no author."""
    parts = []
    if added_by:
        parts.append(f"added by {added_by}")
    if changed_by:
        parts.append(f"changed by {changed_by}")
    return " \u00b7 ".join(parts)


def _authorship_html(record) -> str:
    said = authorship(record.added_by, record.changed_by)
    return f' &middot; <span class="muted authorship">{_u(said)}</span>' if said else ""


def _position(position: PositionView, *, current: bool) -> str:
    badge = (
        f'<span class="stance stance-{escape(position.stance)}">'
        f"&nbsp;{escape(stance_label(position.stance))}&nbsp;</span>"
    )
    when = escape(format_date(position.as_of))
    notes = _notes_link("position", position.id, position.note_count, "notes on this position")
    by = _authorship_html(position)
    head = f'<p>{badge} &nbsp;<span class="muted">as of {when}</span> &middot; {notes}{by}</p>'
    headline = f'<p class="headline">{_u(position.headline)}</p>' if position.headline else ""
    summary = render_markdown(position.summary) if current else ""
    return head + headline + summary


def _quote(quote: QuoteView) -> str:
    line = quote.line
    check = quote.verification
    mark = _STATUS_MARKS[check.status]
    status = f'<span class="check check-{escape(check.status)}">{mark} {escape(check.label)}</span>'
    if check.diff:
        status += f'<br><span class="diff">{_u(check.diff)}</span>'
    status += _across_sources(quote)
    status += primary_line_html(quote.primary)
    who = _u(line.speaker)
    if line.attribution == "reported":
        who = f"reported, about {who}"
    tags = ""
    if quote.tags:
        tags = " &middot; " + ", ".join(f'<span class="tag">{_u(t)}</span>' for t in quote.tags)
    tags += " &middot; " + _notes_link("quote", line.id, quote.note_count, "add a note")
    tags += _authorship_html(quote)
    return (
        '<div class="quote">'
        f'<p class="words">\u201c{_u(line.text)}\u201d</p>'
        f'<p class="citation">\u2014 {who}, <i>{_u(line.citation)}</i>{tags}<br>{status}</p>'
        "</div>"
    )


def _across_sources(quote: QuoteView) -> str:
    """How other sources report the same words: each conflict with the other source's words, the
    differing ones marked in type (bold, underlined), and agreement in a word."""
    out = []
    for other in quote.conflicts:
        words = " ".join(
            f"<b><u>{_u(s.text)}</u></b>" if s.changed else _u(s.text)
            for s in other.comparison.second
        )
        out.append(
            '<br><span class="check check-altered">\u26a0 Conflict: '
            f"<i>{_u(other.source_title or 'another source')}</i> has these words "
            f"differently</span> (quote {other.quote_id}): \u201c{words}\u201d"
        )
    if quote.agreements and not quote.conflicts:
        n = len(quote.agreements)
        kinds = {other.comparison.kind for other in quote.agreements}
        how = "word for word" if kinds == {"same"} else "except for typography"
        titles = ", ".join(
            dict.fromkeys(_u(o.source_title or "another source") for o in quote.agreements)
        )
        noun = "quote" if n == 1 else "quotes"
        out.append(
            f'<br><span class="muted">\u2713 Agrees {how} with {n} {noun} in other sources: '
            f"<i>{titles}</i></span>"
        )
    return "".join(out)


def notes_html(notes: Sequence[NoteView | NoteSummary], kind: str, record_id: int) -> str:
    """One record's notes, newest first, under a panel that shows the record (the source
    reader's quote), with a link that opens them in the Notes tab to write another."""
    write = _notes_link(kind, record_id, None, "Write a note")
    if not notes:
        return f'<h3>Notes</h3><p class="muted">No notes yet. {write}</p>'
    body = "".join(_note(n, show_on=False) for n in notes)
    return f"<h3>Notes ({len(notes)})</h3><p>{write}</p>{body}"


def _note(note: NoteView | NoteSummary, *, show_on: bool = True) -> str:
    privacy = (
        f'<span class="private"><img src="{LOCK_IMAGE}" width="12" height="12"> Private</span>'
        if note.private
        else '<span class="shared">Shareable</span>'
    )
    tags = "".join(f' <span class="tag">#{escape(t)}</span>' for t in note.tags)
    when = escape(note.updated_at.strftime("%d %b %Y %H:%M UTC"))
    on = f" on {_u(note.attached_to)}" if note.attached_to and show_on else ""
    return (
        '<div class="note">'
        f'<p class="muted">{privacy} &middot; {when}{on}{tags}{_authorship_html(note)}</p>'
        f'<div dir="auto">{render_markdown(note.body)}</div>'
        "</div>"
    )


def stakeholder_html(detail: StakeholderDetail) -> str:
    parts = [f"<h1>{_u(detail.name)}</h1>"]
    about = escape(kind_label(detail.kind))
    if detail.parent:
        about += f" &middot; speaks for {_u(detail.parent)}"
    if detail.members:
        about += " &middot; including " + ", ".join(map(_u, detail.members))
    about += _authorship_html(detail)
    parts.append(f'<p class="muted">{about}</p>')
    if detail.description:
        parts.append(f"<p>{_u(detail.description)}</p>")

    if detail.as_of is not None:
        changed = (
            f" Its position changed on {escape(format_date(detail.changed_on))}."
            if detail.changed_on
            else ""
        )
        parts.append(
            f'<p class="as-of"><b>As of {escape(format_date(detail.as_of))}</b>: the position, '
            f"quotes, answers and events recorded by that day.{changed}</p>"
        )
    parts.append("<h2>Position</h2>")
    if detail.position is None:
        parts.append('<p class="muted">No position recorded on this topic yet.</p>')
    else:
        parts.append(_position(detail.position, current=True))
    if detail.earlier_positions:
        parts.append("<h3>Earlier positions</h3>")
        parts.extend(_position(p, current=False) for p in detail.earlier_positions)

    total = max(detail.quote_count, len(detail.quotes))
    parts.append(f"<h2>Quotes ({total})</h2>")
    if not detail.quotes:
        parts.append('<p class="muted">No quotes yet.</p>')
    parts.extend(_quote(q) for q in detail.quotes)
    if total > len(detail.quotes):
        left = total - len(detail.quotes)
        parts.append(
            f'<p><a class="more-link" href="{MORE_QUOTES_HREF}">Show more quotes</a> '
            f'<span class="muted">({len(detail.quotes)} of {total} shown, {left} more)</span></p>'
        )

    if detail.answers:
        parts.append('<h2>Answers</h2><table class="answers">')
        for answer in detail.answers:
            backing = "" if answer.quote_id else ' <span class="muted">(unsupported)</span>'
            comment = ""
            if answer.comment:
                comment = f'<br><span class="muted">{_u(answer.comment)}</span>'

            parts.append(
                f"<tr><td>{_u(answer.question)}</td>"
                f'<td class="answer answer-{escape(answer.answer)}">'
                f"<b>{escape(ANSWER_LABELS.get(answer.answer, answer.answer))}</b>{backing}"
                f"{comment}</td></tr>"
            )
        parts.append("</table>")

    if detail.events:
        parts.append('<h2>Timeline</h2><table class="timeline">')
        parts.extend(
            f'<tr><td class="when">{escape(e.when)}</td><td>{_u(e.title)}</td></tr>'
            for e in detail.events
        )
        parts.append("</table>")

    parts.append(f"<h2>Notes ({len(detail.notes)})</h2>")
    write = _notes_link("stakeholder", detail.id, None, "Write a note")
    if not detail.notes:
        parts.append(f'<p class="muted">No notes yet. {write}</p>')
    else:
        parts.append(f"<p>{write}</p>")
    parts.extend(_note(n) for n in detail.notes)
    return "\n".join(parts)
