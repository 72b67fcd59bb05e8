"""Briefings: composing them (title, audience, ordered items) and reading what one says.

A briefing is a topic's stakeholders, quotes, notes and comparison table in the order the advocate
chose. `briefing_content` (or `topic_content` for a whole topic, every stakeholder in card order)
turns one into plain dataclasses that the renderers and exporters share, so that the PDF, the
HTML and the Markdown say exactly the same thing:

- a title page (title, topic, audience, author, date) and an introduction in Markdown;
- sections in the briefing's order: the comparison table (questions x stakeholders, each answer
  with the number of the quote behind it), a section per stakeholder (stance, summary, quotes,
  notes), a run of single quotes ("Key quotes"), a run of single notes ("Notes");
- quotes numbered Q1, Q2, ... in order of first appearance, each citing a numbered source;
- an appendix of sources (title, publisher, date, URL, sha256 of the stored text) and one of the
  quotes that are not verified exact or normalized, with their status.

Notes leave the store only when asked. A composed briefing prints exactly the notes put into it
as items: a note on a stakeholder the briefing also shows is printed in that stakeholder's
section, any other where its item stands; a stakeholder item brings none of its own. A whole
topic prints no notes unless `with_notes` (the shareable ones). Private notes are left out
unless `include_private` (which for a whole topic also asks for notes); then each is marked
private. No note is printed twice. Notes are chosen by the sharing rule of
`briefing.core.notes` (`only_shareable`, `keep_shareable`), the one rule that every file
leaving the store follows. A quote whose source was removed cannot be
cited, so reading a briefing that includes one is refused with a message naming the quote (an
export must never cite nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from briefing.core.cards import (
    QuoteView,
    StakeholderDetail,
    answer_stands,
    citation_dates,
    stakeholder_detail,
    topic_cards,
)
from briefing.core.changes import Changes
from briefing.core.lookup import closest
from briefing.core.notes import keep_shareable, only_shareable
from briefing.core.primary import PrimaryCheck, primary_checks, reworded_line
from briefing.core.quotes import cross_source_relations, verify_quotes
from briefing.core.search import plain_words
from briefing.core.timeline import StakeholderMap, Timeline, stakeholder_map, topic_timeline
from briefing.core.versions import Version, check_version
from briefing.errors import InputError, NotFound, StaleRecord
from briefing.store.models import (
    BRIEFING_ITEM_KINDS,
    Answer,
    Briefing,
    BriefingItem,
    Note,
    Question,
    Quote,
    Source,
    Stakeholder,
    Topic,
    topic_stakeholders,
)
from briefing.text import clean_line, clean_text

PAGE_SIZES = ("A4", "Letter")
COMPARISON_TITLE = "Comparison of stakeholders"
QUOTES_TITLE = "Key quotes"
NOTES_TITLE = "Notes"
GLANCE_TITLE = "At a glance"
COMPARISON_QUOTES_TITLE = "Quotes cited in the comparison"
MAP_TITLE = "Stakeholder map"
TIMELINE_TITLE = "Positions over time"

# -- composing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefingSummary:
    id: int
    title: str
    topic_id: int | None
    topic: str
    audience: str
    author: str
    dated: dt.date | None
    introduction: str
    include_private: bool
    page_size: str
    item_count: int


@dataclass(frozen=True)
class ItemView:
    """One entry of a briefing as the composer lists it."""

    id: int
    kind: str
    target_id: int | None
    label: str
    private: bool = False


def _clean_title(title: str) -> str:
    title = clean_line(title, "briefing title")
    if not title:
        raise InputError("a briefing needs a title")
    return title


_CLEANERS = {
    "title": _clean_title,
    "audience": lambda text: clean_line(text, "audience"),
    "author": lambda text: clean_line(text, "author"),
    "introduction": lambda text: clean_text(text, "introduction"),
}


def _briefing(session: Session, briefing_id: int) -> Briefing:
    briefing = session.get(Briefing, briefing_id)
    if briefing is None:
        raise NotFound(f"there is no briefing with id {briefing_id}")
    return briefing


def create_briefing(
    session: Session,
    topic_id: int,
    title: str,
    *,
    audience: str = "",
    author: str = "",
    dated: dt.date | None = None,
    introduction: str = "",
) -> tuple[int, Changes]:
    if session.get(Topic, topic_id) is None:
        raise NotFound(f"there is no topic with id {topic_id}")
    briefing = Briefing(
        topic_id=topic_id,
        title=_clean_title(title),
        audience=clean_line(audience, "audience"),
        author=clean_line(author, "author"),
        dated=dated,
        introduction=clean_text(introduction, "introduction"),
    )
    session.add(briefing)
    session.flush()
    return briefing.id, Changes.of("briefing")


_EDITABLE = {"title", "audience", "author", "dated", "introduction", "include_private", "page_size"}


def update_briefing(
    session: Session, briefing_id: int, *, expected_version: Version | None = None, **fields
) -> Changes:
    """Change any of title, audience, author, dated, introduction, include_private, page_size.

    `expected_version` is the briefing's version when the composer showed it
    (`briefing.core.versions`): a briefing changed elsewhere since is not overwritten."""
    unknown = set(fields) - _EDITABLE
    if unknown:
        raise InputError(f"a briefing has no field {', '.join(sorted(unknown))}")
    check_version(session.get(Briefing, briefing_id), expected_version, "the briefing")
    briefing = _briefing(session, briefing_id)
    for name, clean in _CLEANERS.items():
        if name in fields:
            fields[name] = clean(fields[name])
    if "page_size" in fields and fields["page_size"] not in PAGE_SIZES:
        raise InputError(f"page size {fields['page_size']!r} is not one of A4, Letter")
    for name, value in fields.items():
        setattr(briefing, name, value)
    return Changes.of("briefing")


def delete_briefing(session: Session, briefing_id: int) -> Changes:
    session.delete(_briefing(session, briefing_id))
    return Changes.of("briefing")


def list_briefings(session: Session, topic_id: int | None = None) -> list[BriefingSummary]:
    counts = (
        select(BriefingItem.briefing_id, func.count().label("n"))
        .group_by(BriefingItem.briefing_id)
        .subquery()
    )
    query = (
        select(Briefing, Topic.name, counts.c.n)
        .outerjoin(Topic, Topic.id == Briefing.topic_id)
        .outerjoin(counts, counts.c.briefing_id == Briefing.id)
        .order_by(Briefing.title, Briefing.id)
    )
    if topic_id is not None:
        query = query.where(Briefing.topic_id == topic_id)
    return [_summary(b, name, n) for b, name, n in session.execute(query)]


def _summary(briefing: Briefing, topic: str | None, count: int | None) -> BriefingSummary:
    return BriefingSummary(
        id=briefing.id,
        title=briefing.title,
        topic_id=briefing.topic_id,
        topic=topic or "",
        audience=briefing.audience,
        author=briefing.author,
        dated=briefing.dated,
        introduction=briefing.introduction,
        include_private=briefing.include_private,
        page_size=briefing.page_size,
        item_count=count or 0,
    )


def empty_briefing(title: str) -> InputError:
    """Why a briefing without items cannot be exported (checked from its summary before an
    export starts, and again when its content is read)."""
    return InputError(
        f"the briefing {title!r} has no items: add stakeholders, quotes, notes or "
        "the comparison table before exporting it"
    )


def get_briefing(session: Session, briefing_id: int) -> BriefingSummary:
    for summary in list_briefings(session):
        if summary.id == briefing_id:
            return summary
    raise NotFound(f"there is no briefing with id {briefing_id}")


def find_briefing(session: Session, title: str) -> BriefingSummary:
    """A briefing by title (any case) or id."""
    found = list_briefings(session)
    wanted = title.strip()
    for summary in found:
        if summary.title.casefold() == wanted.casefold() or str(summary.id) == wanted:
            return summary
    if not found:
        raise NotFound(f"no briefing is called {title!r}: the store holds no briefing")
    raise NotFound(f"no briefing is called {title!r}{closest(wanted, [b.title for b in found])}")


def add_item(
    session: Session, briefing_id: int, kind: str, target_id: int | None = None
) -> tuple[int, Changes]:
    """Append a stakeholder, quote, note (by id) or the comparison table to a briefing."""
    briefing = _briefing(session, briefing_id)
    if kind not in BRIEFING_ITEM_KINDS:
        raise InputError(f"{kind!r} is not one of {', '.join(BRIEFING_ITEM_KINDS)}")
    model = {"stakeholder": Stakeholder, "quote": Quote, "note": Note}.get(kind)
    if model is not None and (target_id is None or session.get(model, target_id) is None):
        raise NotFound(f"there is no {kind} with id {target_id}")
    for item in briefing.items:
        if item.kind == kind and (kind == "comparison" or _target(item) == target_id):
            what = "the comparison table" if kind == "comparison" else f"this {kind}"
            raise InputError(f"{what} is already in the briefing")
    item = BriefingItem(
        briefing_id=briefing.id,
        kind=kind,
        sort_order=max((i.sort_order for i in briefing.items), default=-1) + 1,
        stakeholder_id=target_id if kind == "stakeholder" else None,
        quote_id=target_id if kind == "quote" else None,
        note_id=target_id if kind == "note" else None,
    )
    session.add(item)
    session.flush()
    return item.id, Changes.of("briefing")


def remove_item(session: Session, item_id: int) -> Changes:
    item = session.get(BriefingItem, item_id)
    if item is None:
        raise NotFound(f"there is no briefing item with id {item_id}")
    session.delete(item)
    return Changes.of("briefing")


def reorder_items(
    session: Session,
    briefing_id: int,
    item_ids: list[int],
    *,
    expected_order: list[int] | None = None,
) -> Changes:
    """Put a briefing's items in the order of `item_ids` (every item, once).

    `expected_order` is the order the composer showed before the user moved an item: if the
    items were reordered, added or removed elsewhere since, nothing is written."""
    briefing = _briefing(session, briefing_id)
    if expected_order is not None and [item.id for item in briefing.items] != expected_order:
        raise StaleRecord(
            "the briefing's items were changed elsewhere (in another window or by the command "
            "line) since they were shown here; nothing was saved: the list shows them as they "
            "are now",
            current={"items": [item.id for item in briefing.items]},
            version=[item.id for item in briefing.items],
        )
    current = {item.id: item for item in briefing.items}
    if sorted(item_ids) != sorted(current):
        raise InputError("the new order must list every item of the briefing once")
    for order, item_id in enumerate(item_ids):
        current[item_id].sort_order = order
    return Changes.of("briefing")


def _target(item: BriefingItem) -> int | None:
    return item.stakeholder_id or item.quote_id or item.note_id


def _excerpt(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def briefing_items(session: Session, briefing_id: int) -> list[ItemView]:
    briefing = _briefing(session, briefing_id)
    views = []
    for item in briefing.items:
        private = False
        if item.kind == "comparison":
            label = f"{COMPARISON_TITLE} (table)"
        elif item.kind == "stakeholder":
            label = f"Stakeholder: {session.get(Stakeholder, item.stakeholder_id).name}"
        elif item.kind == "quote":
            quote = session.get(Quote, item.quote_id)
            speaker = quote.speaker.name if quote.speaker else "unknown speaker"
            label = f"Quote: \u201c{_excerpt(quote.text)}\u201d \u2014 {speaker}"
        else:
            note = session.get(Note, item.note_id)
            private = note.private
            marker = " (private: left out unless private notes are included)" if private else ""
            label = f"Note{marker}: {_excerpt(plain_words(note.body))}"
        views.append(ItemView(item.id, item.kind, _target(item), label, private))
    return views


def candidates(session: Session, topic_id: int, stakeholder_id: int | None) -> list[ItemView]:
    """What the composer offers to add: the stakeholder's quotes and notes (from its details),
    then the topic's own notes. `ItemView.id` is 0; `target_id` is the quote's or note's id."""
    found: list[ItemView] = []
    if stakeholder_id is not None:
        detail = stakeholder_detail(session, topic_id, stakeholder_id)
        for quote in detail.quotes:
            label = f"Quote: \u201c{_excerpt(quote.line.text)}\u201d \u2014 {quote.line.speaker}"
            found.append(ItemView(0, "quote", quote.line.id, label))
        for note in detail.notes:
            private = " (private)" if note.private else ""
            words = _excerpt(plain_words(note.body))
            label = f"Note{private} on {note.attached_to or detail.name}: {words}"
            found.append(ItemView(0, "note", note.id, label, note.private))
    for note in session.scalars(select(Note).where(Note.topic_id == topic_id).order_by(Note.id)):
        private = " (private)" if note.private else ""
        label = f"Note{private} on the topic: {_excerpt(plain_words(note.body))}"
        found.append(ItemView(0, "note", note.id, label, note.private))
    return found


