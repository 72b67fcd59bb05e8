"""The comparison matrix: a topic's questions against 2 to 6 stakeholders, each answer backed.

`comparison` reads everything in a few queries and returns plain records that the GUI's table
model, `briefing compare --json` and the CSV export all show, so they cannot disagree. A cell
holds the stakeholder's own answer; an answer without a quote is *unsupported* and says so.
As of a past day (`as_of=`), a cell holds the answer only if the quote backing it was said by
then (`core.cards.answer_stands`); the others read "No answer".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from briefing.core.cards import QuoteLine, _quote_line, answer_stands, topic_cards
from briefing.core.versions import ABSENT
from briefing.errors import InputError, NotFound
from briefing.store.models import Answer, Question, Quote, Source, Stakeholder, Topic

# The words for answers (render/ has the same for HTML; core may not import from render/).
ANSWER_WORDS = {"yes": "Yes", "no": "No", "partly": "Partly", "unknown": "Unknown"}
MIN_COLUMNS = 2
MAX_COLUMNS = 6


@dataclass(frozen=True)
class Cell:
    answer: str | None  # None: not answered
    quote: QuoteLine | None
    comment: str = ""
    # The answer's version (`briefing.core.versions`), which a change made from the table
    # expects; ABSENT for no answer. Not part of what the cell says, so not compared.
    version: object = field(default=ABSENT, compare=False)

    @property
    def supported(self) -> bool:
        return self.quote is not None

    @property
    def word(self) -> str:
        """The cell in words: "Yes", "No (unsupported)", or "No answer"."""
        if self.answer is None:
            return "No answer"
        label = ANSWER_WORDS.get(self.answer, self.answer)
        return label if self.supported else f"{label} (unsupported)"


@dataclass(frozen=True)
class Column:
    id: int
    name: str


@dataclass(frozen=True)
class Row:
    id: int
    text: str


@dataclass(frozen=True)
class Comparison:
    topic_id: int
    topic: str
    questions: tuple[Row, ...]
    stakeholders: tuple[Column, ...]
    cells: dict[tuple[int, int], Cell]  # (question id, stakeholder id)
    as_of: dt.date | None = None  # the answers as recorded on that day; None: today

    def cell(self, question_id: int, stakeholder_id: int) -> Cell:
        return self.cells.get((question_id, stakeholder_id), Cell(None, None))

    def as_dict(self) -> dict:
        """What `briefing compare --json` prints."""
        return {
            "topic": {"id": self.topic_id, "name": self.topic},
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "stakeholders": [{"id": s.id, "name": s.name} for s in self.stakeholders],
            "questions": [
                {
                    "id": q.id,
                    "text": q.text,
                    "answers": {
                        s.name: _cell_dict(self.cell(q.id, s.id)) for s in self.stakeholders
                    },
                }
                for q in self.questions
            ],
        }

    def as_rows(self) -> list[list[str]]:
        """The table as text, header first: what copying and CSV give."""
        rows = [["Question", *(s.name for s in self.stakeholders)]]
        for q in self.questions:
            rows.append([q.text, *(self.cell(q.id, s.id).word for s in self.stakeholders)])
        return rows

    def as_csv(self) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(self.as_rows())
        return out.getvalue()

    def as_tsv(self) -> str:
        return "\n".join("\t".join(row) for row in self.as_rows()) + "\n"


def _cell_dict(cell: Cell) -> dict:
    quote = cell.quote
    return {
        "answer": cell.answer,
        "word": cell.word,
        "supported": cell.supported,
        "quote": None
        if quote is None
        else {
            "id": quote.id,
            "text": quote.text,
            "speaker": quote.speaker,
            "citation": quote.citation,
        },
        "comment": cell.comment,
    }


def check_choice(count: int) -> str | None:
    if count < MIN_COLUMNS:
        return f"choose at least {MIN_COLUMNS} stakeholders to compare ({count} chosen)"
    if count > MAX_COLUMNS:
        return f"choose at most {MAX_COLUMNS} stakeholders to compare ({count} chosen)"
    return None


def default_choice(session: Session, topic_id: int, *, as_of: dt.date | None = None) -> list[int]:
    """The topic's card stakeholders that answered something (by `as_of`, if given), the most
    influential first."""
    where = [Question.topic_id == topic_id]
    if as_of is not None:
        where.append(answer_stands(as_of))
    answered = set(
        session.scalars(
            select(Answer.stakeholder_id)
            .join(Question, Question.id == Answer.question_id)
            .where(*where)
        )
    )
    return [card.id for card in topic_cards(session, topic_id) if card.id in answered][:MAX_COLUMNS]


def comparison(
    session: Session, topic_id: int, stakeholder_ids: list[int], *, as_of: dt.date | None = None
) -> Comparison:
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(f"there is no topic with id {topic_id}")
    if len(set(stakeholder_ids)) != len(stakeholder_ids):
        raise InputError("a stakeholder is chosen twice")
    names = dict(
        session.execute(
            select(Stakeholder.id, Stakeholder.name).where(Stakeholder.id.in_(stakeholder_ids))
        ).all()
    )
    for sid in stakeholder_ids:
        if sid not in names:
            raise NotFound(f"there is no stakeholder with id {sid}")
    questions = session.execute(
        select(Question.id, Question.text)
        .where(Question.topic_id == topic_id)
        .order_by(Question.sort_order, Question.id)
    ).all()
    speaker = aliased(Stakeholder)
    cells = {}
    answered = [Question.topic_id == topic_id, Answer.stakeholder_id.in_(stakeholder_ids)]
    if as_of is not None:
        answered.append(answer_stands(as_of))
    for answer, quote, speaker_name, source in session.execute(
        select(Answer, Quote, speaker.name, Source)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Quote, Quote.id == Answer.quote_id)
        .outerjoin(speaker, speaker.id == Quote.speaker_id)
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(*answered)
    ):
        line = _quote_line(quote, speaker_name or "", source) if quote is not None else None
        cells[(answer.question_id, answer.stakeholder_id)] = Cell(
            answer.answer, line, answer.comment, answer.updated_at
        )
    return Comparison(
        topic_id=topic.id,
        topic=topic.name,
        questions=tuple(Row(qid, text) for qid, text in questions),
        stakeholders=tuple(Column(sid, names[sid]) for sid in stakeholder_ids),
        cells=cells,
        as_of=as_of,
    )


def existing_stakeholders(session: Session, stakeholder_ids: list[int]) -> list[int]:
    """The ids, in their order, of those stakeholders that are still in the store."""
    found = set(session.scalars(select(Stakeholder.id).where(Stakeholder.id.in_(stakeholder_ids))))
    return [sid for sid in stakeholder_ids if sid in found]


def quote_lines(session: Session, speaker_ids: set[int] | None = None) -> list[QuoteLine]:
    """Quotes with a speaker (of `speaker_ids` if given), by speaker and then as recorded."""
    speaker = aliased(Stakeholder)
    query = (
        select(Quote, speaker.name, Source)
        .join(speaker, speaker.id == Quote.speaker_id)
        .outerjoin(Source, Source.id == Quote.source_id)
        .order_by(speaker.name, Quote.id)
    )
    if speaker_ids is not None:
        query = query.where(Quote.speaker_id.in_(speaker_ids))
    return [_quote_line(quote, name, source) for quote, name, source in session.execute(query)]


def backing_quotes(session: Session, stakeholder_id: int) -> list[QuoteLine]:
    """The quotes that may back the stakeholder's answers: its own and its people's."""
    from briefing.core.editing import speakers_for

    return quote_lines(session, speakers_for(session, stakeholder_id))
