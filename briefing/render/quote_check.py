"""One quote's provenance as HTML: its check against its source, and how other sources report it.

The source reader's quote panel shows this. The status is spelled out in words with a mark
(never colour alone); a word-level change is shown as struck-out words of the source and
underlined words of the quote, each labelled for screen readers. Where another source reports
the same words, the two are shown side by side, with the words that differ marked the same way.
No Qt here: tests read the HTML directly.
"""

from __future__ import annotations

import re
from html import escape

from briefing.core.dates import format_date
from briefing.core.quotes import Conflict, QuoteCheck
from briefing.core.verify import Segment
from briefing.render.primary import primary_block_html

_MARKS = {"exact": "\u2713", "normalized": "\u2713", "altered": "\u26a0", "not_found": "\u2717"}
_RELATION_WORDS = {
    "same": "Matches word for word",
    "typography": "Same words; only typography differs",
    "conflict": "Conflict: the words differ",
}
_DIFF = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}")


def relation_label(kind: str) -> str:
    return _RELATION_WORDS[kind]


def diff_html(diff: str) -> str:
    """A `[-gone-]{+new+}` word diff with the changes marked in type, not only in colour."""
    out: list[str] = []
    last = 0
    for match in _DIFF.finditer(diff):
        out.append(escape(diff[last : match.start()]))
        gone, new = match.group(1), match.group(2)
        if gone is not None:
            out.append(f'<s class="gone" title="in the source">{escape(gone)}</s>')
        else:
            out.append(f'<u class="new" title="in the quote">{escape(new)}</u>')
        last = match.end()
    out.append(escape(diff[last:]))
    return "".join(out)


def _segments_html(segments: tuple[Segment, ...]) -> str:
    return " ".join(
        f'<b class="changed"><u>{escape(s.text)}</u></b>' if s.changed else escape(s.text)
        for s in segments
    )


def _relation(check: QuoteCheck, other: Conflict) -> str:
    comparison = other.comparison
    kind = comparison.kind
    mark = "\u26a0" if kind == "conflict" else "\u2713"
    head = (
        f'<p class="relation relation-{kind}">{mark} {escape(relation_label(kind))} in '
        f"<i>{escape(other.source_title or 'a removed source')}</i> "
        f"(quote {other.quote_id}, {escape(other.speaker)})</p>"
    )
    if kind != "conflict":
        return head
    return head + (
        '<table class="side-by-side" width="100%" cellspacing="0"><tr>'
        f"<th>This source: {escape(check.source_title)}</th>"
        f"<th>{escape(other.source_title)}</th></tr>"
        f'<tr><td width="50%">{_segments_html(comparison.first)}</td>'
        f'<td width="50%">{_segments_html(comparison.second)}</td></tr></table>'
        '<p class="muted">Underlined bold words differ between the two.</p>'
    )


def attributed_to(check: QuoteCheck) -> str:
    """Whose words these are: the speaker's own, or the source's words about them."""
    who = check.speaker or "no speaker"
    return f"reported, about {who}" if check.attribution == "reported" else who


def _when(check: QuoteCheck) -> str:
    # A reported quote is the source's sentence about the speaker: the speaker did not say it.
    if check.said_on is None:
        return ""
    verb = "reported" if check.attribution == "reported" else "said"
    return f", {verb} {format_date(check.said_on)}"


def quote_check_html(check: QuoteCheck) -> str:
    status = check.verification.status
    page = f", page {check.page}" if check.page else ""
    parts = [
        f'<p class="words">\u201c{escape(check.text)}\u201d</p>',
        f'<p class="citation">\u2014 {escape(attributed_to(check))}, '
        f"<i>{escape(check.source_title or 'source removed')}</i>{page}{_when(check)}</p>",
        f'<p><span class="check check-{status}">{_MARKS[status]} '
        f"{escape(check.verification.label)}</span></p>",
    ]
    if not check.source_intact:
        parts.append(
            '<p class="check-not_found">\u2717 The source has changed since it was imported '
            "(its sha256 no longer matches): this check cannot be trusted.</p>"
        )
    if check.verification.diff:
        parts.append(
            f'<p class="diff">Against the source: {diff_html(check.verification.diff)}</p>'
            '<p class="muted">Struck out: the source\u2019s words; underlined: the '
            "quote\u2019s.</p>"
        )
    if check.verification.found_at:
        parts.append('<p class="muted">Found elsewhere in the source than its offsets.</p>')
    parts.append(primary_block_html(check.primary, check.source_title))
    relations = list(check.conflicts) + list(check.agreements)
    if relations:
        parts.append(f"<h3>Other sources ({len(relations)})</h3>")
        parts.extend(_relation(check, other) for other in relations)
    else:
        parts.append('<p class="muted">No other source reports these words.</p>')
    return "\n".join(parts)


def quote_summary(check: QuoteCheck) -> str:
    """One line about a quote for a list: its status and its agreement with other sources."""
    words = [check.verification.label]
    if not check.source_intact:
        words.append("source changed since import")
    if check.reworded:
        words.append("reworded: the primary document says otherwise")
    if check.conflicts:
        n = len(check.conflicts)
        words.append(f"conflicts with {n} quote{'s' if n > 1 else ''} in other sources")
    elif check.agreements:
        kinds = {a.comparison.kind for a in check.agreements}
        words.append(
            "matches another source word for word"
            if kinds == {"same"}
            else "matches another source except for typography"
        )
    return " \u00b7 ".join(words)