# -- content ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceEntry:
    number: int
    title: str
    publisher: str
    author: str
    published: dt.date | None
    url: str
    sha256: str


@dataclass(frozen=True)
class CitedQuote:
    number: int  # Q1, Q2, ... in order of first appearance
    text: str
    speaker: str
    attribution: str  # "direct" or "reported"
    when: str
    source_number: int
    source_title: str
    status: str
    status_label: str
    diff: str | None
    # How other sources report the same words differently, one line each: the other source's
    # title and a word diff marking this quote's words [-so-] and the other's {+so+}.
    conflicts: tuple[str, ...] = ()
    # The citation's dates: the source's own, then when the words were said if that differs
    # (`core.cards.citation_dates`).
    dated: str = ""
    # Where the speaker's primary document (their own letter) words it otherwise: one line with
    # the document's words and the word diff (`briefing.core.primary.reworded_line`).
    reworded: str | None = None


@dataclass(frozen=True)
class NoteBlock:
    body: str  # Markdown
    private: bool
    attached_to: str
    updated: dt.datetime


@dataclass(frozen=True)
class Cell:
    answer: str  # yes / no / partly / unknown
    quote_number: int | None
    comment: str


@dataclass(frozen=True)
class ComparisonSection:
    title: str
    stakeholders: tuple[str, ...]
    stances: tuple[str | None, ...]
    questions: tuple[str, ...]
    cells: tuple[tuple[Cell | None, ...], ...]  # [question][stakeholder]; None: no answer


