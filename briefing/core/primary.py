"""Primary documents: where a stakeholder's words really come from.

A source can be marked as a primary document of one or more stakeholders: their own letter,
statement or testimony (`import-source --primary-for NAME`, or the import dialog). A report that
quotes them is then checked against it: for each direct quote of the stakeholder (or of a person
who speaks for the same organisation, the groups `cross_source_relations` uses), the closest
passage of the primary documents is found by word-level alignment (`briefing.core.alignment`),
which survives reworded, reordered, dropped and added words. Where that passage has other words
than the quote, the quote is *reworded*: "the primary document says ...", with the word diff.

Only the texts of primary documents are read, and only for the speakers asked about, so the
details panel can afford it for one card; where no primary document exists nothing is read and
nothing changes. A primary document whose text no longer matches its sha256 is not trusted and
is left out. Reported quotes (the source's words about a stakeholder, not theirs) are not
checked: they never claimed to be the stakeholder's words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from briefing.core.alignment import ClosePassage, PassageIndex, compare_wording
from briefing.core.changes import Changes
from briefing.core.lookup import find_stakeholder
from briefing.core.sources import find_source, sha256_text
from briefing.core.verify import CONFLICT, Comparison
from briefing.store.models import Quote, Source, Stakeholder, primary_documents

REWORDED = "reworded"


@dataclass(frozen=True)
class PrimaryCheck:
    """A quote against the closest passage of its speaker's primary documents."""

    quote_id: int
    source_id: int  # the primary document
    source_title: str
    owner: str  # whose primary document it is
    passage: ClosePassage
    comparison: Comparison  # the quote (first) against the passage (second)

    @property
    def reworded(self) -> bool:
        return self.comparison.kind == CONFLICT

    @property
    def diff(self) -> str | None:
        return self.comparison.diff

    def sentence(self) -> str:
        """The flag in words, as the CLI and exports print it."""
        if self.reworded:
            return (
                f"reworded: the primary document ({self.source_title}, {self.owner}) says "
                f"\u201c{self.passage.text}\u201d"
            )
        return f"matches the primary document ({self.source_title}, {self.owner})"


def reworded_line(primary: PrimaryCheck | None) -> str | None:
    """The flag as one line of plain text, for exports: None unless the quote is reworded."""
    if primary is None or not primary.reworded:
        return None
    return (
        f"reworded: the primary document {primary.source_title} ({primary.owner}) says "
        f"\u201c{primary.passage.text}\u201d; difference: {primary.diff}"
    )


def mark_primary(session: Session, source_id: int | str, names: Iterable[str | int]) -> Changes:
    """Mark the source as a primary document of each named stakeholder (idempotent)."""
    source = find_source(session, source_id)
    owners = [find_stakeholder(session, str(name)) for name in names]
    have = set(
        session.scalars(
            select(primary_documents.c.stakeholder_id).where(
                primary_documents.c.source_id == source.id
            )
        )
    )
    new = [o.id for o in dict.fromkeys(owners) if o.id not in have]
    if new:
        session.execute(
            insert(primary_documents),
            [{"source_id": source.id, "stakeholder_id": sid} for sid in new],
        )
    return Changes.of("source") if new else Changes()


def unmark_primary(session: Session, source_id: int | str, name: str | int) -> Changes:
    source = find_source(session, source_id)
    owner = find_stakeholder(session, str(name))
    session.execute(
        delete(primary_documents).where(
            primary_documents.c.source_id == source.id,
            primary_documents.c.stakeholder_id == owner.id,
        )
    )
    return Changes.of("source")


def primary_owners(
    session: Session, source_ids: Iterable[int] | None = None
) -> dict[int, list[str]]:
    """For each source that is a primary document, the names of whose it is."""
    query = (
        select(primary_documents.c.source_id, Stakeholder.name)
        .join(Stakeholder, Stakeholder.id == primary_documents.c.stakeholder_id)
        .order_by(primary_documents.c.source_id, Stakeholder.name)
    )
    if source_ids is not None:
        query = query.where(primary_documents.c.source_id.in_(list(source_ids)))
    owners: dict[int, list[str]] = defaultdict(list)
    for source_id, name in session.execute(query):
        owners[source_id].append(name)
    return dict(owners)


def primary_checks(
    session: Session, speaker_ids: set[int] | None = None
) -> dict[int, PrimaryCheck]:
    """For each direct quote (of these speakers, or all) whose speaker's group has a primary
    document, that document's closest passage and how it words the quote."""
    group_of = func.coalesce(Stakeholder.parent_id, Stakeholder.id)
    # Which groups own which primary documents: a cheap query over the link table.
    owned = session.execute(
        select(group_of, primary_documents.c.source_id, Stakeholder.name).join(
            Stakeholder, Stakeholder.id == primary_documents.c.stakeholder_id
        )
    ).all()
    if not owned:
        return {}
    documents: dict[int, dict[int, str]] = defaultdict(dict)  # group -> source -> owner
    for group, source_id, name in owned:
        documents[group].setdefault(source_id, name)

    query = (
        select(Quote.id, Quote.text, Quote.source_id, group_of.label("group"))
        .join(Stakeholder, Stakeholder.id == Quote.speaker_id)
        .where(
            Quote.attribution == "direct",
            group_of.in_(list(documents)),
        )
    )
    if speaker_ids is not None:
        groups = set(
            session.scalars(
                select(func.coalesce(Stakeholder.parent_id, Stakeholder.id)).where(
                    Stakeholder.id.in_(speaker_ids)
                )
            )
        )
        query = query.where(group_of.in_(groups))
    quotes = session.execute(query).all()
    if not quotes:
        return {}

    wanted = {sid for q in quotes for sid in documents[q.group]}
    texts: dict[int, tuple[str, str]] = {}
    for source_id, title, text, digest in session.execute(
        select(Source.id, Source.title, Source.text, Source.sha256).where(Source.id.in_(wanted))
    ):
        if sha256_text(text) == digest:  # a changed document is no evidence of anything
            texts[source_id] = (title, text)
    index = PassageIndex((sid, text) for sid, (_, text) in texts.items())

    found: dict[int, PrimaryCheck] = {}
    for quote in quotes:
        mine = {sid for sid in documents[quote.group] if sid in texts}
        mine.discard(quote.source_id)
        if not mine:
            continue
        passages = index.closest(quote.text, exclude=quote.source_id, only=mine)
        if not passages:
            continue
        best = passages[0]
        found[quote.id] = PrimaryCheck(
            quote_id=quote.id,
            source_id=best.source_id,
            source_title=texts[best.source_id][0],
            owner=documents[quote.group][best.source_id],
            passage=best,
            comparison=compare_wording(quote.text, best.text),
        )
    return found