@dataclass(frozen=True)
class StakeholderSection:
    title: str  # the stakeholder's name
    kind: str
    description: str
    speaks_for: str | None
    members: tuple[str, ...]
    stance: str | None
    headline: str
    as_of: dt.date | None
    summary: str  # Markdown
    quotes: tuple[CitedQuote, ...]
    notes: tuple[NoteBlock, ...]


@dataclass(frozen=True)
class QuotesSection:
    title: str
    quotes: tuple[CitedQuote, ...]


@dataclass(frozen=True)
class NotesSection:
    title: str
    notes: tuple[NoteBlock, ...]


Section = ComparisonSection | StakeholderSection | QuotesSection | NotesSection


@dataclass(frozen=True)
class BriefingContent:
    title: str
    topic: str
    audience: str
    author: str
    dated: dt.date | None
    introduction: str  # Markdown
    include_private: bool
    page_size: str
    sections: tuple[Section, ...]
    sources: tuple[SourceEntry, ...]
    unverified: tuple[CitedQuote, ...]
    all_quotes: tuple[CitedQuote, ...] = field(default=())
    # Quotes that match their own source but that another source reports differently.
    conflicting: tuple[CitedQuote, ...] = field(default=())
    # The day the briefing stands as of (positions, quotes, answers of that day); None: today.
    as_of: dt.date | None = None
    # The topic's positions over time and its stakeholder map, drawn in PDF and ODT and told in
    # words in HTML and Markdown (None: a briefing with no topic, or no stakeholder sections).
    timeline: Timeline | None = None
    stakeholder_map: StakeholderMap | None = None

    @property
    def glance(self) -> tuple[StakeholderSection, ...]:
        """The stakeholders for the one-page overview: each with stance and headline."""
        return tuple(s for s in self.sections if isinstance(s, StakeholderSection))

    @property
    def section_titles(self) -> list[str]:
        """Every heading the table of contents and the PDF outline list, in order."""
        titles = ["Introduction"] if self.introduction.strip() else []
        if self.glance:
            titles.append(GLANCE_TITLE)
        if self.stakeholder_map is not None:
            titles.append(MAP_TITLE)
        if self.timeline is not None:
            titles.append(TIMELINE_TITLE)
        titles += [section.title for section in self.sections]
        return [*titles, "Appendix A: Sources", "Appendix B: Quotes not verified"]


class _Citations:
    """Numbers quotes and sources in order of first appearance."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.quotes: dict[int, CitedQuote] = {}
        self.sources: dict[int, SourceEntry] = {}
        self.keep: list[Quote] = []  # records held so the session does not forget them
        self._relations: dict[int, dict] = {}  # per speaker: cross-source relations
        self._primaries: dict[int, dict] = {}  # per speaker: checks against primary documents

    def _reworded(self, quote_id: int, speaker_id: int | None) -> str | None:
        if speaker_id is None:
            return None
        if speaker_id not in self._primaries:
            self._primaries[speaker_id] = primary_checks(self.session, {speaker_id})
        return self._primary_line(self._primaries[speaker_id].get(quote_id))

    def _primary_line(self, primary: PrimaryCheck | None) -> str | None:
        """The reworded flag's line, citing the primary document it quotes: the document is
        numbered in Appendix A like every source a quote is taken from, so that the briefing
        lists every source it names."""
        line = reworded_line(primary)
        if line is None or primary is None:
            return None
        document = self.session.get(Source, primary.source_id)
        if document is None:
            return line
        return f"{line} (source [{self._source(document)}])"

    def _conflicts(self, quote_id: int, speaker_id: int | None) -> tuple[str, ...]:
        if speaker_id is None:
            return ()
        if speaker_id not in self._relations:
            self._relations[speaker_id] = cross_source_relations(self.session, {speaker_id})
        conflicts = self._relations[speaker_id].get(quote_id, ([], []))[0]
        return _conflict_lines(conflicts)

    def _source(self, source: Source) -> int:
        if source.id not in self.sources:
            self.sources[source.id] = SourceEntry(
                number=len(self.sources) + 1,
                title=source.title,
                publisher=source.publisher,
                author=source.author,
                published=source.published,
                url=source.url,
                sha256=source.sha256,
            )
        return self.sources[source.id].number

    def cite_view(self, view: QuoteView) -> CitedQuote:
        """Cite a quote the detail panel has already read and verified."""
        if view.line.id in self.quotes:
            return self.quotes[view.line.id]
        source = self.session.get(Source, view.source_id) if view.source_id else None
        if source is None:
            return self.cite(self.session.get(Quote, view.line.id))  # refuses, with the reason
        cited = CitedQuote(
            number=len(self.quotes) + 1,
            text=view.line.text,
            speaker=view.line.speaker,
            attribution=view.line.attribution,
            when=view.line.when,
            source_number=self._source(source),
            source_title=source.title,
            status=view.verification.status,
            status_label=view.verification.label,
            diff=view.verification.diff,
            conflicts=_conflict_lines(view.conflicts),
            dated=citation_dates(source.published, view.line.said_on, view.line.attribution),
            reworded=self._primary_line(view.primary),
        )
        self.quotes[view.line.id] = cited
        return cited

    def cite(self, quote: Quote, view: QuoteView | None = None) -> CitedQuote:
        if quote.id in self.quotes:
            return self.quotes[quote.id]
        source = quote.source
        speaker = quote.speaker.name if quote.speaker else "unknown speaker"
        if source is None:
            raise InputError(
                f"quote {quote.id} by {speaker} (\u201c{_excerpt(quote.text, 50)}\u201d) has lost "
                "its source (the source was removed): remove the quote from the briefing or "
                "attach it to a source before exporting"
            )
        check = (
            view.verification
            if view is not None
            else verify_quotes(
                self.session, [(quote.id, quote.text, source.id, quote.start, quote.end)]
            )[quote.id]
        )
        when = view.line.when if view is not None else _when(quote, source)
        cited = CitedQuote(
            number=len(self.quotes) + 1,
            text=quote.text,
            speaker=speaker,
            attribution=quote.attribution,
            when=when,
            source_number=self._source(source),
            source_title=source.title,
            status=check.status,
            status_label=check.label,
            diff=check.diff,
            conflicts=(
                _conflict_lines(view.conflicts)
                if view is not None
                else self._conflicts(quote.id, quote.speaker_id)
            ),
            dated=citation_dates(source.published, quote.said_on, quote.attribution),
            reworded=(
                self._primary_line(view.primary)
                if view is not None
                else self._reworded(quote.id, quote.speaker_id)
            ),
        )
        self.quotes[quote.id] = cited
        return cited


def _conflict_lines(conflicts) -> tuple[str, ...]:
    return tuple(
        f"{c.source_title or 'another source'} has: {c.comparison.diff}" for c in conflicts
    )


def _when(quote: Quote, source: Source) -> str:
    from briefing.core.dates import format_date

    if quote.said_on is not None:
        return format_date(quote.said_on)
    if source.published is not None:
        return f"reported {format_date(source.published)}"
    return "undated"


def _note_block(note: Note, attached_to: str) -> NoteBlock:
    return NoteBlock(note.body, note.private, attached_to, note.updated_at)


def _stakeholder_section(
    detail: StakeholderDetail, cites: _Citations, notes: list
) -> StakeholderSection:
    """A stakeholder's section, with the `notes` chosen for it (views from `detail.notes`)."""
    quotes = tuple(cites.cite_view(q) for q in detail.quotes)
    notes = tuple(NoteBlock(n.body, n.private, n.attached_to, n.updated_at) for n in notes)
    position = detail.position
    return StakeholderSection(
        title=detail.name,
        kind=detail.kind,
        description=detail.description,
        speaks_for=detail.parent,
        members=detail.members,
        stance=position.stance if position else None,
        headline=position.headline if position else "",
        as_of=position.as_of if position else None,
        summary=position.summary if position else "",
        quotes=quotes,
        notes=notes,
    )


def _preload_quotes(session: Session, topic_id: int) -> list[Quote]:
    """Load the topic's quotes with their tags and sources in three queries, so that reading
    each stakeholder's details finds them in the session instead of asking once per quote.
    The caller keeps the list: the session's identity map holds records only weakly."""
    members = select(topic_stakeholders.c.stakeholder_id).where(
        topic_stakeholders.c.topic_id == topic_id
    )
    return list(
        session.scalars(
            select(Quote)
            .where(Quote.speaker_id.in_(members))
            .options(selectinload(Quote.tags), selectinload(Quote.source))
        )
    )


def _comparison(
    session: Session,
    topic_id: int,
    stakeholder_ids: list[int],
    cites: _Citations,
    cards: list | None = None,
    as_of: dt.date | None = None,
) -> ComparisonSection | None:
    questions = session.scalars(
        select(Question)
        .where(Question.topic_id == topic_id)
        .order_by(Question.sort_order, Question.id)
    ).all()
    if not questions:
        return None
    recorded = [Answer.question_id.in_([q.id for q in questions])]
    if as_of is not None:
        recorded.append(answer_stands(as_of))
    answers = {
        (a.question_id, a.stakeholder_id): a
        for a in session.scalars(select(Answer).where(*recorded))
    }
    # Every stakeholder of the briefing has a column, answered or not: a reader must not take
    # a missing column for a stakeholder left out. An unanswered cell says so (None).
    columns = list(dict.fromkeys(stakeholder_ids))
    if not columns:
        return None
    cards = {card.id: card for card in (cards or topic_cards(session, topic_id, as_of=as_of))}
    names = [session.get(Stakeholder, sid).name for sid in columns]
    stances = [cards[sid].stance if sid in cards else None for sid in columns]
    rows = []
    for question in questions:
        row = []
        for sid in columns:
            answer = answers.get((question.id, sid))
            if answer is None:
                row.append(None)
                continue
            number = cites.cite(answer.quote).number if answer.quote is not None else None
            row.append(Cell(answer.answer, number, answer.comment))
        rows.append(tuple(row))
    return ComparisonSection(
        title=COMPARISON_TITLE,
        stakeholders=tuple(names),
        stances=tuple(stances),
        questions=tuple(q.text for q in questions),
        cells=tuple(rows),
    )


def _place_comparison(
    sections: list[Section], index: int, comparison: ComparisonSection | None, cites: _Citations
) -> None:
    """Put the comparison at `index`. It is read after the sections so that quotes are numbered
    in the order a reader meets them in the text; a quote it cites that no section shows is
    listed right after it, so that every Q number leads somewhere."""
    if comparison is None:
        return
    shown = {q.number for section in sections for q in getattr(section, "quotes", ())}
    cited = sorted(
        {
            cell.quote_number
            for row in comparison.cells
            for cell in row
            if cell and cell.quote_number
        }
        - shown
    )
    sections.insert(index, comparison)
    if cited:
        by_number = {q.number: q for q in cites.quotes.values()}
        extra = QuotesSection(COMPARISON_QUOTES_TITLE, tuple(by_number[n] for n in cited))
        sections.insert(index + 1, extra)


def _finish(header: dict, sections: list[Section], cites: _Citations) -> BriefingContent:
    quotes = tuple(cites.quotes.values())
    return BriefingContent(
        **header,
        sections=tuple(sections),
        sources=tuple(cites.sources.values()),
        unverified=tuple(q for q in quotes if q.status not in ("exact", "normalized")),
        all_quotes=quotes,
        conflicting=tuple(q for q in quotes if q.conflicts or q.reworded),
    )


def private_note_warning(session: Session, note_id: int) -> str | None:
    """What to tell someone who adds note `note_id` to a briefing, if it is private."""
    note = session.get(Note, note_id)
    if note is None or not note.private:
        return None
    return (
        "This note is private: it will be left out of every export of the briefing unless "
        "you tick “Include private notes” (--include-private), and then it is marked "
        "private."
    )


def topic_content(
    session: Session,
    topic_id: int,
    *,
    include_private: bool = False,
    with_notes: bool = False,
    page_size: str = "A4",
    dated: dt.date | None = None,
    as_of: dt.date | None = None,
) -> BriefingContent:
    """A whole topic as a briefing: the comparison, then every card's stakeholder, then the
    topic's own notes. Notes only if `with_notes` (the shareable ones) or `include_private`
    (every note, the private ones marked); each note once, on the first card that shows it.
    With `as_of`, everything as it stood that day (`core.cards`), and the title page says so."""
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(f"there is no topic with id {topic_id}")
    cards = topic_cards(session, topic_id, as_of=as_of)
    if not cards:
        raise InputError(f"the topic {topic.name!r} has no stakeholder to brief on")
    cites = _Citations(session)
    cites.keep = _preload_quotes(session, topic_id)
    sections: list[Section] = []
    notes_wanted = with_notes or include_private
    printed: set[int] = set()
    for card in cards:
        detail = stakeholder_detail(session, topic_id, card.id, as_of=as_of)
        notes = []
        if notes_wanted:
            for note in keep_shareable(detail.notes, include_private=include_private):
                if note.id not in printed:
                    printed.add(note.id)
                    notes.append(note)
        sections.append(_stakeholder_section(detail, cites, notes))
    topic_notes = (
        [
            _note_block(note, topic.name)
            for note in session.scalars(
                only_shareable(
                    select(Note).where(Note.topic_id == topic_id),
                    include_private=include_private,
                ).order_by(Note.created_at, Note.id)
            )
        ]
        if notes_wanted
        else []
    )
    if topic_notes:
        sections.append(NotesSection(NOTES_TITLE, tuple(topic_notes)))
    comparison = _comparison(session, topic_id, [c.id for c in cards], cites, cards, as_of)
    _place_comparison(sections, 0, comparison, cites)
    header = {
        "title": topic.name,
        "topic": topic.name,
        "audience": "",
        "author": "",
        "dated": dated or dt.date.today(),
        "introduction": topic.description,
        "include_private": include_private,
        "page_size": page_size,
        **_figures(session, topic_id, as_of),
    }
    return _finish(header, sections, cites)


def _figures(
    session: Session, topic_id: int, as_of: dt.date | None, only: list[int] | None = None
) -> dict:
    """The as-of day, the timeline and the map of a briefing on a topic (of the stakeholders
    `only`, in that order, when a composed briefing names them)."""
    timeline = topic_timeline(session, topic_id, as_of=as_of)
    chart = stakeholder_map(session, topic_id, as_of=as_of)
    if only is not None:
        wanted = list(dict.fromkeys(only))
        lanes = {lane.stakeholder_id: lane for lane in timeline.lanes}
        points = {point.stakeholder_id: point for point in chart.points}
        timeline = replace(timeline, lanes=tuple(lanes[s] for s in wanted if s in lanes))
        chart = replace(chart, points=tuple(points[s] for s in wanted if s in points))
    return {
        "as_of": as_of,
        "timeline": timeline if timeline.lanes else None,
        "stakeholder_map": chart if chart.points else None,
    }


def briefing_content(
    session: Session,
    briefing_id: int,
    *,
    include_private: bool | None = None,
    page_size: str | None = None,
    as_of: dt.date | None = None,
) -> BriefingContent:
    """What a composed briefing says, in its order. `include_private` and `page_size` default to
    the briefing's own settings. With `as_of`, its stakeholders and comparison as they stood that
    day; quotes put in by hand are printed whatever their date (the advocate chose them)."""
    briefing = _briefing(session, briefing_id)
    if not briefing.items:
        raise empty_briefing(briefing.title)
    private = briefing.include_private if include_private is None else include_private
    topic = session.get(Topic, briefing.topic_id) if briefing.topic_id is not None else None
    topic_id = briefing.topic_id
    if topic_id is None and any(i.kind in ("stakeholder", "comparison") for i in briefing.items):
        raise InputError(f"the briefing {briefing.title!r} has lost its topic (it was removed)")
    cites = _Citations(session)
    if topic_id is not None:
        cites.keep = _preload_quotes(session, topic_id)
    sections: list[Section] = []
    chosen = [i.stakeholder_id for i in briefing.items if i.kind == "stakeholder"]
    # The notes put into the briefing (those that may leave the store). One on a stakeholder
    # the briefing shows is printed in that stakeholder's section; the others where they stand.
    put_in = {
        note.id
        for note in session.scalars(
            only_shareable(
                select(Note).where(
                    Note.id.in_([i.note_id for i in briefing.items if i.kind == "note"])
                ),
                include_private=private,
            )
        )
    }
    details = {
        sid: stakeholder_detail(session, topic_id, sid, as_of=as_of)
        for sid in dict.fromkeys(chosen)
    }
    printed: set[int] = set()
    # A quote item whose words a stakeholder section of the briefing already prints (with the
    # same Q number) is not printed a second time under "Key quotes".
    quoted = {view.line.id for detail in details.values() for view in detail.quotes}
    placed: dict[int, list] = {}
    for sid, detail in details.items():
        placed[sid] = [n for n in detail.notes if n.id in put_in and n.id not in printed]
        printed.update(n.id for n in placed[sid])
    comparison_at = None
    for item in briefing.items:
        if item.kind == "comparison":
            comparison_at = len(sections)  # filled in last, see _place_comparison
        elif item.kind == "stakeholder":
            detail = details[item.stakeholder_id]
            sections.append(_stakeholder_section(detail, cites, placed[item.stakeholder_id]))
        elif item.kind == "quote":
            if item.quote_id in quoted:
                continue
            cited = cites.cite(session.get(Quote, item.quote_id))
            if sections and isinstance(sections[-1], QuotesSection):
                last = sections.pop()
                sections.append(QuotesSection(last.title, (*last.quotes, cited)))
            else:
                sections.append(QuotesSection(QUOTES_TITLE, (cited,)))
        else:
            note = session.get(Note, item.note_id)
            if item.note_id not in put_in or item.note_id in printed:
                continue
            printed.add(item.note_id)
            block = _note_block(note, "")
            if sections and isinstance(sections[-1], NotesSection):
                last = sections.pop()
                sections.append(NotesSection(last.title, (*last.notes, block)))
            else:
                sections.append(NotesSection(NOTES_TITLE, (block,)))
    if comparison_at is not None:
        columns = chosen or [c.id for c in topic_cards(session, topic_id, as_of=as_of)]
        comparison = _comparison(session, topic_id, columns, cites, as_of=as_of)
        _place_comparison(sections, comparison_at, comparison, cites)
    # Repeated run titles ("Key quotes" twice) get numbered so the contents can tell them apart.
    seen: dict[str, int] = {}
    for index, section in enumerate(sections):
        if isinstance(section, QuotesSection | NotesSection):
            seen[section.title] = seen.get(section.title, 0) + 1
            if seen[section.title] > 1:
                numbered = f"{section.title} ({seen[section.title]})"
                sections[index] = type(section)(numbered, *list(vars(section).values())[1:])
    header = {
        "title": briefing.title,
        "topic": topic.name if topic else "",
        "audience": briefing.audience,
        "author": briefing.author,
        "dated": briefing.dated,
        "introduction": briefing.introduction,
        "include_private": private,
        "page_size": page_size or briefing.page_size,
        **(
            _figures(session, topic_id, as_of, only=chosen)
            if topic_id is not None and chosen
            else {"as_of": as_of}
        ),
    }
    return _finish(header, sections, cites)
